/*!
 * Quote Desk embed: highlights the quotes of an article body on any page (a CMS editor preview).
 *
 *   <script src="https://QUOTES-HOST/embed.js" data-target="#article-body" data-verify="true" async></script>
 *
 * or, from the page's own script: QuoteEmbed.highlight(element, {verify: true}).then(quotes => ...)
 *
 * The element's text goes to POST /v1/extract (nothing is stored); each quote is wrapped in a
 * <mark class="qe-quote"> with a popover (speaker, type, cue). With verify, a button asks
 * POST /v1/verify whether the quote is on record ("auto" asks for every quote at once).
 * One global (window.QuoteEmbed); every class and id starts with "qe-"; no host styles touched.
 * The host page's origin must be listed in the service's CORS_ORIGINS.
 */
(function (win, doc) {
  "use strict";
  if (win.QuoteEmbed) return;

  var script = doc.currentScript;
  var scriptBase = script && script.src ? script.src.replace(/\/embed\.js(?:[?#].*)?$/, "") : "";
  var PALETTE = [
    ["#dbeafe", "#1d4ed8"], ["#fde2e4", "#be123c"], ["#dcfce7", "#15803d"], ["#f3e8ff", "#7e22ce"],
    ["#ffedd5", "#c2410c"], ["#cffafe", "#0e7490"], ["#fef9c3", "#a16207"], ["#e0e7ff", "#4338ca"]
  ];
  var BLOCK = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|BR|DD|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|LI|MAIN|OL|P|PRE|SECTION|TABLE|TD|TH|TR|UL)$/;
  var SKIP = /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|IFRAME|OBJECT|SVG|CANVAS|TEXTAREA|INPUT|SELECT|BUTTON)$/;
  var VERDICTS = {
    verbatim: ["On record, word for word", "good"],
    excerpt: ["On record (an excerpt)", "good"],
    close: ["On record, small wording differences", "good"],
    paraphrase: ["Paraphrase: not these words", "warn"],
    contradicts: ["Contradicts the record", "bad"],
    other_speaker: ["On record under another speaker", "bad"],
    different: ["Not on record in these words", "bad"],
    not_found: ["Not found on record", "none"]
  };

  function css() {
    var rules = [
      ".qe-quote{background:var(--qe-bg);color:inherit;border-bottom:2px solid var(--qe-line);border-radius:2px;padding:1px 0;cursor:pointer;-webkit-box-decoration-break:clone;box-decoration-break:clone}",
      ".qe-quote:focus{outline:3px solid #f59e0b;outline-offset:1px}",
      ".qe-cue,.qe-mention{background:none;color:inherit;font-weight:700;padding:0}",
      ".qe-cue{text-decoration:underline wavy #6b7280;text-underline-offset:4px}",
      ".qe-mention{outline:1.5px dashed #6b7280;outline-offset:0;border-radius:2px}",
      ".qe-quote.qe-unknown{border-bottom-style:dashed}",
      ".qe-quote.qe-v-good{box-shadow:inset 0 -4px 0 #15803d}",
      ".qe-quote.qe-v-bad{box-shadow:inset 0 -4px 0 #b42318}",
      ".qe-quote.qe-v-warn{box-shadow:inset 0 -4px 0 #b45309}",
      ".qe-tip{all:initial;position:absolute;z-index:2147483647;display:block;box-sizing:border-box;max-width:320px;min-width:220px;background:#0f1f38;color:#fff;border-radius:8px;padding:10px 12px;font:13px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;box-shadow:0 6px 24px rgba(0,0,0,.25)}",
      ".qe-tip[hidden]{display:none}",
      ".qe-tip .qe-who{all:initial;display:block;font:700 14px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#fff;margin:0 0 4px}",
      ".qe-tip .qe-row{all:initial;display:block;font:13px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#dbe3ef}",
      ".qe-tip .qe-row b{all:initial;font:inherit;font-weight:700;color:#fff}",
      ".qe-tip .qe-check{all:initial;display:inline-block;margin-top:8px;background:#fff;color:#0f1f38;border-radius:6px;padding:4px 10px;font:600 12.5px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;cursor:pointer}",
      ".qe-tip .qe-check:focus{outline:3px solid #f59e0b;outline-offset:2px}",
      ".qe-tip .qe-verdict{all:initial;display:block;margin-top:8px;padding:5px 8px;border-radius:6px;font:600 12.5px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#fff;background:#334155}",
      ".qe-tip .qe-verdict.qe-good{background:#136c3a}.qe-tip .qe-verdict.qe-bad{background:#b42318}.qe-tip .qe-verdict.qe-warn{background:#8a4b00}",
      ".qe-tip .qe-verdict a{all:initial;color:#fff;text-decoration:underline;cursor:pointer;font:inherit}"
    ];
    return rules.join("\n");
  }

  function injectStyle() {
    if (doc.getElementById("qe-style")) return;
    var style = doc.createElement("style");
    style.id = "qe-style";
    style.textContent = css();
    (doc.head || doc.documentElement).appendChild(style);
  }

  /* The element's text as the service reads it (paragraphs separated by blank lines, spaces
     collapsed), and for each character the text node and offset it came from (null: added). */
  function collectText(root) {
    var out = [];
    var map = [];
    function last() { return out.length ? out[out.length - 1] : "\n"; }
    function breakPara() {
      if (!out.length) return;
      while (out.length && out[out.length - 1] === " ") { out.pop(); map.pop(); }
      if (last() !== "\n") { out.push("\n"); map.push(null); }
      if (out.length < 2 || out[out.length - 2] !== "\n") { out.push("\n"); map.push(null); }
    }
    function walk(node) {
      if (node.nodeType === 3) {
        var data = node.data;
        for (var i = 0; i < data.length; i++) {
          var c = data.charAt(i);
          if (/\s/.test(c)) {
            if (/\s/.test(last())) continue;
            c = " ";
          }
          out.push(c);
          map.push([node, i]);
        }
        return;
      }
      if (node.nodeType !== 1 || SKIP.test(node.tagName) || node.classList.contains("qe-tip")) return;
      var block = BLOCK.test(node.tagName);
      if (block) breakPara();
      for (var child = node.firstChild; child; child = child.nextSibling) walk(child);
      if (block) breakPara();
    }
    walk(root);
    return { text: out.join(""), map: map };
  }

  /* Wrap [start, end) ranges of the collected text in marks, one per run of one text node. */
  function wrapRanges(map, ranges) {
    var byNode = [];
    ranges.forEach(function (r) {
      var seg = null;
      for (var i = r.start; i < r.end && i < map.length; i++) {
        var m = map[i];
        if (!m) { seg = null; continue; }
        if (seg && seg.node === m[0] && seg.to === m[1]) { seg.to = m[1] + 1; continue; }
        seg = { node: m[0], from: m[1], to: m[1] + 1, r: r };
        byNode.push(seg);
      }
    });
    // Within one node, wrap from the end backwards: the node keeps the text before each cut.
    byNode.sort(function (a, b) { return a.node === b.node ? b.from - a.from : 0; });
    var groups = new Map();
    byNode.forEach(function (s) {
      if (!groups.has(s.node)) groups.set(s.node, []);
      groups.get(s.node).push(s);
    });
    var marks = [];
    groups.forEach(function (segs) {
      segs.sort(function (a, b) { return b.from - a.from; });
      segs.forEach(function (s) {
        var node = s.node;
        if (s.to < node.data.length) node.splitText(s.to);
        var mid = s.from > 0 ? node.splitText(s.from) : node;
        if (!/\S/.test(mid.data)) return;
        var mark = doc.createElement("mark");
        mid.parentNode.insertBefore(mark, mid);
        mark.appendChild(mid);
        marks.push({ mark: mark, r: s.r });
      });
    });
    return marks;
  }

  function clear(el) {
    el = resolve(el);
    if (!el) return;
    Array.prototype.forEach.call(el.querySelectorAll("mark.qe-quote, mark.qe-cue, mark.qe-mention"), function (m) {
      var parent = m.parentNode;
      while (m.firstChild) parent.insertBefore(m.firstChild, m);
      parent.removeChild(m);
      parent.normalize();
    });
    el.removeAttribute("data-qe-state");
    hideTip();
  }

  function resolve(el) {
    return typeof el === "string" ? doc.querySelector(el) : el;
  }

  function post(api, path, body) {
    return fetch(api + path, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error((data && data.message) || ("HTTP " + r.status));
        return data;
      });
    });
  }

  /* ---------------------------------------------------------------- popover */
  var tip = null;
  var tipFor = null;
  var hideTimer = null;

  function ensureTip() {
    if (tip) return tip;
    tip = doc.createElement("div");
    tip.className = "qe-tip";
    tip.id = "qe-tip";
    tip.setAttribute("role", "dialog");
    tip.setAttribute("aria-label", "Quote details");
    tip.hidden = true;
    tip.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    tip.addEventListener("mouseleave", scheduleHide);
    tip.addEventListener("keydown", function (e) { if (e.key === "Escape") { var f = tipFor; hideTip(); if (f) f.focus(); } });
    doc.body.appendChild(tip);
    return tip;
  }

  function text(tag, cls, content) {
    var n = doc.createElement(tag);
    n.className = cls;
    if (content != null) n.textContent = content;
    return n;
  }

  function row(label, value) {
    var r = text("span", "qe-row");
    var b = doc.createElement("b");
    b.textContent = label + ": ";
    r.appendChild(b);
    r.appendChild(doc.createTextNode(value));
    return r;
  }

  function showTip(mark) {
    var info = mark.__qe;
    if (!info) return;
    clearTimeout(hideTimer);
    var t = ensureTip();
    t.textContent = "";
    var q = info.quote;
    t.appendChild(text("span", "qe-who", q.speaker && q.speaker.name ? q.speaker.name : "Unknown speaker"));
    t.appendChild(row("Type", q.type));
    if (q.cue) t.appendChild(row("Cue", spanText(q.cue)));
    if (q.speaker && q.speaker.mention) t.appendChild(row("Named as", spanText(q.speaker.mention)));
    if (q.via) t.appendChild(row("Via", spanText(q.via)));
    if (info.verdict) {
      t.appendChild(verdictNode(info));
    } else if (info.opts.verify) {
      var btn = text("button", "qe-check", info.pending ? "Checking…" : "On record?");
      btn.type = "button";
      btn.addEventListener("click", function (e) { e.stopPropagation(); check(info).then(function () { if (tipFor === info.first) showTip(info.first); }); });
      t.appendChild(btn);
    }
    t.hidden = false;
    tipFor = info.first;
    info.marks.forEach(function (m) { m.setAttribute("aria-expanded", "true"); });
    var rect = mark.getBoundingClientRect();
    var top = rect.bottom + win.scrollY + 6;
    var left = Math.max(8, Math.min(rect.left + win.scrollX, win.scrollX + doc.documentElement.clientWidth - t.offsetWidth - 8));
    t.style.top = top + "px";
    t.style.left = left + "px";
  }

  function verdictNode(info) {
    var v = VERDICTS[info.verdict] || [info.verdict, "none"];
    var n = text("span", "qe-verdict qe-" + v[1], v[0] + (info.statementUrl ? " " : ""));
    if (info.statementUrl) {
      var a = doc.createElement("a");
      a.href = info.statementUrl;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = "sources";
      n.appendChild(a);
    }
    return n;
  }

  function spanText(span) {
    return typeof span === "string" ? span : (span && span.text) || "";
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hideTip, 250);
  }

  function hideTip() {
    if (!tip) return;
    tip.hidden = true;
    if (tipFor && tipFor.__qe) tipFor.__qe.marks.forEach(function (m) { m.setAttribute("aria-expanded", "false"); });
    tipFor = null;
  }

  function check(info) {
    if (info.verdict || info.pending) return info.pending || Promise.resolve();
    var q = info.quote;
    var body = { text: q.text };
    if (q.speaker && q.speaker.name) body.speaker = q.speaker.name;
    info.pending = post(info.opts.api, "/v1/verify", body).then(function (data) {
      var m = data.matches && data.matches[0];
      info.verdict = m ? m.verdict : "not_found";
      info.statementUrl = m && m.statement ? info.opts.api + "/statements/" + m.statement.id : null;
      var tone = (VERDICTS[info.verdict] || ["", "none"])[1];
      info.marks.forEach(function (mk) { mk.classList.add("qe-v-" + tone); mk.setAttribute("data-qe-verdict", info.verdict); });
    }, function () {
      info.verdict = null;
    }).then(function () { info.pending = null; });
    return info.pending;
  }

  /* ---------------------------------------------------------------- highlight */
  function highlight(el, options) {
    el = resolve(el);
    var opts = Object.assign({ api: scriptBase, verify: false }, options || {});
    opts.api = String(opts.api || "").replace(/\/$/, "");
    if (!el) return Promise.reject(new Error("QuoteEmbed: no element to highlight"));
    clear(el);
    injectStyle();
    el.setAttribute("data-qe-state", "loading");
    var collected = collectText(el);
    if (!collected.text.trim()) {
      el.setAttribute("data-qe-state", "done");
      return Promise.resolve([]);
    }
    return post(opts.api, "/v1/extract", { text: collected.text }).then(function (data) {
      var quotes = data.quotes || [];
      var colours = {};
      var nColours = 0;
      var ranges = [];
      quotes.forEach(function (q, i) {
        var name = q.speaker && q.speaker.name;
        if (name && !(name in colours)) colours[name] = nColours++ % PALETTE.length;
        var parts = q.parts && q.parts.length ? q.parts : [{ start: q.start, end: q.end }];
        parts.forEach(function (p) { ranges.push({ start: p.start, end: p.end, q: i }); });
      });
      // Cues and speaker mentions are marked too, where they overlap nothing else marked.
      quotes.forEach(function (q, i) {
        [q.cue, q.speaker && q.speaker.mention].forEach(function (span, k) {
          if (!span || typeof span.start !== "number") return;
          var clash = ranges.some(function (r) { return r.start < span.end && span.start < r.end; });
          if (!clash) ranges.push({ start: span.start, end: span.end, q: i, kind: k ? "mention" : "cue" });
        });
      });
      var wrapped = wrapRanges(collected.map, ranges);
      var infos = quotes.map(function (q) { return { quote: q, marks: [], opts: opts, first: null }; });
      wrapped.forEach(function (w) {
        if (w.r.kind) {
          w.mark.className = "qe-" + w.r.kind;
          w.mark.setAttribute("data-qe-quote", String(w.r.q));
          return;
        }
        infos[w.r.q].marks.push(w.mark);
      });
      infos.forEach(function (info, i) {
        var q = info.quote;
        var name = q.speaker && q.speaker.name;
        var pal = name ? PALETTE[colours[name]] : ["#eceff3", "#6b7280"];
        info.marks.sort(function (a, b) { return a.compareDocumentPosition(b) & 4 ? -1 : 1; });
        info.first = info.marks[0] || null;
        info.marks.forEach(function (m, k) {
          m.className = "qe-quote" + (name ? "" : " qe-unknown");
          m.style.setProperty("--qe-bg", pal[0]);
          m.style.setProperty("--qe-line", pal[1]);
          m.setAttribute("data-qe-quote", String(i));
          m.setAttribute("data-qe-speaker", name || "");
          m.__qe = info;
          if (k === 0) {
            m.tabIndex = 0;
            m.setAttribute("role", "button");
            m.setAttribute("aria-haspopup", "dialog");
            m.setAttribute("aria-expanded", "false");
            m.setAttribute("aria-label", "Quote" + (name ? " by " + name : "") + ", " + q.type + ". Show details");
          }
          m.addEventListener("mouseenter", function () { showTip(m); });
          m.addEventListener("mouseleave", scheduleHide);
          m.addEventListener("click", function (e) { e.preventDefault(); showTip(m); });
          m.addEventListener("focus", function () { showTip(m); });
          m.addEventListener("blur", function (e) { if (!tip || !tip.contains(e.relatedTarget)) scheduleHide(); });
          m.addEventListener("keydown", function (e) {
            if (e.key === "Escape") hideTip();
            if ((e.key === "Enter" || e.key === " ") && info.opts.verify && !info.verdict) {
              e.preventDefault();
              check(info).then(function () { showTip(m); });
            }
          });
        });
      });
      var checks = opts.verify === "auto" ? infos.map(check) : [];
      return Promise.all(checks).then(function () {
        el.setAttribute("data-qe-state", "done");
        el.setAttribute("data-qe-count", String(quotes.length));
        el.dispatchEvent(new CustomEvent("quoteembed:done", { detail: { quotes: quotes } }));
        return quotes;
      });
    }).catch(function (err) {
      el.setAttribute("data-qe-state", "error");
      el.setAttribute("data-qe-error", String(err && err.message || err));
      throw err;
    });
  }

  win.QuoteEmbed = { highlight: highlight, clear: clear, version: "1" };

  // One-tag use: <script src=".../embed.js" data-target="#body" data-verify="true|auto">
  var target = script && script.getAttribute("data-target");
  if (target) {
    var verify = script.getAttribute("data-verify");
    var run = function () {
      highlight(target, {
        api: script.getAttribute("data-api") || scriptBase,
        verify: verify === "auto" ? "auto" : verify === "true"
      }).catch(function (e) { if (win.console) win.console.warn("QuoteEmbed:", e.message); });
    };
    if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", run);
    else run();
  }
})(window, document);
