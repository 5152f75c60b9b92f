"""RDF: the built graph conforms, every span is exact, IRIs are stable, output is deterministic."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.pipeline import build
from kg.rdf.load import load_rdflib
from kg.rdf.namespaces import FZ, OA, SKOS
from kg.pipeline import extract
from kg.rdf.triples import node_iri, report_iri, to_graph
from kg.resources import bundled_report, ontology_file
from kg.rdf.validate import validate

from tests.conftest import FIXTURES


def test_built_graph_conforms_to_the_shapes(built_out):
    for name in ("graph.trig", "graph.ttl"):
        result = validate(built_out / name)
        assert result.conforms, result.text


def test_every_evidence_quotes_the_source_exactly(built_out, bundled_text):
    dataset = load_rdflib(built_out / "graph.trig")
    checked = 0
    for resource in set(dataset.subjects(RDF.type, OA.SpecificResource)):
        start = end = exact = None
        for selector in dataset.objects(resource, OA.hasSelector):
            if (selector, RDF.type, OA.TextPositionSelector) in dataset:
                start = int(dataset.value(selector, OA.start))
                end = int(dataset.value(selector, OA.end))
            else:
                exact = str(dataset.value(selector, OA.exact))
        assert exact is not None and start is not None
        assert bundled_text[start:end] == exact
        checked += 1
    assert checked > 100


def test_every_extracted_node_has_evidence(bundled_extraction):
    graph = to_graph(bundled_extraction, "http://example.org/test/")
    for cls in (FZ.Measure, FZ.Problem, FZ.Plan, FZ.Metric, FZ.PolicyDocument, FZ.Section):
        nodes = set(graph.subjects(RDF.type, cls))
        assert nodes, cls
        for node in nodes:
            assert graph.value(node, FZ.evidence) is not None, node


def test_validation_catches_a_wrong_span(tmp_path, built_out):
    text = (built_out / "graph.ttl").read_text(encoding="utf-8")
    # Shift one start offset: the quote no longer matches the source text.
    broken, count = re.subn(r"oa:start (\d+)", lambda m: f"oa:start {int(m.group(1)) + 1}", text, count=1)
    assert count == 1
    (tmp_path / "broken.ttl").write_text(broken, encoding="utf-8")
    result = validate(tmp_path / "broken.ttl")
    assert not result.conforms and "span-mismatch" in result.text


def test_validation_catches_a_metric_without_value(tmp_path, built_out):
    graph = Graph().parse(built_out / "graph.ttl")
    metric = next(graph.subjects(RDF.type, FZ.Metric))
    graph.remove((metric, FZ.value, None))
    graph.serialize(tmp_path / "novalue.ttl", format="turtle")
    result = validate(tmp_path / "novalue.ttl")
    assert not result.conforms and result.violations >= 1


def test_one_named_graph_per_report_and_union_turtle(tmp_path):
    sources = [bundled_report(), FIXTURES / "structure-a-county.txt", FIXTURES / "structure-b-city.txt"]
    result = build(sources, tmp_path, analyse=False, exports=False)
    assert result.ok and len(result.built) == 3
    dataset = load_rdflib(tmp_path / "graph.trig")
    names = {str(g.identifier) for g in dataset.contexts() if len(g)}
    expected = {report_iri("http://example.org/fzzf/data/", rid) + "/graph" for rid in result.built}
    assert expected <= names
    union = Graph().parse(tmp_path / "graph.ttl")
    quads = {q[:3] for q in dataset.quads((None, None, None, None))}
    assert set(union) == quads


def test_base_iri_is_configurable(tmp_path):
    build([FIXTURES / "structure-c-district.txt"], tmp_path, base="http://data.example.net/kg/",
          analyse=False, exports=False)
    graph = Graph().parse(tmp_path / "graph.ttl")
    reports = list(graph.subjects(RDF.type, FZ.Report))
    assert reports == [URIRef("http://data.example.net/kg/structure-c-district")]


def test_iris_are_stable_and_derived_from_content_not_counters():
    first = to_graph(extract(bundled_report()), "http://x.org/")
    second = to_graph(extract(bundled_report()), "http://x.org/")
    assert set(first) == set(second)
    report = URIRef(report_iri("http://x.org/", "puyang-2024"))
    assert (report, RDF.type, FZ.Report) in first
    assert node_iri("http://x.org/", "puyang-2024", "agency/县法院") == "http://x.org/puyang-2024/agency/县法院"


def test_two_builds_are_byte_identical(tmp_path):
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        build(None, out)
        outs.append(out)
    # The on-disk Oxigraph store (RocksDB) keeps ids and logs of its own: its files are not
    # content; every file made of the content is compared.
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*")
                   if p.is_file() and p.relative_to(outs[0]).parts[0] != "store")
    assert len(files) >= 5
    for relative in files:
        assert (outs[0] / relative).read_bytes() == (outs[1] / relative).read_bytes(), relative


def test_ontology_is_copied_and_every_term_is_documented(built_out):
    assert (built_out / "ontology" / "kg.ttl").read_bytes() == ontology_file().read_bytes()
    onto = Graph().parse(ontology_file())
    from rdflib.namespace import OWL, RDFS

    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(FZ._NS))}
    assert len(terms) > 40
    for term in terms:
        languages = {label.language for label in onto.objects(term, RDFS.label) if isinstance(label, Literal)}
        assert {"zh", "en"} <= languages, term
        comments = list(onto.objects(term, RDFS.comment))
        assert len(comments) == 1 and "\n" not in str(comments[0]), term
    required = {"Report", "Measure", "Problem", "Plan", "Agency", "Mechanism", "Activity",
                "PolicyDocument", "Place", "Metric"}
    classes = {str(c).split("#")[1] for c in onto.subjects(RDF.type, OWL.Class)}
    assert required <= classes


def test_closed_namespace_mirrors_the_ontology():
    onto = Graph().parse(ontology_file())
    declared = {str(s).split("#")[1] for s in onto.subjects() if str(s).startswith(str(FZ._NS))}
    in_code = {name for name in FZ.__annotations__}
    assert declared == in_code
    with pytest.raises(AttributeError):
        FZ.noSuchTerm  # noqa: B018


@pytest.mark.parametrize(
    "cls, parent",
    [("Agency", "http://www.w3.org/ns/org#Organization"), ("Metric", "http://purl.org/linked-data/cube#Observation"),
     ("Report", "http://www.w3.org/ns/prov#Entity")],
)
def test_alignment_with_w3c_vocabularies(cls, parent):
    from rdflib.namespace import RDFS

    onto = Graph().parse(ontology_file())
    assert (FZ[cls], RDFS.subClassOf, URIRef(parent)) in onto


def test_report_node_carries_dublin_core_metadata(bundled_extraction, gold):
    from rdflib.namespace import DCTERMS

    graph = to_graph(bundled_extraction, "http://x.org/")
    report = next(graph.subjects(RDF.type, FZ.Report))
    assert str(graph.value(report, DCTERMS.title)) == gold["report"]["title"]
    assert str(graph.value(report, DCTERMS.issued)).startswith("2024-12-31T17:00")
    assert str(graph.value(report, FZ.year)) == "2024"
    assert Path(str(graph.value(report, DCTERMS.source))).name == "puyang-2024.txt"


def test_statements_keep_unusual_line_separators_inside_literals():
    from kg.model import ReportMeta
    from kg.pipeline import extract_text
    from kg.rdf.triples import to_ntriples

    # U+2028, U+0085 and form feed end lines for str.splitlines, never in N-Triples
    text = "一、工作情况\n全年办理案件12件\u2028其中复议3件\x85。\f二、存在问题\n一是人员不足\u2028。\n"
    meta = ReportMeta(id="separators", source="separators.txt", encoding="utf-8", sha256="")
    ntriples = to_ntriples(extract_text(text, meta), "http://example.org/t/")
    graph = Graph().parse(data=ntriples, format="nt")
    assert text in {str(o) for o in graph.objects(None, FZ.sourceText)}
    assert len(graph) == ntriples.count("\n")


def test_graph_ttl_is_each_reports_own_turtle(tmp_path):
    """graph.ttl, made from the TriG blocks, holds what pyoxigraph writes for each graph on its own."""
    import pyoxigraph as ox

    from kg.rdf.namespaces import PREFIXES

    sources = [FIXTURES / "structure-a-county.txt", FIXTURES / "structure-b-city.txt"]
    build(sources, tmp_path, analyse=False, exports=False)
    quads = list(ox.parse(path=str(tmp_path / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    header, bodies = b"", b""
    for graph in dict.fromkeys(q.graph_name for q in quads):  # in the file's order
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name == graph]
        lines = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)).splitlines(keepends=True)
        header = b"".join(line for line in lines if line.startswith(b"@prefix "))
        bodies += b"".join(line for line in lines if not line.startswith(b"@prefix "))
    assert (tmp_path / "graph.ttl").read_bytes() == header + bodies


_FIXTURE_REPORTS = sorted(p for p in FIXTURES.rglob("*.txt") if "openings" not in p.parts)


@pytest.mark.parametrize("path", _FIXTURE_REPORTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_no_statement_is_made_twice_and_a_node_has_one_preferred_label(path):
    """The statements are written as they are made, never gathered to drop repeats: none may repeat
    (an issuer stated with its document and again as a relation, a place in other characters)."""
    from collections import Counter

    from kg.rdf.triples import to_ntriples

    lines = to_ntriples(extract(path), "http://example.org/t/").splitlines()
    assert [line for line, n in Counter(lines).items() if n > 1] == []
    graph = Graph().parse(data="\n".join(lines), format="nt")
    labels = Counter((s, o.language) for s, o in graph.subject_objects(URIRef(str(SKOS.prefLabel))))
    assert [key for key, n in labels.items() if n > 1] == []
