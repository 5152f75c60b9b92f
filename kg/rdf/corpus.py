"""The corpus graph: what is said once for all reports rather than in each report's graph.

From the extraction JSON of the reports (``OUT/extractions/<id>.json``):

* every division a report or a body belongs to, with ``skos:broader`` up to its province;
* the shared government bodies (their normalised name, their division), documents (their
  title, the document a local plan implements) and mechanism and activity concepts;
* the indicators and matters the reports' metrics map to (labels, definition, unit).

The build stores it as one named graph, :data:`CORPUS_GRAPH` under the base, beside
the reports' graphs. Output is sorted, so the same reports give the same text.

>>> from kg.pipeline import extract
>>> from kg.resources import bundled_report
>>> text = corpus_ntriples([extract(bundled_report()).to_contract()], "http://x.org/")
>>> "<http://example.org/fzzf/division/410928000000> <http://www.w3.org/2004/02/skos/core#broader>" in text
True
"""
from __future__ import annotations

from collections.abc import Iterable

from kg.rdf.namespaces import CORPUS_PATH, DCTERMS, FZ, INDICATOR, QB, RDF, RDFS, SKOS
from kg.rdf.triples import division_iri, indicator_dataset_iri, shared_iri

__all__ = ["corpus_ntriples", "corpus_graph_iri", "title_grams", "CORPUS_GRAPH"]

CORPUS_GRAPH = CORPUS_PATH + "graph"
_SCHEMES = {"mechanism": str(FZ.MechanismScheme), "activity": str(FZ.ActivityScheme)}


def corpus_graph_iri(base: str) -> str:
    return base + CORPUS_GRAPH


# IRIs as text, looked up once: a closed namespace's attribute access is slow enough to show per report.
_TYPE, _LABEL, _PREF_LABEL, _IN_SCHEME, _BROADER, _NOTATION, _DEFINITION, _TOP_CONCEPT_OF, _TITLE, _CONCEPT = (
    str(term) for term in (RDF.type, RDFS.label, SKOS.prefLabel, SKOS.inScheme, SKOS.broader, SKOS.notation,
                           SKOS.definition, SKOS.topConceptOf, DCTERMS.title, SKOS.Concept))
_FZ = {name: str(FZ[name]) for name in (
    "Body", "Division", "DivisionScheme", "Document", "Indicator", "IndicatorScheme", "adminLevel", "division",
    "divisionCode", "implements", "indicatorStructure", "indicatorUnit", "titleGram")}


def title_grams(title: str) -> list[str]:
    """The pairs of neighbouring characters of a title, in order (repeats kept).

    The corpus graph states each (``fz:titleGram``) for every shared document: a question
    for the reports that cite a title finds its candidates by three of them, in the
    store's indexes, instead of reading the titles of every document of the corpus
    (at 10,000 reports, 45,000 titles: half a second).

    >>> title_grams("法治纲要")
    ['法治', '治纲', '纲要']
    """
    return [title[at:at + 2] for at in range(len(title) - 1)]


def _lit(value: str, lang: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


class _Lines:
    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.add(f"<{s}> <{p}> {o} .")

    def text(self) -> str:
        return "".join(line + "\n" for line in sorted(self.lines))


def _divisions(out: _Lines, codes: Iterable[str]) -> None:
    from kg.identity.divisions import division_table

    table = division_table()
    for code in sorted(set(codes)):
        for row in table.chain(code):
            node = division_iri(row.code)
            out.add(node, _TYPE, f"<{_FZ['Division']}>")
            out.add(node, _IN_SCHEME, f"<{_FZ['DivisionScheme']}>")
            out.add(node, _PREF_LABEL, _lit(row.name, "zh"))
            out.add(node, _LABEL, _lit(row.name, "zh"))
            out.add(node, _FZ["divisionCode"], _lit(row.code))
            out.add(node, _FZ["adminLevel"], _lit(row.level))
            if row.parent:
                out.add(node, _BROADER, f"<{division_iri(row.parent)}>")
            else:
                out.add(node, _TOP_CONCEPT_OF, f"<{_FZ['DivisionScheme']}>")


def _shared(out: _Lines, base: str, entity: dict, codes: set[str]) -> None:
    from kg.identity.identity import document_key, shared_name

    key = entity["shared_key"]
    kind = key.split("/", 1)[0]
    node, name = shared_iri(base, key), shared_name(key)
    if kind == "body":
        code = key.split("/", 2)[1]
        codes.add(code)
        out.add(node, _TYPE, f"<{_FZ['Body']}>")
        out.add(node, _FZ["division"], f"<{division_iri(code)}>")
    elif kind == "document":
        out.add(node, _TYPE, f"<{_FZ['Document']}>")
        out.add(node, _TITLE, _lit(name, "zh"))
        for gram in title_grams(name):
            out.add(node, _FZ["titleGram"], _lit(gram))
        from kg.identity.names import inner_titles

        for inner in inner_titles("《" + entity["label"] + "》"):
            out.add(node, _FZ["implements"], f"<{shared_iri(base, document_key(inner))}>")
            _shared(out, base, {"shared_key": document_key(inner), "label": inner}, codes)
    elif kind in _SCHEMES:
        out.add(node, _TYPE, f"<{_CONCEPT}>")
        out.add(node, _IN_SCHEME, f"<{_SCHEMES[kind]}>")
    elif kind == "division":
        codes.add(key.split("/", 1)[1])
        return
    out.add(node, _PREF_LABEL, _lit(name, "zh"))
    out.add(node, _LABEL, _lit(name, "zh"))


def _indicators(out: _Lines, used: set[str]) -> None:
    from kg.identity.indicators import indicator_scheme

    scheme = indicator_scheme()
    matters: set[str] = set()
    for indicator_id in sorted(used):
        indicator = scheme.get(indicator_id)
        if indicator is None:
            continue
        node = indicator.iri
        out.add(node, _TYPE, f"<{_FZ['Indicator']}>")
        out.add(node, _TYPE, f"<{_CONCEPT}>")
        out.add(node, _IN_SCHEME, f"<{_FZ['IndicatorScheme']}>")
        out.add(node, _NOTATION, _lit(indicator.id))
        out.add(node, _PREF_LABEL, _lit(indicator.label, "zh"))
        out.add(node, _PREF_LABEL, _lit(indicator.label_en, "en"))
        out.add(node, _LABEL, _lit(indicator.label, "zh"))
        out.add(node, _DEFINITION, _lit(indicator.definition, "zh"))
        out.add(node, _DEFINITION, _lit(indicator.definition_en, "en"))
        out.add(node, _FZ["indicatorUnit"], f"<{indicator.unit}>")
        out.add(node, _BROADER, f"<{indicator.matter}>")
        matters.add(indicator.matter)
    for matter in sorted(matters):
        notation = matter.removeprefix(str(INDICATOR))
        out.add(matter, _TYPE, f"<{_CONCEPT}>")
        out.add(matter, _IN_SCHEME, f"<{_FZ['IndicatorScheme']}>")
        out.add(matter, _NOTATION, _lit(notation))


def corpus_ntriples(extraction_jsons: Iterable[dict], base: str) -> str:
    """The corpus graph of these reports' extraction JSON, as N-Triples text (sorted lines)."""
    out = _Lines()
    codes: set[str] = set()
    used: set[str] = set()
    for contract in extraction_jsons:
        division = (contract.get("report") or {}).get("division")
        if division and division.get("code"):
            codes.add(division["code"])
        for entity in contract.get("entities", []):
            if entity.get("shared_key"):
                _shared(out, base, entity, codes)
        for metric in contract.get("metrics", []):
            if metric.get("indicator"):
                used.add(metric["indicator"])
    _divisions(out, codes)
    _indicators(out, used)
    if used:
        dataset = indicator_dataset_iri(base)
        out.add(dataset, _TYPE, f"<{QB.DataSet}>")
        out.add(dataset, str(QB.structure), f"<{_FZ['indicatorStructure']}>")
    return out.text()
