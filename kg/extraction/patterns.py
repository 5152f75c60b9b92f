"""Known names from the pattern files (``data/patterns/*.jsonl``, spaCy EntityRuler format).

One canonical ``id`` per entity with its variants (人民法院 / 法院); agency
types take a level prefix (县, 市县, a place before them). The patterns are
matched once over the text by a spaCy PhraseMatcher on a character-level
Doc, so they match wherever jieba cuts.
"""
from __future__ import annotations

from kg.extraction.names import Candidate, TextView, name_lexicon
from kg.extraction.rules import compiled, patterns

__all__ = ["load_patterns", "pattern_matches", "pattern_candidates", "merge_short_forms"]



def load_patterns() -> list[dict]:
    """Every pattern line of ``data/patterns/*.jsonl``, checked, in file and line order.

    >>> any(p["pattern"] == "人民法院" and p["id"] == "法院" for p in load_patterns())
    True
    """
    return [dict(entry) for entry in patterns()]


@compiled
def _pattern_matcher():
    """A character-level PhraseMatcher: patterns match whatever jieba's word boundaries are.

    The matcher, not an EntityRuler: the ruler's bookkeeping around the same
    matcher doubles the cost, and we keep the longest match ourselves.
    """
    import spacy
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    vocab = spacy.blank("zh").vocab  # the default "char" segmenter: one token per character
    matcher = PhraseMatcher(vocab)
    options = {}
    for pattern in patterns():
        options[pattern["pattern"]] = pattern
        chars = list(pattern["pattern"])
        matcher.add(pattern["label"], [Doc(vocab, words=chars, spaces=[False] * len(chars))])
    return vocab, matcher, options


def pattern_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of the pattern-file phrases in ``text``, the longest where they overlap."""
    vocab, matcher, _ = _pattern_matcher()
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    # one token per character, built directly (the char segmenter's own alignment step is slow)
    doc = Doc(vocab, words=list(text), spaces=[False] * len(text))
    spans = filter_spans(matcher(doc, as_spans=True))
    return sorted((span.start_char, span.end_char, span.label_) for span in spans)


def pattern_candidates(tx: TextView, places: list[Candidate], matches: list[tuple[int, int, str]]) -> list[Candidate]:
    """Pattern-file names; agency types take the level prefix or the place before them."""
    options = _pattern_matcher()[2]
    lex, text = name_lexicon(), tx.text
    place_ending = {p.end: p for p in places}
    out = []
    for start, end, entity_type in matches:
        option = options[text[start:end]]
        if tx.inside(start, end) and entity_type != "Agency":
            continue
        canonical, prefix = option["id"], ""
        if option.get("level_prefix"):
            if start in place_ending:
                prefix = place_ending[start].label
            else:
                # start - len(p) must not go below 0: a negative start counts from the end of the text
                prefix = next((p for p in lex.level_prefixes
                               if len(p) <= start and text.startswith(p, start - len(p))), "")
        if option.get("needs_prefix") and not prefix:
            continue
        label = prefix + text[start:end]
        candidate = Candidate(start - len(prefix), end, entity_type, label, prefix + canonical,
                               f"pattern:{option['id']}", surface=label, via_pattern=True)
        if option.get("short_for"):
            candidate.short_for = (prefix + option["short_for"], option["merge_when"])
        out.append(candidate)
    return out


def merge_short_forms(candidates: list[Candidate], text: str) -> None:
    """县人大 → 县人大常委会, only when the full form is named too and the text ties them."""
    keys = {(c.type, c.key) for c in candidates}
    for candidate in candidates:
        if (candidate.short_for and (candidate.type, candidate.short_for[0]) in keys
                and candidate.short_for[1] in text):
            candidate.key = candidate.short_for[0]
            candidate.rule = f"short-form:{candidate.short_for[0]} (text has {candidate.short_for[1]})"
