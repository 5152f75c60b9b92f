"""Required parts: does a report cover what the 2019 督察工作规定 asks of it?

The parts (``data/rules/supervision-2019.json``): the year's measures and results,
its shortcomings and their causes, how the principal leaders performed their duty as
the first persons responsible (第一责任人), and next year's plans. A part is found

* from a **heading**: a top-level section the structure stage classified as that kind,
  or a top-level heading holding one of the part's heading cues (for the leaders' duty,
  a heading at any level) (``党政主要负责人履行推进法治建设第一
  责任人职责情况`` is classified "other" but names the part);
* from the **text** when no heading names it: the report's items of that kind (problems
  stated without a problems heading), and, for the first-responsible part, a measure
  stating the duty (``局党组书记、局长切实履行推进法治建设第一责任人职责…``). Problems and
  plans that mention the duty do not count: an admitted failing or a promise is not a
  report of the duty performed.
"""
from __future__ import annotations

from kg.compare.rules import PARTS, supervision_rules

__all__ = ["report_parts", "part_evidence", "PARTS"]

_SECTION_KIND = {"measures": "achievements", "problems": "problems", "plans": "plans"}


def _heading_evidence(extraction: dict, part: str, cues: list[str]) -> dict | None:
    kind = _SECTION_KIND.get(part)
    for section in extraction.get("sections", []):
        heading = section.get("heading") or ""
        # A part is a top-level section; the leaders' duty may also be a sub-section of the achievements.
        top = section.get("level") == 1 or kind is None
        if top and (section.get("kind") == kind or any(c in heading for c in cues)):
            return {"how": "heading", "section": section.get("id"), "start": section.get("start"),
                    "text": heading}
    return None


def _text_evidence(extraction: dict, part: str, cues: list[str]) -> dict | None:
    items = extraction.get(part, []) if part in _SECTION_KIND else [
        m for m in extraction.get("measures", []) if any(c in m.get("text", "") for c in cues)]
    if not items:
        return None
    first = items[0]
    return {"how": "items" if part in _SECTION_KIND else "text", "item": first["id"], "start": first["start"],
            "end": first["end"], "text": first.get("title") or first.get("text", "")}


def part_evidence(extraction: dict) -> dict[str, dict | None]:
    """For each required part, where the report covers it (a heading or an item), or None.

    >>> part_evidence({"sections": [{"id": "s1", "kind": "problems", "level": 1, "heading": "存在问题",
    ...                              "start": 0}], "measures": [], "problems": [], "plans": []})["problems"]["how"]
    'heading'
    """
    rules = supervision_rules()["parts"]
    out = {}
    for part in PARTS:
        rule = rules[part]
        out[part] = (_heading_evidence(extraction, part, rule["heading_cues"])
                     or _text_evidence(extraction, part, rule["text_cues"]))
    return out


def report_parts(extraction: dict) -> dict[str, bool]:
    """``{"measures": bool, "problems": bool, "first_responsible": bool, "plans": bool}`` of an extraction JSON."""
    return {part: found is not None for part, found in part_evidence(extraction).items()}
