"""``kg validate``: does a graph conform to ``ontology/shapes.ttl`` and pass ``ontology/checks/``?

Each named graph (a report) is validated on its own, read from the file as a
stream (:func:`kg.rdf.load.named_graphs`), so memory holds one report at a
time however large the corpus. The shapes run in pySHACL with the ontology
mixed in (so ``sh:class`` sees ``rdfs:subClassOf``); the checks are SPARQL
queries that must return nothing, run in pyoxigraph because they compare
every span with the source text. ``report=ID`` validates that report only.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg import iris
from kg.errors import InputError
from kg.rdf.load import named_graphs, resolve_graph
from kg.resources import ontology_dir, ontology_file, shapes_file

__all__ = ["validate", "Validation", "run_checks"]

_IDENTIFIER = iris.DCTERMS + "identifier"
_TYPE = iris.RDF + "type"
_REPORT = iris.FZ + "Report"
_STRING = iris.XSD + "string"


@dataclass
class Validation:
    conforms: bool
    text: str  # pySHACL's report and the failed checks of each graph that fails, for people
    violations: int
    failed_checks: dict[str, int] = field(default_factory=dict)  # check name → rows returned, over all graphs
    graphs: int = 0  # how many graphs were validated
    failing: dict[str, int] = field(default_factory=dict)  # graph (its IRI, or "default graph") → violations


def _checks() -> list[tuple[str, str]]:
    return [(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted((ontology_dir() / "checks").glob("*-violation.rq"))]


def run_checks(graph_path: str | Path) -> dict[str, int]:
    """Run every ``ontology/checks/*-violation.rq`` over each graph; return the ones that found something."""
    failed: dict[str, int] = {}
    checks = _checks()
    for _, triples in named_graphs(graph_path):
        for name, rows in _run_checks_on(triples, checks).items():
            failed[name] = failed.get(name, 0) + rows
    return failed


def _run_checks_on(triples: list, checks: list[tuple[str, str]]) -> dict[str, int]:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    found = {}
    for name, query in checks:
        rows = sum(1 for _ in store.query(query))
        if rows:
            found[name] = rows
    return found


def _report_ids(triples: list) -> set[str]:
    reports = {t.subject for t in triples if t.predicate.value == _TYPE and getattr(t.object, "value", "") == _REPORT}
    return {t.object.value for t in triples if t.predicate.value == _IDENTIFIER and t.subject in reports}


def _rdflib_term(term):
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == _STRING else Literal(term.value, datatype=URIRef(datatype))


def _shacl(triples: list, shapes, ontology) -> tuple[bool, str, int]:
    from pyshacl import validate as shacl
    from rdflib import Graph
    from rdflib.namespace import SH

    data = Graph()
    for triple in triples:  # term by term: twice as fast as writing and parsing N-Triples
        data.add((_rdflib_term(triple.subject), _rdflib_term(triple.predicate), _rdflib_term(triple.object)))
    for statement in ontology:  # so that sh:class sees rdfs:subClassOf
        data.add(statement)
    conforms, report_graph, text = shacl(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                         inplace=True)  # the graph is ours: no copy
    violations = len(set(report_graph.subjects(predicate=SH.resultSeverity, object=SH.Violation)))
    return bool(conforms), text, violations


def validate(graph_path: str | Path, report: str | None = None,
             progress: Callable[[str], None] | None = None) -> Validation:
    """Validate a built graph, one named graph at a time (or only REPORT's), against the shapes and checks.

    ``progress`` is told each graph's name as it is validated.
    """
    from rdflib import Graph

    path = resolve_graph(graph_path)
    shapes = Graph().parse(shapes_file(), format="turtle")
    ontology = Graph().parse(ontology_file(), format="turtle")
    checks = _checks()
    result = Validation(conforms=True, text="", violations=0)
    parts, seen_ids = [], []
    for name, triples in named_graphs(path):
        ids = _report_ids(triples)
        seen_ids.extend(sorted(ids))
        if report is not None and report not in ids:
            continue
        label = name or "default graph"
        if progress:
            progress(label)
        conforms, text, violations = _shacl(triples, shapes, ontology)
        failed = _run_checks_on(triples, checks)
        result.graphs += 1
        for check, rows in failed.items():
            result.failed_checks[check] = result.failed_checks.get(check, 0) + rows
            text += f"\nCheck {check} failed: {rows} result(s)."
        if not conforms or failed:
            result.conforms = False
            result.violations += violations
            result.failing[label] = violations + sum(failed.values())
            parts.append(f"Graph {label}:\n{text.strip()}")
    if report is not None and not result.graphs:
        shown = ", ".join(seen_ids[:10]) + (", …" if len(seen_ids) > 10 else "")
        raise InputError(f"{path}: no report {report!r} in this graph" + (f" (it holds {shown})" if shown else ""))
    result.text = "\n\n".join(parts) if parts else f"Conforms: {result.graphs} graph(s) validated."
    return result
