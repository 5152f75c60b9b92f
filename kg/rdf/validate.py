"""``kg validate``: does a graph conform to ``ontology/shapes.ttl`` and pass ``ontology/checks/``?

The shapes run in pySHACL with the ontology mixed in (so ``sh:class`` sees
``rdfs:subClassOf``); the checks are SPARQL queries that must return nothing,
run in pyoxigraph because they compare every span with the source text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.rdf.load import load_rdflib, load_store
from kg.resources import ontology_dir, ontology_file, shapes_file

__all__ = ["validate", "Validation", "run_checks"]


@dataclass
class Validation:
    conforms: bool
    text: str  # pySHACL's report and the failed checks, for people
    violations: int
    failed_checks: dict[str, int] = field(default_factory=dict)  # check name → rows returned


def run_checks(graph_path: str | Path) -> dict[str, int]:
    """Run every ``ontology/checks/*-violation.rq``; return the ones that found something."""
    store = load_store(graph_path)
    failed = {}
    for query_file in sorted((ontology_dir() / "checks").glob("*-violation.rq")):
        rows = list(store.query(query_file.read_text(encoding="utf-8"), use_default_graph_as_union=True))
        if rows:
            failed[query_file.stem] = len(rows)
    return failed


def validate(graph_path: str | Path) -> Validation:
    """Validate a built graph (all its named graphs) against the shapes and the checks."""
    from pyshacl import validate as shacl
    from rdflib import Graph
    from rdflib.namespace import SH

    dataset = load_rdflib(graph_path)
    data = Graph()
    for quad in dataset.quads((None, None, None, None)):
        data.add(quad[:3])
    data.parse(ontology_file(), format="turtle")
    shapes = Graph().parse(shapes_file(), format="turtle")
    conforms, report_graph, text = shacl(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    violations = len(set(report_graph.subjects(predicate=SH.resultSeverity, object=SH.Violation)))
    failed = run_checks(graph_path)
    for name, rows in failed.items():
        text += f"\nCheck {name} failed: {rows} result(s)."
    return Validation(conforms=bool(conforms) and not failed, text=text, violations=violations,
                      failed_checks=failed)
