"""The analysis (kg.outputs.analysis): a networkx view of the RDF graph, gaps, centrality, clusters and the page."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from kg.outputs.analysis import analyze, graph_view
from kg.pipeline import build
from kg.errors import InputError, OutputError
from kg.rdf.load import load_store

from tests.conftest import FIXTURES

# A hand-written graph: one report, two measures in one group, a problem, two plans,
# agency A mentioned across the report, agency B by one measure only.
TINY = """
@prefix fz: <http://example.org/fzzf#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix d: <http://example.org/fzzf/data/t/> .
<http://example.org/fzzf/data/t/graph> {
<http://example.org/fzzf/data/t> a fz:Report ; dcterms:identifier "t" ; dcterms:title "测试县报告"@zh .
d:section-2 a fz:Section ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "规范执法"@zh ;
    fz:heading "规范执法"@zh ; fz:level 2 ; fz:sectionKind fz:achievements .
d:measure-1 a fz:Measure ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "培训执法人员"@zh ;
    fz:text "培训执法人员"@zh ; fz:position 1 ; fz:inGroup d:section-2 ; fz:mentions d:agency-a .
d:measure-2 a fz:Measure ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "评查案卷"@zh ;
    fz:text "评查案卷"@zh ; fz:position 2 ; fz:inGroup d:section-2 ; fz:mentions d:agency-b .
d:problem-1 a fz:Problem ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "执法人员不足"@zh ;
    fz:text "执法人员不足"@zh ; fz:position 1 ; fz:gap "problem-without-plan" .
d:plan-1 a fz:Plan ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "扩充执法队伍"@zh ;
    fz:text "扩充执法队伍"@zh ; fz:position 1 ; fz:mentions d:agency-a ; fz:gap "plan-without-problem" .
d:plan-2 a fz:Plan ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "建设公园"@zh ;
    fz:text "建设公园"@zh ; fz:position 2 ; fz:gap "plan-without-problem" .
d:agency-a a fz:Agency ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "司法局"@zh .
d:agency-b a fz:Agency ; fz:inReport <http://example.org/fzzf/data/t> ; rdfs:label "档案室"@zh .
d:measure-1 fz:worksOn d:problem-1 .
d:link-1 a fz:ScoredLink ; fz:inReport <http://example.org/fzzf/data/t> ; fz:linkSource d:measure-1 ;
    fz:linkTarget d:problem-1 ; fz:linkRelation fz:worksOn ; fz:score 0.4 ; fz:method "test" .
}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "graph.trig").write_text(TINY, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def gap_out(tmp_path_factory) -> Path:
    """All links-* fixtures built together: several reports in one graph, each with gaps."""
    out = tmp_path_factory.mktemp("gaps")
    assert build(sorted(FIXTURES.glob("links-*.txt")), out, analyse=True, exports=False).ok
    return out


def _count(store, cls: str) -> int:
    query = f"SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {{ ?n a <http://example.org/fzzf#{cls}> }}"
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))[0].value)


def test_view_is_the_rdf_graph(built_out):
    store = load_store(built_out / "graph.trig")
    view = graph_view(store)
    kinds = [data["kind"] for _, data in view.nodes(data=True)]
    for kind, cls in (("measure", "Measure"), ("problem", "Problem"), ("plan", "Plan"), ("metric", "Metric")):
        assert kinds.count(kind) == _count(store, cls) > 0
    relations = {key for _, _, key in view.edges(keys=True)}
    assert {"addresses", "worksOn", "inSection", "inGroup"} <= relations
    scored = [d for _, _, k, d in view.edges(keys=True, data=True) if k in ("addresses", "worksOn")]
    assert len(scored) == _count(store, "ScoredLink")
    assert all(0 <= d["score"] <= 1 for d in scored)


def test_bundled_analysis_matches_the_extraction(built_out):
    analysis = json.loads((built_out / "analysis.json").read_text(encoding="utf-8"))
    extraction = json.loads(next((built_out / "extractions").glob("*.json")).read_text(encoding="utf-8"))
    (report,) = analysis["reports"]
    assert report["counts"]["problems"] == len(extraction["problems"]) == 8
    assert report["counts"]["plans"] == len(extraction["plans"]) == 5
    assert report["counts"]["measure_groups"] == 5
    pairs = {(p["id"], row["id"]) for row in report["problems"] for p in row["plans"]}
    assert pairs == {(l["source"], l["target"]) for l in extraction["links"] if l["relation"] == "addresses"}
    for key in ("problems_without_plan", "plans_without_problem", "groups_without_plan"):
        assert report["gaps"][key] == extraction["gaps"][key]


def test_every_report_of_a_corpus_gets_its_own_gaps(gap_out):
    analysis = json.loads((gap_out / "analysis.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in analysis["reports"]] == sorted(p.stem for p in FIXTURES.glob("links-*.txt"))
    for report in analysis["reports"]:
        extraction = json.loads((gap_out / "extractions" / f"{report['id']}.json").read_text(encoding="utf-8"))
        assert report["gaps"] == extraction["gaps"]
        assert report["gaps"]["problems_without_plan"] and report["gaps"]["plans_without_problem"]
    page = (gap_out / "analysis.html").read_text(encoding="utf-8")
    assert page.count("<svg") == len(analysis["reports"])


def test_gaps_reach_the_analysis_and_the_picture(gap_out):
    extraction = json.loads((gap_out / "extractions" / "links-a-county.json").read_text(encoding="utf-8"))
    reports = json.loads((gap_out / "analysis.json").read_text(encoding="utf-8"))["reports"]
    report = next(r for r in reports if r["id"] == "links-a-county")
    assert report["gaps"]["problems_without_plan"] == extraction["gaps"]["problems_without_plan"] == ["problem-2"]
    assert report["gaps"]["plans_without_problem"] == extraction["gaps"]["plans_without_problem"] == ["plan-3"]
    assert report["gaps"]["groups_without_plan"] == extraction["gaps"]["groups_without_plan"] != []
    page = (gap_out / "analysis.html").read_text(encoding="utf-8")
    section = page[page.index('<h2 id="links-a-county">'):]
    svg = re.search(r"<svg.*?</svg>", section, re.S).group()
    # One dashed red outline per gap, each with its note.
    assert svg.count('stroke-dasharray="6 3"') == sum(len(v) for v in report["gaps"].values())
    for note in ("无计划回应", "无对应问题", "无后续计划"):
        assert note in svg


def test_picture_shows_every_problem_plan_and_group_as_text(built_out):
    page = (built_out / "analysis.html").read_text(encoding="utf-8")
    (report,) = json.loads((built_out / "analysis.json").read_text(encoding="utf-8"))["reports"]
    svg = re.search(r"<svg.*?</svg>", page, re.S).group()
    texts = " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for row in report["problems"] + report["plans"]:
        assert row["label"][:10] in texts
    for group in report["measure_groups"]:
        assert group["heading"][:10] in texts
    edges = re.findall(r"<path ", svg)
    works_on_groups = sum(len(row["measure_groups"]) for row in report["problems"])
    assert len(edges) == report["counts"]["addresses"] + works_on_groups


def test_page_makes_no_request(built_out):
    page = (built_out / "analysis.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"url\(|@import", page)
    assert re.findall(r"https?://[^\s\"'<]+", page) == ["http://www.w3.org/2000/svg"]


def test_centrality_and_clusters_on_a_hand_written_graph(tiny, tmp_path):
    analysis = analyze(tiny / "graph.trig", tmp_path)
    (report,) = analysis["reports"]
    agencies = report["centrality"]["agencies"]
    # 司法局 joins a measure to a plan (and, through the link, to the problem); 档案室 hangs off one measure.
    assert [a["label"] for a in agencies] == ["司法局", "档案室"]
    assert agencies[0]["betweenness"] > agencies[1]["betweenness"] == 0
    assert agencies[0]["items"] == 2
    assert report["gaps"] == {"problems_without_plan": ["problem-1"], "plans_without_problem": ["plan-1", "plan-2"],
                              "groups_without_plan": []}
    (cluster,) = report["clusters"]
    assert cluster["items"] == ["measure-1", "plan-1", "problem-1"]
    assert cluster["name"] == "执法人员不足"
    assert report["problems"][0]["measure_groups"] == [{"id": "section-2", "score": 0.4, "measures": ["measure-1"]}]


def test_output_is_deterministic(tiny, built_out, tmp_path):
    for source in (tiny / "graph.trig", built_out / "graph.trig"):
        first, second = tmp_path / "one", tmp_path / "two"
        analyze(source, first)
        analyze(source, second)
        for name in ("analysis.json", "analysis.html"):
            assert (first / name).read_bytes() == (second / name).read_bytes()


def test_a_huge_report_gets_an_estimated_betweenness_the_same_each_run(built_out, tmp_path, monkeypatch):
    import kg.outputs.analysis

    exact = analyze(built_out / "graph.trig", tmp_path / "exact")["reports"][0]["centrality"]
    monkeypatch.setattr(kg.outputs.analysis, "BETWEENNESS_WORK", 1)  # as if the report were enormous: 10 sources
    first = analyze(built_out / "graph.trig", tmp_path / "one")["reports"][0]["centrality"]
    second = analyze(built_out / "graph.trig", tmp_path / "two")["reports"][0]["centrality"]
    assert first == second and first != exact
    assert [a["label"] for a in first["agencies"]][:1] == [a["label"] for a in exact["agencies"]][:1]


def test_missing_graph_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        analyze(tmp_path / "nothing.trig", tmp_path)


def test_unreadable_graph_names_the_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <<", encoding="utf-8")
    with pytest.raises(InputError, match="bad.ttl"):
        analyze(bad, tmp_path)


def test_unwritable_output_is_an_output_error(tiny, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError):
        analyze(tiny / "graph.trig", blocker)


def test_batch_with_a_report_without_structure_is_analysed(tmp_path):
    """Measures without a group and reports without sections must not break the analysis."""
    from kg.pipeline import build

    from tests.conftest import FIXTURES

    sources = [FIXTURES / "structure-f-nostructure.txt", FIXTURES / "structure-c-district.txt"]
    result = build(sources, tmp_path, analyse=True, exports=False)
    assert result.ok
    data = json.loads((tmp_path / "analysis.json").read_text(encoding="utf-8"))
    assert len(data["reports"]) == 2
