/* Quote Desk: small progressive enhancements; every page works without this script. */
(function () {
  "use strict";
  // "/" focuses the search box (unless typing in a field).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("q") || document.getElementById("header-q");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });
  // Embed snippets select themselves when focused, ready to copy.
  Array.prototype.forEach.call(document.querySelectorAll("textarea[readonly]"), function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
})();
