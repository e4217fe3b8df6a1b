"""spaCy's attribute ruler, matched faster: the same rules, the same annotations.

The English model's attribute ruler (tag to part of speech and morphology, plus exceptions) has
179 rules, matched by spaCy's Matcher token by token: about 8% of extraction. Most rules are one
token whose TAG, LOWER, DEP or IS_SPACE equal given values (or are in given lists); those are
found here by dictionary look-ups (NOT_IN lists checked after). The few others (several tokens,
REGEX predicates) stay with a Matcher of their own. The matches are then applied by the ruler
itself (`AttributeRuler.set_annotations`), in its order (rule by rule, later rules taking
precedence), so the annotations are the ruler's.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from typing import Any, cast

from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

# The attributes of the plain rules, in the order of `Doc.to_array`'s columns below.
_SIMPLE_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_COLUMNS: list[int | str] = list(_SIMPLE_KEYS)


Key = tuple[tuple[int, ...], tuple[int, ...]]  # (columns looked at, the values wanted there)
Exclusions = tuple[tuple[int, frozenset[int]], ...]  # (column, values it must not have)


def _simple(pattern: list[dict[str, Any]], strings: Any) -> list[tuple[Key, Exclusions]] | None:
    """A one-token pattern of plain values, ``IN`` or ``NOT_IN`` lists on `_SIMPLE_KEYS` (at least
    one not ``NOT_IN``), as the keys it accepts (one per combination of its values) with the
    values it excludes; values as `Doc.to_array` gives them (string hashes, 0/1). None for other
    patterns."""
    if len(pattern) != 1:
        return None
    (tok,) = pattern
    if not tok or any(k not in _SIMPLE_KEYS for k in tok):
        return None

    def code(v: Any) -> int:
        return int(v) if isinstance(v, bool) else int(strings.add(v))

    cols, choices, excluded = [], [], []
    for c in sorted(_SIMPLE_KEYS.index(k) for k in tok):
        value = tok[_SIMPLE_KEYS[c]]
        if isinstance(value, dict) and set(value) == {"NOT_IN"}:
            excluded.append((c, frozenset(code(v) for v in value["NOT_IN"])))
            continue
        if isinstance(value, dict) and set(value) != {"IN"}:
            return None
        cols.append(c)
        choices.append([code(v) for v in dict.fromkeys(value["IN"] if isinstance(value, dict) else [value])])
    if not cols:
        return None
    return [((tuple(cols), combo), tuple(excluded)) for combo in itertools.product(*choices)]


class FastMatch:
    """A drop-in for ``ruler.match``: the ruler's matches, ``(rule, match id, start, end)`` sorted."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        strings = ruler.vocab.strings
        self.by_values: dict[Key, list[tuple[int, int, Exclusions]]] = defaultdict(list)
        self.rest = Matcher(ruler.vocab, validate=False)
        for rule, entry in enumerate(ruler.patterns):
            match_id = strings.add(str(rule))
            others = []
            for pattern in cast(list[list[dict[str, Any]]], entry["patterns"]):
                simple = _simple(pattern, strings)
                if simple is None:
                    others.append(pattern)
                for key, excluded in simple or ():
                    self.by_values[key].append((rule, match_id, excluded))
            if others:
                self.rest.add(str(rule), others)
        keysets = sorted({cols for cols, _ in self.by_values})
        # Per set of columns: its getter (one value for one column, else a tuple) and its rules.
        self.lookups = [
            (
                operator.itemgetter(*cols),
                {(v[0] if len(cols) == 1 else v): r for (c, v), r in self.by_values.items() if c == cols},
            )
            for cols in keysets
        ]

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        strings = self.ruler.vocab.strings
        matches = [
            (int(strings[m_id]), m_id, s, e)
            for m_id, s, e in self.rest(doc, allow_missing=True, as_spans=False)
        ]
        lookups = self.lookups
        for i, row in enumerate(doc.to_array(_COLUMNS).tolist()):
            for get, rules in lookups:
                found = rules.get(get(row))
                if found:
                    for rule, match_id, excluded in found:
                        if not excluded or not any(row[c] in values for c, values in excluded):
                            matches.append((rule, match_id, i, i + 1))
        matches.sort()
        return matches


def speed_up(ruler: AttributeRuler) -> None:
    """Have ``ruler`` match through `FastMatch` (its patterns as they are now)."""
    ruler.match = FastMatch(ruler)  # type: ignore[method-assign]
