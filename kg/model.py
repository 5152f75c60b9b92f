"""The typed intermediate model between extraction and RDF.

Every stage before :mod:`kg.rdf` produces these dataclasses and every stage
after it reads them; neither side imports the other's libraries (spaCy on
one side, rdflib/pyoxigraph on the other).

All offsets are Python ``str`` indices into :attr:`Extraction.text` (the file
as decoded, BOM removed, line endings kept), end exclusive, so that
``text[start:end] == span.text`` always holds.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Span", "Division", "ReportMeta", "Section", "Item", "Metric", "Check", "Mention",
    "Entity", "Merge", "Relation", "Link", "Gaps", "Extraction",
    "SECTION_KINDS", "ITEM_KINDS", "ENTITY_TYPES",
]

SECTION_KINDS = ("achievements", "problems", "plans", "other")
ITEM_KINDS = ("measure", "problem", "plan")
ENTITY_TYPES = ("Agency", "Mechanism", "Activity", "PolicyDocument", "Place")


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the source text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, source: str, start: int, end: int) -> "Span":
        return cls(start, end, source[start:end])


@dataclass
class Division:
    """An administrative division of the GB/T 2260 table (``code`` has 12 digits).

    ``path`` names the chain from the province down to this division, ``codes``
    their codes. ``level`` is province, city, county or township (a township or
    street office that the table lacks gets its county's code).
    """

    code: str
    name: str
    level: str
    path: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass
class ReportMeta:
    """What the report says about itself, and where it came from.

    The file's own statements (a web page's ``<meta>`` tags, a Word document's
    properties) come first; what the text says fills the rest
    (:mod:`kg.extraction.metadata`).
    """

    id: str
    source: str  # file name the text was read from
    encoding: str
    sha256: str  # of the file's bytes
    title: str | None = None
    title_span: Span | None = None
    jurisdiction: str | None = None
    department: str | None = None  # a department that reports on itself (…局, …委员会)
    year: int | None = None
    published: str | None = None  # ISO 8601 date or date-time
    published_span: Span | None = None
    format: str = "text"  # text, html, docx, pdf
    url: str | None = None  # where the file was fetched from
    fetched: str | None = None  # when (ISO 8601, UTC)
    site: str | None = None  # the publishing web site or source named by the file
    script: str = "simplified"  # "traditional" when the text is written in traditional characters
    division: Division | None = None


@dataclass
class Section:
    """A top-level (一、二、…) or sub-level ((一)…) heading and the text it governs."""

    id: str
    kind: str  # one of SECTION_KINDS
    level: int  # 1 for 一、, 2 for (一), 3 for 1. …
    heading: Span
    start: int  # from the heading to the next heading of the same or higher level
    end: int
    body_start: int  # where the text under the heading begins
    parent: str | None = None


@dataclass
class Item:
    """A Measure, Problem or Plan: one reported action/result, admitted problem or plan.

    ``span`` excludes the enumeration marker (``一是``, ``1.``); ``title`` is the
    item's own heading or first clause when it has one.
    """

    id: str
    kind: str  # one of ITEM_KINDS
    span: Span
    section: str | None = None  # id of the innermost Section
    group: str | None = None  # heading text of the sub-section (measure group / problem area)
    group_id: str | None = None
    title: Span | None = None
    terms: list[str] = field(default_factory=list)  # content words (kg.extraction.link), for comparisons


@dataclass
class Metric:
    """One reported quantity, normalised (万/亿 folded into ``value``, bare unit)."""

    id: str
    span: Span
    value: float
    unit: str
    approx: bool
    kind: str  # count, rate, change, amount, average, …
    subject: str
    period: str | None = None
    subject_span: Span | None = None
    item: str | None = None  # id of the Measure/Problem/Plan it comes from
    about: list[str] = field(default_factory=list)  # entity ids it measures
    part_of: str | None = None  # id of the count it is a part of (败诉1件 of 62件)
    change_of: str | None = None  # id of the metric whose 同比 change this is
    derived: bool = False  # computed by us, not stated (previous year's value)
    derived_from: str | None = None
    clause: Span | None = None  # the clause stating it: where attach_entities looks for entities
    reading: str | None = None  # a change in % of a rate in %: "points", "relative" or "ambiguous"
    reading_why: str | None = None  # the figures that decided it
    indicator: str | None = None  # id of a concept of the indicator scheme (ontology/indicators.ttl)
    indicator_method: str | None = None  # how the mapping was made
    indicator_confidence: float | None = None


@dataclass
class Check:
    """An arithmetic check of a stated rate against the counts it comes from."""

    id: str
    kind: str  # e.g. "rate"
    status: str  # "consistent" | "inconsistent"
    metrics: list[str]  # the rate first, then numerator and denominator
    stated: float
    computed: float
    method: str = ""


@dataclass(frozen=True, order=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass
class Merge:
    """Why a surface form was folded into an entity (``rule`` names the rule)."""

    label: str
    rule: str


@dataclass
class Entity:
    id: str  # stable within the report, derived from type + canonical key
    type: str  # one of ENTITY_TYPES
    label: str  # preferred label (zh)
    mentions: list[Mention] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    key: str | None = None  # canonical id from a pattern file, if any
    level: str | None = None  # Place: province, city, county, township, …
    issuer: str | None = None  # PolicyDocument: entity id of the issuing agency
    shared_key: str | None = None  # identity across reports (kg.identity.identity); None: this report's own
    implements: str | None = None  # PolicyDocument: entity id of the document it carries out


@dataclass
class Relation:
    """A typed edge between two model nodes, with the clause that states it."""

    source: str
    relation: str  # mentions, organizes, issues, establishes, locatedIn, …
    target: str
    evidence: Span | None = None


@dataclass
class Link:
    """A scored analytical link such as plan ``addresses`` problem."""

    source: str
    target: str
    relation: str  # addresses | works_on | …
    score: float
    method: str = ""
    components: dict[str, float] = field(default_factory=dict)


@dataclass
class Gaps:
    problems_without_plan: list[str] = field(default_factory=list)
    plans_without_problem: list[str] = field(default_factory=list)
    groups_without_plan: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    """Everything extracted from one report."""

    report: ReportMeta
    text: str
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    gaps: Gaps = field(default_factory=Gaps)
    warnings: list[str] = field(default_factory=list)

    def items_of(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    @property
    def measures(self) -> list[Item]:
        return self.items_of("measure")

    @property
    def problems(self) -> list[Item]:
        return self.items_of("problem")

    @property
    def plans(self) -> list[Item]:
        return self.items_of("plan")

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of ``kg extract`` (see the contract), plus extra fields."""
        meta = self.report
        return {
            "report": {
                "id": meta.id, "title": meta.title, "jurisdiction": meta.jurisdiction,
                "year": meta.year, "published": meta.published, "source": meta.source,
                "encoding": meta.encoding, "sha256": meta.sha256,
                "division": asdict(meta.division) if meta.division else None,
                "department": meta.department, "format": meta.format, "url": meta.url,
                "fetched": meta.fetched, "site": meta.site, "script": meta.script,
            },
            "metrics": [_metric_json(m) for m in self.metrics],
            "entities": [_entity_json(e) for e in self.entities],
            "measures": [_item_json(i, "group") for i in self.measures],
            "problems": [_item_json(i, "area") for i in self.problems],
            "plans": [_item_json(i, None) for i in self.plans],
            "sections": [
                {"id": s.id, "kind": s.kind, "level": s.level, "heading": s.heading.text,
                 "start": s.start, "end": s.end, "parent": s.parent}
                for s in self.sections
            ],
            "relations": [
                {"source": r.source, "relation": r.relation, "target": r.target,
                 **({"start": r.evidence.start, "end": r.evidence.end} if r.evidence else {})}
                for r in self.relations
            ],
            "links": [
                {"source": l.source, "target": l.target, "relation": l.relation,
                 "score": round(l.score, 4), "method": l.method,
                 "components": {k: round(v, 4) for k, v in sorted(l.components.items())}}
                for l in self.links
            ],
            "gaps": asdict(self.gaps),
            "checks": [asdict(c) for c in self.checks],
            "warnings": list(self.warnings),
        }


def _metric_json(m: Metric) -> dict[str, Any]:
    value: float | int = int(m.value) if float(m.value).is_integer() else m.value
    out: dict[str, Any] = {
        "id": m.id, "start": m.span.start, "end": m.span.end, "text": m.span.text,
        "value": value, "unit": m.unit, "approx": m.approx, "kind": m.kind,
        "subject": m.subject, "period": m.period, "item": m.item, "about": m.about,
        "part_of": m.part_of, "change_of": m.change_of,
    }
    if m.derived:
        out["derived"] = True
        out["derived_from"] = m.derived_from
    if m.reading:
        out["reading"] = m.reading
        out["reading_why"] = m.reading_why
    if m.indicator:
        out["indicator"] = m.indicator
        out["indicator_method"] = m.indicator_method
        out["indicator_confidence"] = m.indicator_confidence
    return out


def _entity_json(e: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id, "type": e.type, "label": e.label,
        "mentions": [{"start": m.start, "end": m.end} for m in e.mentions],
        "alt_labels": e.alt_labels,
        "merges": [asdict(m) for m in e.merges],
    }
    if e.level:
        out["level"] = e.level
    if e.issuer:
        out["issuer"] = e.issuer
    if e.shared_key:
        out["shared_key"] = e.shared_key
    if e.implements:
        out["implements"] = e.implements
    return out


def _item_json(i: Item, group_key: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "start": i.span.start, "end": i.span.end, "text": i.span.text}
    if group_key:
        out[group_key] = i.group
    if i.title is not None:
        out["title"] = i.title.text
    if i.terms:
        out["terms"] = i.terms
    return out
