"""Stage 4, RDF: the typed model → statements in our ontology.

Statements are written straight to N-Triples text: term objects cost more than
the whole extraction (see ``bench/``), and N-Triples is the exchange format that
both pyoxigraph (fast loading and serialising) and rdflib (:func:`to_graph`)
read. The order of statements follows the model, so output is deterministic.

IRIs are ``BASE + report id + "/" + local id``; local ids come from the model
(positions, spans, canonical entity keys), never from a run counter.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import BinaryIO
from urllib.parse import quote

from kg.errors import InputError
from kg.model import Extraction, Span
from kg.rdf.namespaces import (CONCEPT, CORPUS_PATH, DCTERMS, DIVISION, FZ, INDICATOR, KIND, OA, PROV, QB, RDF, RDFS,
                               SKOS, UNIT, XSD)

__all__ = ["to_ntriples", "write_ntriples", "to_graph", "report_iri", "graph_iri", "node_iri", "iri_part", "check_base",
           "shared_iri", "division_iri", "indicator_iri", "indicator_dataset_iri", "FILE_FORMATS"]

_ITEM_CLASS = {"measure": FZ.Measure, "problem": FZ.Problem, "plan": FZ.Plan}
_ENTITY_CLASS = {
    "Agency": FZ.Agency, "Mechanism": FZ.Mechanism, "Activity": FZ.Activity,
    "PolicyDocument": FZ.PolicyDocument, "Place": FZ.Place,
}
_LINK_PROPERTY = {"addresses": FZ.addresses, "works_on": FZ.worksOn}
_GAP_LABEL = {
    "problems_without_plan": "problem-without-plan",
    "plans_without_problem": "plan-without-problem",
    "groups_without_plan": "group-without-plan",
}
# No oa:prefix/oa:suffix on the quote selectors: the position selector already says which
# occurrence is meant and the report's whole text is in the graph, while the two would add a
# twelfth of every report's statements (and of the store's load time) for nothing.


@lru_cache(maxsize=1 << 16)
def iri_part(text: str) -> str:
    """Make text safe inside an IRI path (RFC 3987): letters of other scripts kept, so that
    ``…/agency/县法院`` stays readable; ASCII delimiters, spaces, controls and every code
    point outside RFC 3987's ``ucschar`` (U+FFFD, private use, noncharacters, tags and
    variation selectors) %-encoded as UTF-8.

    >>> iri_part("县法院/一审 %")
    '县法院/一审%20%25'
    >>> iri_part("agency/court-1(试行)"), iri_part("\ufffd")
    ('agency/court-1%28试行%29', '%EF%BF%BD')
    """
    return _MAY_NEED_QUOTING.sub(_quote_char, text)


# Characters that are certainly kept (unreserved ASCII, the path's "/", common CJK) are
# skipped by the regex; only the others are looked at one by one.
_MAY_NEED_QUOTING = re.compile(r"[^A-Za-z0-9/\-_.~\u4e00-\u9fff]")
# RFC 3987 ucschar: the non-ASCII code points an IRI may hold unencoded.
_UCSCHAR = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF),
            *((plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)), (0xE1000, 0xEFFFD))


def _keeps(c: str) -> bool:
    code = ord(c)
    return c.isprintable() and not c.isspace() and any(low <= code <= high for low, high in _UCSCHAR)


def _quote_char(match: re.Match) -> str:
    c = match.group()
    return c if not c.isascii() and _keeps(c) else quote(c, safe="/-_.~")


def check_base(base: str) -> None:
    """A base IRI must be absolute and end where a local name can follow."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+[/#]$", base):
        raise InputError(f"--base {base!r}: not an absolute IRI ending in '/' or '#' "
                         "(for example http://example.org/data/)")


def report_iri(base: str, report_id: str) -> str:
    return base + iri_part(report_id)


def graph_iri(base: str, report_id: str) -> str:
    """The named graph that holds one report's statements."""
    return report_iri(base, report_id) + "/graph"


def node_iri(base: str, report_id: str, local_id: str) -> str:
    return report_iri(base, report_id) + "/" + iri_part(local_id)


def shared_iri(base: str, key: str) -> str:
    """The IRI of a shared key (:mod:`kg.identity.identity`): the same in every report's graph.

    Bodies and documents are data (``BASE + "corpus/body/…"``); mechanisms and activities
    are concepts, divisions are divisions, each in a namespace of its own.

    >>> shared_iri("http://x.org/", "body/410928000000/濮阳县人民法院")
    'http://x.org/corpus/body/410928000000/濮阳县人民法院'
    >>> shared_iri("http://x.org/", "mechanism/府院联动机制"), shared_iri("http://x.org/", "division/410928000000")
    ('http://example.org/fzzf/concept/mechanism/府院联动机制', 'http://example.org/fzzf/division/410928000000')
    """
    kind, _, rest = key.partition("/")
    if kind in ("mechanism", "activity"):
        return f"{CONCEPT}{kind}/{iri_part(rest)}"
    if kind == "division":
        return division_iri(rest)
    return base + CORPUS_PATH + iri_part(key)


def division_iri(code: str) -> str:
    return f"{DIVISION}{code}"


def indicator_iri(indicator_id: str) -> str:
    return f"{INDICATOR}{iri_part(indicator_id)}"


def indicator_dataset_iri(base: str) -> str:
    """The one RDF Data Cube data set that every report's indicator observations belong to."""
    return base + CORPUS_PATH + "indicators"


# The model's file formats and their media types (dcterms:format on the source file).
FILE_FORMATS = {"text": "text/plain", "html": "text/html", "pdf": "application/pdf",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _iri(value: str) -> str:
    return f"<{value}>"


class _Bracketed:
    """The ``<iri>`` strings of a closed namespace's terms, computed once.

    Attribute lookups on rdflib's DefinedNamespace are slow enough to show in a build.
    """

    def __init__(self, namespace) -> None:
        for cls in namespace.__mro__:
            for name in getattr(cls, "__annotations__", {}):
                if not name.startswith("_"):
                    self.__dict__.setdefault(name, _iri(namespace[name]))


FZ_, OA_, RDF_, RDFS_, SKOS_, DCTERMS_, PROV_, QB_ = (
    _Bracketed(ns) for ns in (FZ, OA, RDF, RDFS, SKOS, DCTERMS, PROV, QB)
)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _text(value: str, lang: str | None = None) -> str:
    # Most texts hold nothing to escape, and the membership tests are 40 times faster than translate().
    escaped = value.translate(_ESCAPES) if "\\" in value or '"' in value or "\n" in value or "\r" in value else value
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{datatype}>'


def _decimal(value: float) -> str:
    lexical = format(Decimal(repr(float(value))), "f")
    if "." in lexical:
        lexical = lexical.rstrip("0").rstrip(".") or "0"
    return _typed(lexical, _XSD_DECIMAL)


_XSD_DECIMAL = str(XSD.decimal)
_TRUE, _FALSE = (f'"{value}"^^<{XSD.boolean}>' for value in ("true", "false"))
_INTEGER = f"^^<{XSD.integer}>"  # looked up once: a closed namespace's attribute access is slow


def _int(value: int) -> str:
    return f'"{int(value)}"{_INTEGER}'


def _bool(value: bool) -> str:
    return _TRUE if value else _FALSE


class _Statements:
    """N-Triples lines in the order added, handed to ``sink`` some thousands at a time, so that a
    huge report's statements are never all in memory. The builder never states a line twice."""

    def __init__(self, sink: Callable[[str], object]) -> None:
        self.sink = sink
        self.chunks: list[str] = []  # one line each, or a block of whole lines

    def add(self, s: str, p: str, o: str) -> None:
        self.chunks.append(f"{s} {p} {o} .\n")
        if len(self.chunks) >= _CHUNKS_PER_WRITE:
            self.flush()

    def add_block(self, lines: str) -> None:
        self.chunks.append(lines)

    def flush(self) -> None:
        if self.chunks:
            self.sink("".join(self.chunks))
            self.chunks = []


_CHUNKS_PER_WRITE = 4096


def to_ntriples(extraction: Extraction, base: str) -> str:
    """All statements about one report, as N-Triples text (one named graph's content)."""
    parts: list[str] = []
    _Builder(extraction, base, parts.append).build().flush()
    return "".join(parts)


def write_ntriples(extraction: Extraction, base: str, handle: BinaryIO) -> None:
    """The statements of :func:`to_ntriples` written to a binary file as they are made (bounded memory)."""
    _Builder(extraction, base, lambda text: handle.write(text.encode("utf-8"))).build().flush()


def to_graph(extraction: Extraction, base: str):
    """The same statements as an rdflib ``Graph``, for library users."""
    from rdflib import Graph

    from kg.rdf.namespaces import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=to_ntriples(extraction, base), format="nt")
    return graph


class _Builder:
    def __init__(self, extraction: Extraction, base: str, sink: Callable[[str], object]) -> None:
        self.x = extraction
        self.base = base
        self.rid = extraction.report.id
        self.report = _iri(report_iri(base, self.rid))
        self.out = _Statements(sink)
        self.nodes: dict[str, str] = {}  # local id → <iri>
        self.related: set[tuple[str, str, str]] = set()  # entity → entity statements already made
        self._indicator_dataset: str | None = None

    def node(self, local_id: str) -> str:
        iri = self.nodes.get(local_id)
        if iri is None:
            iri = self.nodes[local_id] = _iri(node_iri(self.base, self.rid, local_id))
        return iri

    def evidence(self, node: str, span: Span) -> None:
        """Attach a Web Annotation SpecificResource with position and quote selectors."""
        text = self.x.text
        resource = node[:-1] + f"/ev/{span.start}-{span.end}>"
        position = resource[:-1] + "/pos>"
        quoted = resource[:-1] + "/quote>"
        # One block of lines: a report has hundreds of spans, and a call per statement shows.
        lines = (f"{node} {FZ_.evidence} {resource} .\n"
                 f"{resource} {RDF_.type} {OA_.SpecificResource} .\n"
                 f"{resource} {OA_.hasSource} {self.report} .\n"
                 f"{resource} {OA_.hasSelector} {position} .\n"
                 f"{resource} {OA_.hasSelector} {quoted} .\n"
                 f"{position} {RDF_.type} {OA_.TextPositionSelector} .\n"
                 f"{position} {OA_.start} {_int(span.start)} .\n"
                 f"{position} {OA_.end} {_int(span.end)} .\n"
                 f"{quoted} {RDF_.type} {OA_.TextQuoteSelector} .\n"
                 f"{quoted} {OA_.exact} {_text(span.text)} .\n")
        self.out.add_block(lines)

    def build(self) -> _Statements:
        self._report()
        self._sections()
        self._items()
        self._entities()
        self._metrics()
        self._checks()
        self._relations()
        self._links()
        self._gaps()
        return self.out

    def _report(self) -> None:
        add, meta, r = self.out.add, self.x.report, self.report
        add(r, RDF_.type, FZ_.Report)
        add(r, RDF_.type, PROV_.Entity)
        add(r, DCTERMS_.identifier, _text(meta.id))
        add(r, DCTERMS_.source, _text(meta.source))
        add(r, FZ_.sha256, _text(meta.sha256))
        add(r, FZ_.encoding, _text(meta.encoding))
        add(r, RDFS_.label, _text(meta.title or meta.source, "zh"))
        if meta.title:
            add(r, DCTERMS_.title, _text(meta.title, "zh"))
        if meta.year:
            add(r, FZ_.year, _typed(f"{meta.year:04d}", XSD.gYear))
        if meta.published:
            datatype = XSD.dateTime if "T" in meta.published else XSD.date
            value = meta.published + (":00" if "T" in meta.published and meta.published.count(":") == 1 else "")
            add(r, DCTERMS_.issued, _typed(value, datatype))
        if meta.jurisdiction:
            add(r, FZ_.jurisdiction, self._jurisdiction_place())
        if meta.department:
            for entity in self.x.entities:
                if entity.type == "Agency" and entity.label == meta.department:
                    add(r, DCTERMS_.creator, self.node(entity.id))
                    break
        add(r, FZ_.sourceText, _text(self.x.text))
        self._division_and_file()
        dataset = self.node("dataset")
        add(dataset, RDF_.type, QB_.DataSet)
        add(dataset, QB_.structure, FZ_.metricStructure)
        add(dataset, DCTERMS_.source, r)
        add(dataset, RDFS_.label, _text(f"{meta.title or meta.id} 指标", "zh"))

    def _division_and_file(self) -> None:
        """The report's division (its node's name and code too, so one report's graph reads alone) and its file."""
        meta, r = self.x.report, self.report
        if meta.division is not None:
            division = _iri(division_iri(meta.division.code))
            table_name = meta.division.path[len(meta.division.codes) - 1] if meta.division.codes else meta.division.name
            self.out.add_block(f"{r} {FZ_.division} {division} .\n"
                               f"{division} {RDF_.type} {FZ_.Division} .\n"
                               f"{division} {SKOS_.prefLabel} {_text(table_name, 'zh')} .\n"
                               f"{division} {FZ_.divisionCode} {_text(meta.division.code)} .\n")
        source = self.node("file")
        lines = (f"{r} {PROV_.wasDerivedFrom} {source} .\n"
                 f"{source} {RDF_.type} {FZ_.SourceFile} .\n"
                 f"{source} {FZ_.fileName} {_text(meta.source)} .\n"
                 f"{source} {FZ_.fileFormat} {_text(meta.format)} .\n")
        if meta.format in FILE_FORMATS:
            lines += f"{source} {DCTERMS_.format} {_text(FILE_FORMATS[meta.format])} .\n"
        if meta.sha256:
            lines += f"{source} {FZ_.sha256} {_text(meta.sha256)} .\n"
        if meta.url:
            url = f"{_text(meta.url)}^^<{XSD.anyURI}>"
            lines += f"{r} {FZ_.sourceURL} {url} .\n{source} {FZ_.sourceURL} {url} .\n"
        if meta.fetched:
            lines += f"{source} {PROV_.generatedAtTime} {_typed(meta.fetched, XSD.dateTime)} .\n"
        if meta.site:
            lines += f"{source} {FZ_.site} {_text(meta.site)} .\n"
        self.out.add_block(lines)
        self.out.add(r, FZ_.fileName, _text(meta.source))
        self.out.add(r, FZ_.fileFormat, _text(meta.format))

    def _jurisdiction_place(self) -> str:
        meta = self.x.report
        own_id = "place/" + meta.jurisdiction
        for entity in self.x.entities:  # the same id: the place written in other characters
            if entity.type == "Place" and (entity.label == meta.jurisdiction or entity.id == own_id):
                return self.node(entity.id)
        place = self.node(own_id)
        add = self.out.add
        add(place, RDF_.type, FZ_.Place)
        add(place, RDFS_.label, _text(meta.jurisdiction, "zh"))
        add(place, SKOS_.prefLabel, _text(meta.jurisdiction, "zh"))
        add(place, FZ_.inReport, self.report)
        if meta.title_span and meta.jurisdiction in meta.title_span.text:
            start = meta.title_span.start + meta.title_span.text.index(meta.jurisdiction)
            self.evidence(place, Span.of(self.x.text, start, start + len(meta.jurisdiction)))
        return place

    def _sections(self) -> None:
        add = self.out.add
        for section in self.x.sections:
            node = self.node(section.id)
            add(node, RDF_.type, FZ_.Section)
            add(node, FZ_.inReport, self.report)
            add(node, FZ_.heading, _text(section.heading.text, "zh"))
            add(node, RDFS_.label, _text(section.heading.text, "zh"))
            add(node, FZ_.level, _int(section.level))
            add(node, FZ_.sectionKind, getattr(FZ_, section.kind))
            if section.parent:
                add(node, FZ_.parentSection, self.node(section.parent))
            self.evidence(node, section.heading)

    def _items(self) -> None:
        add = self.out.add
        positions: dict[str, int] = {}
        for item in self.x.items:
            node = self.node(item.id)
            positions[item.kind] = positions.get(item.kind, 0) + 1
            add(node, RDF_.type, _iri(_ITEM_CLASS[item.kind]))
            add(node, FZ_.inReport, self.report)
            add(node, FZ_.text, _text(item.span.text, "zh"))
            label = item.title.text if item.title else item.span.text
            add(node, RDFS_.label, _text(_short(label), "zh"))
            add(node, FZ_.position, _int(positions[item.kind]))
            if item.title:
                add(node, FZ_.title, _text(item.title.text, "zh"))
            if item.section:
                add(node, FZ_.inSection, self.node(item.section))
            if item.group_id:
                add(node, FZ_.inGroup, self.node(item.group_id))
            self.evidence(node, item.span)

    def _entities(self) -> None:
        add = self.out.add
        for entity in self.x.entities:
            node = self.node(entity.id)
            add(node, RDF_.type, _iri(_ENTITY_CLASS[entity.type]))
            add(node, FZ_.inReport, self.report)
            add(node, RDFS_.label, _text(entity.label, "zh"))
            add(node, SKOS_.prefLabel, _text(entity.label, "zh"))
            for alt in dict.fromkeys(entity.alt_labels):
                add(node, SKOS_.altLabel, _text(alt, "zh"))
            if entity.key:
                add(node, FZ_.canonicalKey, _text(entity.key))
            if entity.level:
                add(node, FZ_.adminLevel, _text(entity.level))
            if entity.issuer:
                add(node, FZ_.issuedBy, self.node(entity.issuer))
                add(self.node(entity.issuer), FZ_.issues, node)
                self.related.update({(entity.id, "issuedBy", entity.issuer), (entity.issuer, "issues", entity.id)})
            if entity.type == "PolicyDocument":
                add(node, DCTERMS_.title, _text(entity.label, "zh"))
            for index, merge in enumerate(entity.merges, 1):
                record = node[:-1] + f"/merge/{index}>"
                add(node, FZ_.merge, record)
                add(record, RDF_.type, FZ_.EntityMerge)
                add(record, FZ_.mergedLabel, _text(merge.label, "zh"))
                add(record, FZ_.mergeRule, _text(merge.rule))
            if entity.shared_key:
                self._denotes(node, entity)
            for start, end, text in dict.fromkeys((m.start, m.end, m.text) for m in entity.mentions):
                self.evidence(node, Span(start, end, text))

    def _denotes(self, node: str, entity) -> None:
        """The shared node an entity stands for, and the merge when the names are written differently."""
        from kg.identity.identity import merge_rules, shared_name

        shared = _iri(shared_iri(self.base, entity.shared_key))
        self.out.add(node, FZ_.denotes, shared)
        name = shared_name(entity.shared_key)
        if name == entity.label:
            return
        record = node[:-1] + "/merge/corpus>"
        rule = "; ".join(merge_rules(entity, self.x.report.division)) or "normalised-name"
        self.out.add_block(f"{node} {FZ_.merge} {record} .\n"
                           f"{record} {RDF_.type} {FZ_.EntityMerge} .\n"
                           f"{record} {FZ_.mergedLabel} {_text(entity.label, 'zh')} .\n"
                           f"{record} {FZ_.mergeRule} {_text(rule)} .\n"
                           f"{record} {FZ_.mergedInto} {shared} .\n")

    def _metrics(self) -> None:
        add = self.out.add
        dataset = self.node("dataset")
        units: dict[str, None] = {}
        kinds: dict[str, None] = {}
        for metric in self.x.metrics:
            node = self.node(metric.id)
            add(node, RDF_.type, FZ_.Metric)
            add(node, RDF_.type, QB_.Observation)
            add(node, QB_.dataSet, dataset)
            add(node, FZ_.inReport, self.report)
            add(node, RDFS_.label, _text(metric.span.text, "zh"))
            add(node, FZ_.value, _decimal(metric.value))
            add(node, FZ_.unit, _iri(UNIT[iri_part(metric.unit)]))
            add(node, FZ_.subject, _text(metric.subject, "zh"))
            add(node, FZ_.approximate, _bool(metric.approx))
            add(node, FZ_.metricKind, _iri(KIND[iri_part(metric.kind)]))
            if metric.period:
                add(node, FZ_.period, _text(metric.period, "zh"))
            if metric.item:
                add(node, FZ_.fromItem, self.node(metric.item))
            for entity_id in dict.fromkeys(metric.about):
                add(node, FZ_.about, self.node(entity_id))
            if metric.part_of:
                add(node, FZ_.partOf, self.node(metric.part_of))
            if metric.change_of:
                add(node, FZ_.changeOf, self.node(metric.change_of))
            if metric.indicator:
                self._indicator(node, metric)
            if metric.derived:
                add(node, FZ_.derived, _bool(True))
                if metric.derived_from:
                    add(node, PROV_.wasDerivedFrom, self.node(metric.derived_from))
            self.evidence(node, metric.span)
            units[metric.unit] = None
            kinds[metric.kind] = None
        for unit in units:
            self._concept(_iri(UNIT[iri_part(unit)]), FZ_.Unit, FZ_.UnitScheme, _text(unit, "zh"))
        for kind in kinds:
            self._concept(_iri(KIND[iri_part(kind)]), FZ_.MetricKind, FZ_.MetricKindScheme, _text(kind, "en"))

    def _indicator(self, node: str, metric) -> None:
        """The metric's indicator; with a division and a year, its observation in the corpus's data cube."""
        indicator = _iri(indicator_iri(metric.indicator))
        lines = (f"{node} {FZ_.indicator} {indicator} .\n"
                 f"{node} {FZ_.mappingMethod} {_text(metric.indicator_method or '')} .\n")
        if metric.indicator_confidence is not None:
            lines += f"{node} {FZ_.mappingConfidence} {_decimal(metric.indicator_confidence)} .\n"
        meta = self.x.report
        if meta.division is not None and meta.year:
            observation = node[:-1] + "/obs>"
            lines += (f"{observation} {RDF_.type} {FZ_.IndicatorObservation} .\n"
                      f"{observation} {QB_.dataSet} {self.indicator_dataset} .\n"
                      f"{observation} {FZ_.indicator} {indicator} .\n"
                      f"{observation} {FZ_.refArea} {_iri(division_iri(meta.division.code))} .\n"
                      f"{observation} {FZ_.refYear} {_typed(f'{meta.year:04d}', XSD.gYear)} .\n"
                      f"{observation} {FZ_.indicatorValue} {_decimal(metric.value)} .\n"
                      f"{observation} {FZ_.unit} {_iri(UNIT[iri_part(metric.unit)])} .\n"
                      f"{observation} {FZ_.approximate} {_bool(metric.approx)} .\n"
                      f"{observation} {PROV_.wasDerivedFrom} {node} .\n")  # the metric carries its span
        self.out.add_block(lines)

    @property
    def indicator_dataset(self) -> str:
        if self._indicator_dataset is None:
            self._indicator_dataset = dataset = _iri(indicator_dataset_iri(self.base))
            self.out.add_block(f"{dataset} {RDF_.type} {QB_.DataSet} .\n"
                               f"{dataset} {QB_.structure} {FZ_.indicatorStructure} .\n"
                               f"{dataset} {RDFS_.label} {_text('法治政府建设可比指标', 'zh')} .\n")
        return self._indicator_dataset

    def _concept(self, concept: str, cls: str, scheme: str, label: str) -> None:
        add = self.out.add
        add(concept, RDF_.type, cls)
        add(concept, RDF_.type, SKOS_.Concept)
        add(concept, SKOS_.inScheme, scheme)
        add(concept, SKOS_.prefLabel, label)
        add(concept, RDFS_.label, label)

    def _checks(self) -> None:
        add = self.out.add
        for check in self.x.checks:
            node = self.node(check.id)
            add(node, RDF_.type, FZ_.ArithmeticCheck)
            add(node, FZ_.inReport, self.report)
            add(node, FZ_.checkKind, _text(check.kind))
            add(node, FZ_.checkStatus, _text(check.status))
            add(node, FZ_.statedValue, _decimal(check.stated))
            add(node, FZ_.computedValue, _decimal(check.computed))
            if check.method:
                add(node, FZ_.method, _text(check.method))
            if check.metrics:
                add(node, FZ_.checksMetric, self.node(check.metrics[0]))
                for metric_id in dict.fromkeys(check.metrics[1:]):
                    add(node, FZ_.usesMetric, self.node(metric_id))
            add(node, RDFS_.label, _text(f"{check.kind} check: {check.status}", "en"))

    def _relations(self) -> None:
        for relation in self.x.relations:
            key = (relation.source, relation.relation, relation.target)
            if key not in self.related:  # an issuer is stated with its document already
                self.related.add(key)
                self.out.add(self.node(relation.source), getattr(FZ_, relation.relation),
                             self.node(relation.target))

    def _links(self) -> None:
        add = self.out.add
        for link in self.x.links:
            prop = _LINK_PROPERTY.get(link.relation) or getattr(FZ, link.relation)
            source, target = self.node(link.source), self.node(link.target)
            add(source, _iri(prop), target)
            node = self.node(f"link/{link.source}/{link.relation}/{link.target}")
            add(node, RDF_.type, FZ_.ScoredLink)
            add(node, FZ_.inReport, self.report)
            add(node, FZ_.linkSource, source)
            add(node, FZ_.linkTarget, target)
            add(node, FZ_.linkRelation, _iri(prop))
            add(node, FZ_.score, _decimal(round(link.score, 4)))
            if link.method:
                add(node, FZ_.method, _text(link.method))
            # Provenance: the score is computed from the text of the two items (their fz:evidence).
            add(node, PROV_.wasDerivedFrom, source)
            add(node, PROV_.wasDerivedFrom, target)
            for name, value in sorted(link.components.items()):
                add(node, FZ_.scoreComponent, _text(f"{name}={round(value, 4)}"))

    def _gaps(self) -> None:
        gaps = self.x.gaps
        for field_name, label in _GAP_LABEL.items():
            for local_id in getattr(gaps, field_name):
                self.out.add(self.node(local_id), FZ_.gap, _text(label))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
