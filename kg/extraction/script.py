"""Traditional characters: the stages read a simplified view of the text, offsets unchanged.

Our lexicons and patterns are in simplified characters. A report in
traditional characters (Hong Kong, Macau, Taiwan forms, mirrors of mainland
pages) is converted with OpenCC's ``hk2s`` (traditional and Hong Kong variant
forms to simplified; its phrase tables choose 乾/干, 後/后 in context). The
conversion is one character for one on every text we tried; where it is not,
the line is converted character by character, so every offset of the view
still indexes the original. After extraction, :func:`restore_original` gives
spans and labels back the report's own characters.
"""
from __future__ import annotations

from dataclasses import fields, replace
from functools import cache

from kg.model import Extraction, Span

__all__ = ["to_simplified", "restore_original"]


@cache
def _converter():
    import opencc

    return opencc.OpenCC("hk2s")


@cache
def _detector():
    import opencc

    return opencc.OpenCC("t2s")  # a tenth of hk2s's cost: says whether there is anything to convert


def to_simplified(text: str) -> str:
    """The text with traditional characters replaced one for one by simplified ones (same length).

    >>> to_simplified("臺灣省政府於2023年辦理行政復議案件")
    '台湾省政府于2023年办理行政复议案件'
    >>> to_simplified("濮阳县2024年") == "濮阳县2024年"
    True
    """
    if text.isascii() or _detector().convert(text) == text:
        return text
    view = _converter().convert(text)
    if len(view) == len(text):
        return view
    return "".join(_same_length(line) for line in text.splitlines(keepends=True))


def _same_length(line: str) -> str:
    view = _converter().convert(line)
    if len(view) == len(line):
        return view
    out = []
    for char in line:
        single = _converter().convert(char)
        out.append(single if len(single) == 1 else char)
    return "".join(out)


def restore_original(extraction: Extraction, original: str) -> None:
    """Put the report's own characters back into every span and label of ``extraction`` (in place).

    Spans are re-cut from ``original`` at the same offsets. An entity whose
    label is one of its mentions takes that mention's original characters as
    its label and keeps the simplified one as an alternative label. The
    jurisdiction stays simplified: it is the key looked up in the division table.
    """
    view = extraction.text
    extraction.text = original
    meta = extraction.report
    for name in ("title_span", "published_span"):
        span = getattr(meta, name)
        if span is not None:
            setattr(meta, name, Span.of(original, span.start, span.end))
    if meta.title_span is not None and meta.title == view[meta.title_span.start:meta.title_span.end]:
        meta.title = meta.title_span.text
    if meta.department:
        meta.department = _original_words(meta.department, view, original)
    for section in extraction.sections:
        section.heading = Span.of(original, section.heading.start, section.heading.end)
    for item in extraction.items:
        _respan(item, original)
    for metric in extraction.metrics:
        _respan(metric, original)
        if metric.subject_span is not None and metric.subject == view[metric.subject_span.start:metric.subject_span.end]:
            metric.subject = metric.subject_span.text
        elif metric.subject:
            metric.subject = _original_words(metric.subject, view, original, near=metric.span.start)
    for relation in extraction.relations:
        if relation.evidence is not None:
            relation.evidence = Span.of(original, relation.evidence.start, relation.evidence.end)
    for entity in extraction.entities:
        _restore_entity(entity, view, original)


def _respan(obj, original: str) -> None:
    """Re-cut every :class:`Span` field of a dataclass from the original text."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, Span):
            setattr(obj, f.name, Span.of(original, value.start, value.end))


def _restore_entity(entity, view: str, original: str) -> None:
    entity.mentions = [replace(m, text=original[m.start:m.end]) for m in entity.mentions]
    simplified = entity.label
    for mention in entity.mentions:
        if view[mention.start:mention.end] == simplified:
            entity.label = original[mention.start:mention.end]
            break
    else:
        entity.label = _original_words(simplified, view, original)
    if entity.label != simplified and simplified not in entity.alt_labels:
        entity.alt_labels.append(simplified)
    entity.alt_labels = [_original_words(alt, view, original) if alt != simplified else alt
                         for alt in entity.alt_labels]


def _original_words(words: str, view: str, original: str, near: int = 0) -> str:
    """``words`` (simplified) as the report wrote them: found in the view, nearest ``near``; else unchanged."""
    if not words:
        return words
    before = view.rfind(words, 0, near + len(words))
    after = view.find(words, near)
    candidates = [at for at in (before, after) if at >= 0]
    if not candidates:
        return words
    at = min(candidates, key=lambda position: abs(position - near))
    return original[at:at + len(words)]
