"""The cross-report results as RDF: parses, uses only declared terms, joins the report graphs' own nodes."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.compare.summary import corpus_summary
from kg.rdf.comparisons import comparisons_ntriples
from kg.rdf.namespaces import DEFAULT_BASE
from kg.rdf.triples import node_iri, to_ntriples
from kg.resources import ontology_dir

from tests.fixtures.comparisons import corpus

FZ = "http://example.org/fzzf#"


@pytest.fixture(scope="module")
def store():
    summary = corpus_summary(list(corpus.extractions()))
    text = comparisons_ntriples(summary, DEFAULT_BASE)
    graph = ox.Store()
    graph.load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return summary, text, graph


def _ask(graph, query):
    return list(graph.query("PREFIX fz: <http://example.org/fzzf#> " + query))


def test_every_term_is_declared_in_the_ontology_files(store):
    declared = set()
    for quad in ox.parse(path=str(ontology_dir() / "kg.ttl"), format=ox.RdfFormat.TURTLE):
        declared.add(quad.subject.value)
    used = {t.value for q in store[2] for t in (q.predicate, q.object)
            if isinstance(t, ox.NamedNode) and t.value.startswith(FZ)}
    assert used and used <= declared, used - declared


def test_inconsistent_checks_join_the_metrics_of_both_reports(store):
    summary, _, graph = store
    rows = _ask(graph, "SELECT ?later ?earlier WHERE { ?c a fz:YearOnYearCheck ; fz:yoyStatus 'inconsistent' ; "
                       "fz:laterValue ?later ; fz:earlierMetric ?earlier }")
    expected = {(node_iri(DEFAULT_BASE, r["later"]["report"], r["later_value"]["metric"]),
                 node_iri(DEFAULT_BASE, r["earlier"]["report"], r["earlier"]["metric"]))
                for r in summary["yoy_checks"] if r["status"] == "inconsistent"}
    assert {(r["later"].value, r["earlier"].value) for r in rows} == expected and len(expected) == 2


def test_the_metric_iris_are_those_of_the_report_graph(store):
    _, text, _ = store
    from kg.pipeline import extract
    from tests.conftest import FIXTURES

    report_graph = to_ntriples(extract(FIXTURES / "comparisons" / "fenghe-2024.txt"), DEFAULT_BASE)
    subjects = {line.split(" ", 1)[0] for line in report_graph.splitlines()}
    later = {line.split(" ")[2] for line in text.splitlines() if "#laterValue>" in line}
    assert any(iri in subjects for iri in later)
    assert all(iri in subjects for iri in later if "fenghe-2024" in iri)


def test_plans_carried_out_and_problems_recurring(store):
    summary, _, graph = store
    kept = _ask(graph, "SELECT ?plan ?measure ?score WHERE { ?plan fz:carriedOutBy ?measure . ?l a fz:ComparisonLink ; "
                       "fz:linkSource ?plan ; fz:linkTarget ?measure ; fz:linkRelation fz:carriedOutBy ; fz:score ?score }")
    assert len(kept) == sum(len(r["measures"]) for r in summary["follow_through"]) > 0
    unkept = _ask(graph, "SELECT ?f WHERE { ?f a fz:FollowThrough ; fz:followStatus 'not_followed' }")
    assert len(unkept) == sum(r["status"] == "not_followed" for r in summary["follow_through"])
    again = _ask(graph, "SELECT ?a ?b WHERE { ?a fz:recursAs ?b }")
    assert len(again) == len(summary["recurring_problems"])


def test_parts_deadlines_and_series(store):
    _, _, graph = store
    lacking = _ask(graph, "SELECT ?r ?p WHERE { ?r fz:lacksPart ?p }")
    assert sorted(r["p"].value.rsplit("#", 1)[1] for r in lacking) == ["partFirstResponsible", "partPlans"]
    late = _ask(graph, "SELECT ?r ?d WHERE { ?r fz:daysAfterDeadline ?d FILTER(?d > 0) }")
    assert [(r["r"].value.rsplit("/", 1)[1], int(r["d"].value)) for r in late] == [("deqing-2023", 45)]
    nxt = _ask(graph, "SELECT ?a ?b WHERE { ?a fz:nextReport ?b }")
    assert len(nxt) == 3
    assert len(_ask(graph, "SELECT ?s WHERE { ?s a fz:Series }")) == 3


def test_deterministic_and_sorted(store):
    summary, text, _ = store
    assert comparisons_ntriples(summary, DEFAULT_BASE) == text
    assert text.splitlines() == sorted(text.splitlines())
