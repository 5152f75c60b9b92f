"""The comparisons across reports as RDF, for the corpus graph.

:func:`comparisons_ntriples` turns the ``corpus.json`` object (:mod:`kg.compare.summary`)
into N-Triples: series and their members (``fz:nextReport`` between consecutive
years), year-on-year checks with the three metrics they join, plans
``fz:carriedOutBy`` measures and problems ``fz:recursAs`` problems (each qualified by
a ``fz:ScoredLink`` with its score and shared terms), the required parts each report
covers or lacks, and its publication deadline and days after it. The terms are in
``ontology/kg.ttl``; items and metrics are the report graphs' own nodes
(the same IRIs), so the corpus graph joins the reports' graphs.

>>> summary = {"reports": [{"id": "a", "year": 2023, "published": "2024-05-02", "days_after_deadline": 31,
...            "parts": {"measures": True, "problems": True, "first_responsible": False, "plans": True}}],
...            "series": [], "yoy_checks": [], "follow_through": [], "recurring_problems": []}
>>> print(comparisons_ntriples(summary, "http://x.org/").splitlines()[0])
<http://x.org/a> <http://example.org/fzzf#coversPart> <http://example.org/fzzf#partMeasures> .
"""
from __future__ import annotations

import datetime as dt

from kg.rdf.namespaces import CORPUS_PATH, FZ, PROV, RDF, RDFS, XSD
from kg.rdf.triples import division_iri, indicator_iri, iri_part, node_iri, report_iri

__all__ = ["comparisons_ntriples", "write_comparisons"]

_PART = {"measures": "partMeasures", "problems": "partProblems", "first_responsible": "partFirstResponsible",
         "plans": "partPlans"}
_TYPE, _LABEL = f"<{RDF.type}>", f"<{RDFS.label}>"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _iri(value: str) -> str:
    return f"<{value}>"


def _fz(name: str) -> str:
    return _iri(FZ[name])


def _text(value: str, lang: str | None = None) -> str:
    literal = '"' + str(value).translate(_ESCAPES) + '"'
    return f"{literal}@{lang}" if lang else literal


def _decimal(value) -> str:
    text = format(round(float(value), 6), "f").rstrip("0").rstrip(".")
    return f'"{text if "." in text else text + ".0"}"^^<{XSD.decimal}>'


def _typed(value, datatype) -> str:
    return f'"{value}"^^<{datatype}>'


class _Writer:
    def __init__(self, base: str, sink) -> None:
        self.base, self.sink = base, sink

    def add(self, s: str, p: str, o: str) -> None:
        self.sink(f"{s} {p} {o} .")

    def report(self, report_id: str) -> str:
        return _iri(report_iri(self.base, report_id))

    def node(self, report_id: str, local_id: str) -> str:
        return _iri(node_iri(self.base, report_id, local_id))

    def corpus(self, *parts: str) -> str:
        return _iri(self.base + CORPUS_PATH + "/".join(iri_part(p) for p in parts))

    def scored(self, relation: str, source: str, target: str, row: dict, ids: tuple[str, ...]) -> None:
        link = self.corpus("link", relation, *ids)
        self.add(source, _fz(relation), target)
        # Not a fz:ScoredLink: that class's shape wants both ends typed in the same graph, and these
        # ends are items of two reports' graphs.
        self.add(link, _TYPE, _fz("ComparisonLink"))
        self.add(link, _fz("linkSource"), source)
        self.add(link, _fz("linkTarget"), target)
        self.add(link, _fz("linkRelation"), _fz(relation))
        self.add(link, _fz("score"), _decimal(row["score"]))
        self.add(link, _fz("method"), _text("idf-weighted Dice of shared terms and entities over the series"))
        for term in [*row.get("terms", []), *row.get("entities", [])]:
            self.add(link, _fz("sharedTerm"), _text(term, "zh"))


def _reports(w: _Writer, summary: dict) -> None:
    from kg.compare.timeliness import publication_deadline

    for entry in summary["reports"]:
        report = w.report(entry["id"])
        for part, present in entry["parts"].items():
            w.add(report, _fz("coversPart" if present else "lacksPart"), _fz(_PART[part]))
        # The entry's level is the one whose deadline applied (kg.compare.timeliness.report_level).
        deadline = publication_deadline({"year": entry.get("year"), "department": entry.get("department"),
                                         "division": {"level": entry.get("level")}})
        if isinstance(deadline, dt.date):
            w.add(report, _fz("publicationDeadline"), _typed(deadline.isoformat(), XSD.date))
        if entry.get("days_after_deadline") is not None:
            w.add(report, _fz("daysAfterDeadline"), _typed(int(entry["days_after_deadline"]), XSD.integer))


def _series(w: _Writer, summary: dict) -> None:
    years = {r["id"]: r.get("year") for r in summary["reports"]}
    for series in summary["series"]:
        key = [series.get("division_code") or series["jurisdiction"]] + (
            [series["department"]] if series.get("department") else [])
        node = w.corpus("series", *key)
        w.add(node, _TYPE, _fz("Series"))
        label = series["jurisdiction"] + (f" {series['department']}" if series.get("department") else "")
        w.add(node, _LABEL, _text(label, "zh"))
        if series.get("division_code"):
            w.add(node, _fz("division"), _iri(division_iri(series["division_code"])))
        for member in series["reports"]:
            w.add(node, _fz("seriesMember"), w.report(member))
        for earlier, later in zip(series["reports"], series["reports"][1:]):
            if isinstance(years.get(earlier), int) and years.get(later) == years[earlier] + 1:
                w.add(w.report(earlier), _fz("nextReport"), w.report(later))


def _yoy(w: _Writer, summary: dict) -> None:
    for row in summary["yoy_checks"]:
        later = row["later"]
        node = w.corpus("yoy", later["report"], later["metric"])
        w.add(node, _TYPE, _fz("YearOnYearCheck"))
        w.add(node, _fz("laterMetric"), w.node(later["report"], later["metric"]))
        w.add(node, _fz("laterValue"), w.node(later["report"], row["later_value"]["metric"]))
        w.add(node, f"<{PROV.wasDerivedFrom}>", w.report(later["report"]))
        if row.get("earlier"):
            w.add(node, _fz("earlierMetric"), w.node(row["earlier"]["report"], row["earlier"]["metric"]))
            w.add(node, f"<{PROV.wasDerivedFrom}>", w.report(row["earlier"]["report"]))
        if row.get("indicator"):
            w.add(node, _fz("indicator"), _iri(indicator_iri(row["indicator"])))
        w.add(node, _fz("yoyStatus"), _text(row["status"]))
        w.add(node, _fz("statedChange"), _decimal(row["stated_change"]))
        for name, key in (("impliedPrevious", "implied_previous"), ("statedPrevious", "stated_previous")):
            if row.get(key) is not None:
                w.add(node, _fz(name), _decimal(row[key]))
        if row.get("reading"):
            w.add(node, _fz("changeReading"), _text(row["reading"]))
        if row.get("reason"):
            w.add(node, _fz("method"), _text(row["reason"]))
        w.add(node, _LABEL, _text(f"year-on-year check: {row['status']}", "en"))


def _links(w: _Writer, summary: dict) -> None:
    for row in summary["follow_through"]:
        plan_ref = row["plan"]
        plan = w.node(plan_ref["report"], plan_ref["plan"])
        node = w.corpus("follow", plan_ref["report"], plan_ref["plan"])
        w.add(node, _TYPE, _fz("FollowThrough"))
        w.add(node, _fz("ofPlan"), plan)
        w.add(node, _fz("followStatus"), _text(row["status"]))
        for measure in row["measures"]:
            w.scored("carriedOutBy", plan, w.node(measure["report"], measure["measure"]), measure,
                     (plan_ref["report"], plan_ref["plan"], measure["report"], measure["measure"]))
    for row in summary["recurring_problems"]:
        old, new = row["earlier"], row["later"]
        w.scored("recursAs", w.node(old["report"], old["problem"]), w.node(new["report"], new["problem"]), row,
                 (old["report"], old["problem"], new["report"], new["problem"]))


def comparisons_ntriples(summary: dict, base: str) -> str:
    """N-Triples of the cross-report results of ``summary`` (the ``corpus.json`` object), sorted."""
    lines: set[str] = set()
    _write_all(_Writer(base, lines.add), summary)
    return "".join(line + "\n" for line in sorted(lines))


def write_comparisons(summary: dict, base: str, handle) -> None:
    """The statements of :func:`comparisons_ntriples` into a binary file as they are made, unsorted and
    some repeated (a build sorts them with the rest of the corpus graph: a corpus's are millions)."""
    _write_all(_Writer(base, lambda line: handle.write(line.encode("utf-8") + b"\n")), summary)


def _write_all(writer: _Writer, summary: dict) -> None:
    _reports(writer, summary)
    _series(writer, summary)
    _yoy(writer, summary)
    _links(writer, summary)
