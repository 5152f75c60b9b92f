"""Source passages: the sentence a figure or a claim comes from, with its span, from an extraction JSON.

The extraction JSON carries the text of every measure, problem and plan with its
offsets, and each metric names the item it comes from; the sentence around a metric
is cut out of its item's text. When the JSON also holds the report's whole ``text``
(not in the contract today), sentences are cut out of that instead. A passage is

``{"report": id, "text": sentence, "offset": where the sentence starts in the report,
"mark": [start, end]}`` — offsets are code points of the report's text, so
``text[mark[0] - offset:mark[1] - offset]`` is the span. A heading's passage has
``offset`` and ``mark`` None: its whole text is the span.
"""
from __future__ import annotations

from kg.extraction.text import sentence_around

__all__ = ["Passages", "sentence_around"]

_LIMIT = 160  # characters of context kept on each side of a span


class Passages:
    """The passages of one extraction JSON, by metric, item or section id."""

    def __init__(self, extraction: dict) -> None:
        self.report = extraction["report"]["id"]
        self.full_text = extraction.get("text") if isinstance(extraction.get("text"), str) else None
        self.items = {i["id"]: i for kind in ("measures", "problems", "plans") for i in extraction.get(kind, [])}
        self.metrics = {m["id"]: m for m in extraction.get("metrics", [])}
        self.sections = {s["id"]: s for s in extraction.get("sections", []) if s.get("id")}

    def cut(self, start: int, end: int, container: dict | None, fallback: str) -> dict:
        if self.full_text is not None and self.full_text[start:end] == fallback:
            offset, sentence = sentence_around(self.full_text, start, end, _LIMIT)
        elif container and container["start"] <= start and end <= container["end"]:
            relative, sentence = sentence_around(container["text"], start - container["start"],
                                                 end - container["start"])
            offset = container["start"] + relative
        else:
            offset, sentence = start, fallback
        return {"report": self.report, "text": sentence.rstrip("\n"), "offset": offset, "mark": [start, end]}

    def metric(self, metric_id: str) -> dict | None:
        metric = self.metrics.get(metric_id)
        if metric is None:
            return None
        return self.cut(metric["start"], metric["end"], self.container(metric), metric["text"])

    def container(self, metric: dict) -> dict | None:
        """The item a metric was stated in (its sentence is cut from it), or None."""
        return self.items.get(metric.get("item") or "")

    def item(self, item_id: str) -> dict | None:
        item = self.items.get(item_id)
        if item is None:
            return None
        return {"report": self.report, "text": item["text"], "offset": item["start"],
                "mark": [item["start"], item["end"]]}

    def section(self, section_id: str) -> dict | None:
        section = self.sections.get(section_id)
        if section is None or not section.get("heading"):
            return None
        # The heading's own offsets are not in the JSON (the section's start is its marker's):
        # the heading is the passage, all of it the span.
        return {"report": self.report, "text": section["heading"], "offset": None, "mark": None}
