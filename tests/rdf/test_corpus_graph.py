"""The corpus graph: divisions with their chain, shared nodes typed and named; with the reports' graphs it conforms."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.pipeline import build
from kg.rdf.corpus import corpus_graph_iri, corpus_ntriples
from kg.rdf.namespaces import DEFAULT_BASE, FZ
from kg.rdf.validate import validate
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus-graph")
    assert build(sorted((FIXTURES / "corpus").glob("*.txt")), out, analyse=False, exports=False).ok
    contracts = [json.loads(p.read_text("utf-8")) for p in sorted((out / "extractions").glob("*.json"))]
    return out, contracts, corpus_ntriples(contracts, DEFAULT_BASE)


def test_divisions_carry_their_chain_up_to_the_province(corpus):
    graph = Graph().parse(data=corpus[2], format="nt")
    county = URIRef("http://example.org/fzzf/division/420528000000")
    city = graph.value(county, SKOS.broader)
    assert str(city).endswith("420500000000") and str(graph.value(city, SKOS.broader)).endswith("420000000000")
    assert graph.value(graph.value(city, SKOS.broader), SKOS.broader) is None


def test_shared_nodes_are_typed_named_and_linked(corpus):
    graph = Graph().parse(data=corpus[2], format="nt")
    court = URIRef(DEFAULT_BASE + "corpus/body/420528000000/长阳土家族自治县人民法院")
    assert (court, RDF.type, FZ.Body) in graph
    assert str(graph.value(court, FZ.division)).endswith("420528000000")
    plans = list(graph.subjects(FZ.implements, None))
    assert len(plans) == 1 and (graph.value(plans[0], FZ.implements), RDF.type, FZ.Document) in graph
    assert len(set(graph.subjects(RDF.type, FZ.Indicator))) >= 15


def test_the_corpus_graph_is_deterministic(corpus):
    assert corpus_ntriples(reversed(corpus[1]), DEFAULT_BASE) == corpus[2]


def test_reports_and_corpus_graph_together_conform(corpus, tmp_path):
    out, _, text = corpus
    graph = f"<{corpus_graph_iri(DEFAULT_BASE)}>"
    quads = text.replace(" .\n", f" {graph} .\n")
    combined = tmp_path / "combined.nq"
    combined.write_bytes((out / "graph.nq").read_bytes() + quads.encode("utf-8"))
    result = validate(combined)
    assert result.conforms, result.text[:3000]
