"""Competency questions across reports, answered on the fixture corpus (its build plus its corpus graph)."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.pipeline import build
from kg.rdf.corpus import corpus_graph_iri, corpus_ntriples
from kg.rdf.namespaces import DEFAULT_BASE
from kg.sparql.query import run_query
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus-questions")
    result = build(sorted((FIXTURES / "corpus").glob("*.txt")), out, analyse=False, exports=False)
    assert result.ok, result.failed
    contracts = [json.loads(p.read_text("utf-8")) for p in sorted((out / "extractions").glob("*.json"))]
    store = ox.Store()
    store.load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    # The build does not write the corpus graph yet: the tests add it as the build will.
    store.load(corpus_ntriples(contracts, DEFAULT_BASE).encode(), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode(corpus_graph_iri(DEFAULT_BASE)))
    return store


def _rows(store, name, params=()):
    answer = json.loads(run_query(store, name, list(params), fmt="json"))
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]]


def test_one_indicator_over_the_years_for_one_division(store):
    rows = _rows(store, "indicator-over-years")  # 新收行政复议案件数 of 长阳土家族自治县
    assert [(r["year"], r["value"], r["report"]) for r in rows] == [
        ("2022", "41", "changyang-2022"), ("2023", "47", "changyang-2023")]
    rows = _rows(store, "indicator-over-years", ['indicator=litigation-loss-rate', 'division="360103000000"'])
    assert [(r["year"], r["value"]) for r in rows] == [("2022", "5.8"), ("2023", "4.2")]


def test_all_reports_citing_a_document(store):
    rows = _rows(store, "reports-citing-document")
    national = [r for r in rows if r["document"].endswith("/corpus/document/法治政府建设实施纲要%282021-2025年%29")]
    assert sorted({r["report"] for r in national}) == ["changyang-2022", "changyang-2023", "xihu-2022", "xihu-2023"]
    plans = {r["document"] for r in rows} - {national[0]["document"]}
    assert len(plans) == 1 and "贯彻落实" in plans.pop()  # the local plan is a node of its own


def test_bodies_that_appear_in_reports_of_several_years(store):
    rows = _rows(store, "bodies-across-years")
    bodies = {r["body"].rsplit("/", 1)[1] for r in rows}
    assert {"长阳土家族自治县司法局", "长阳土家族自治县人民法院", "西湖区人民法院", "湖北省司法厅", "江西省司法厅"} <= bodies
    assert all(r["yearCount"] == "2" for r in rows)


def test_divisions_ranked_by_an_indicator_in_one_year(store):
    rows = _rows(store, "divisions-ranked")
    assert [(r["division"], r["name"], r["highest"]) for r in rows] == [
        ("360103000000", "西湖区", "95"), ("420528000000", "长阳土家族自治县", "47")]
    rows = _rows(store, "divisions-ranked", ["indicator=mediation-success-rate", 'year="2022"'])
    assert [r["division"] for r in rows] == ["420528000000", "360103000000"]


def _documents_store(titles: dict[str, str]):
    """A corpus graph of shared documents (with their title index) and one report citing each."""
    from kg.rdf.corpus import title_grams
    from kg.rdf.namespaces import FZ

    lines = []
    for key, title in titles.items():
        doc, mention, report = (f"<http://example.org/{kind}/{key}>" for kind in ("document", "mention", "report"))
        lines += [f"{doc} <{RDF_TYPE}> <{FZ.Document}> .", f"{doc} <{DCTERMS_TITLE}> {ox.Literal(title, language='zh')} .",
                  *(f"{doc} <{FZ.titleGram}> {ox.Literal(gram)} ." for gram in title_grams(title)),
                  f"{mention} <{FZ.denotes}> {doc} .", f"{mention} <{RDF_TYPE}> <{FZ.PolicyDocument}> .",
                  f"{mention} <{RDFS_LABEL}> {ox.Literal(title)} .", f"{mention} <{FZ.inReport}> {report} .",
                  f"{report} <http://purl.org/dc/terms/identifier> {ox.Literal(key)} ."]
    store = ox.Store()
    store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://example.org/g"))
    return store


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"


@pytest.mark.parametrize("words", ["甲乙丙丁戊", "乙丙", "丙丁戊方案", "(2021-2025年)", "戊甲", "方案"])
def test_the_reports_citing_words_are_those_whose_title_holds_the_words(words):
    """Found through the title-pair index, checked against the titles themselves: 甲乙X丙丁戊 has the three
    pairs looked up for 甲乙丙丁戊 but not the words, and titles with brackets are found by them."""
    titles = {"a": "甲乙X丙丁戊", "b": "甲乙丙丁戊方案", "c": "乙丙丁", "d": "纲要(2021-2025年)", "e": "戊甲乙"}
    rows = _rows(_documents_store(titles), "reports-citing-document", [f'title="{words}"'])
    assert sorted(r["report"] for r in rows) == sorted(key for key, title in titles.items() if words in title)


def test_words_of_one_character_are_refused_in_one_line():
    from kg.errors import QueryError

    with pytest.raises(QueryError, match="title=.*two characters at least"):
        _rows(_documents_store({"a": "甲乙"}), "reports-citing-document", ['title="甲"'])


def test_the_words_are_folded_as_titles_are_full_width_brackets_dashes_and_title_marks():
    titles = {"d": "纲要(2021-2025年)", "f": "纲要(2021-2026年)"}
    rows = _rows(_documents_store(titles), "reports-citing-document", ['title="《纲要（２０２１－２０２５年）》"'])
    assert [r["report"] for r in rows] == ["d"]
