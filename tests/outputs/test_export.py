"""Every export, read back by the library of its ecosystem, against the RDF graph it came from."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import InputError
from kg.outputs.export import FORMATS, export, export_all
from kg.outputs.property_graph import property_graph, sanitise
from kg.outputs.writers import csv_row

from tests.conftest import FIXTURES
from kg.rdf.namespaces import FZ, PREFIXES, RDF

EXPECTED_FILES = ["graph.graphml", "graph.gexf", "graph.cytoscape.json", "graph.cytoscape.style.json",
                  "graph.jsonld", "neo4j/nodes.csv", "neo4j/relationships.csv", "graph.dot", "viewer.html"]
# Resource types that must each become a node (the ontology's classes a user looks at).
NODE_CLASSES = ["Report", "Section", "Measure", "Problem", "Plan", "Agency", "Mechanism", "Activity",
                "PolicyDocument", "Place", "Metric", "ArithmeticCheck", "SourceFile", "IndicatorObservation", "Division"]


@pytest.fixture(scope="module")
def graph(built_out):
    return property_graph(built_out / "graph.trig")


@pytest.fixture(scope="module")
def rdf(built_out):
    dataset = Dataset(default_union=True)  # triple patterns see every report's named graph
    dataset.parse(str(built_out / "graph.trig"), format="trig")
    return dataset


def test_build_writes_every_format(built_out):
    missing = [name for name in EXPECTED_FILES if not (built_out / name).is_file()]
    assert missing == []


def test_every_typed_resource_is_a_node(graph, rdf):
    for name in NODE_CLASSES:
        iris = {str(s) for s in rdf.subjects(RDF.type, FZ[name])}
        assert iris <= set(graph), f"{name} resources missing from the property graph"
        assert iris or name not in ("Report", "Section", "Measure", "Problem", "Plan", "Metric")
    # And no node is invented: each is a resource of the RDF graph typed with the class it is drawn as.
    untyped = [node for node, kind in graph.nodes(data="type")
               if (URIRef(node), RDF.type, URIRef(PREFIXES["fz"] + kind)) not in rdf]
    assert untyped == []


def test_every_link_between_nodes_is_an_edge(graph, rdf):
    nodes = set(graph)
    edges = {(u, r, v) for u, v, r in graph.edges(data="relation")}
    for s, p, o in rdf.triples((None, None, None)):
        if str(s) in nodes and str(o) in nodes and p not in (RDF.type, FZ.inReport):
            local = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            assert (str(s), local, str(o)) in edges, (s, p, o)


def test_nodes_carry_what_a_user_needs(graph, rdf, bundled_text):
    metrics = [n for n, t in graph.nodes(data="type") if t == "Metric"]
    assert metrics
    for node in metrics:
        data = graph.nodes[node]
        value = rdf.value(URIRef(node), FZ.value)
        assert data["value"] == pytest.approx(float(value))
        assert data["subject"] == str(rdf.value(URIRef(node), FZ.subject))
        assert isinstance(data["approximate"], bool) and data["unit"]
    for node, data in graph.nodes(data=True):
        assert data["label"] and data["type"] and data["color"].startswith("#") and data["size"] > 0
        if "span_start" in data:
            assert bundled_text[data["span_start"]:data["span_end"]] == data["span_text"]
            start = data["sentence_start"]
            assert bundled_text[start:start + len(data["sentence"])] == data["sentence"]
            assert start <= data["span_start"] and data["span_end"] <= start + len(data["sentence"])


def test_scored_links_become_edge_scores(graph, rdf):
    scored = [(u, v) for u, v, r in graph.edges(data="relation") if r in ("addresses", "worksOn")]
    assert scored
    for u, v in scored:
        (data,) = [d for d in graph.get_edge_data(u, v).values() if d["relation"] in ("addresses", "worksOn")]
        assert 0 <= data["score"] <= 1


def test_graphml_reads_back_with_labels_for_yed(built_out, graph):
    back = nx.read_graphml(built_out / "graph.graphml", force_multigraph=True)
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    for node, data in graph.nodes(data=True):
        assert back.nodes[node]["label"] == data["label"]
        assert float(back.nodes[node]["x"]) == data["x"]
    text = (built_out / "graph.graphml").read_text(encoding="utf-8")
    assert text.count("<y:NodeLabel>") == graph.number_of_nodes()  # yEd draws labels from these


def test_gexf_reads_back_with_colour_size_and_position(built_out, graph):
    back = nx.read_gexf(built_out / "graph.gexf")
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    text = (built_out / "graph.gexf").read_text(encoding="utf-8")
    assert 'version="1.2"' in text
    for node, data in graph.nodes(data=True):
        viz = back.nodes[node]["viz"]
        assert viz["position"]["x"] == pytest.approx(data["x"]) and viz["size"] == data["size"]
        assert "#{r:02x}{g:02x}{b:02x}".format(**viz["color"]) == data["color"]
        assert back.nodes[node]["label"] == data["label"]


def test_cytoscape_elements_and_style(built_out, graph):
    document = json.loads((built_out / "graph.cytoscape.json").read_text(encoding="utf-8"))
    nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    assert (len(nodes), len(edges)) == (graph.number_of_nodes(), graph.number_of_edges())
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    assert all("x" in n["position"] for n in nodes)
    style = json.loads((built_out / "graph.cytoscape.style.json").read_text(encoding="utf-8"))
    assert style[0]["selector"] == "node" and style[0]["style"]["label"] == "data(label)"


def test_jsonld_round_trips_to_the_same_graph(built_out, rdf):
    document = json.loads((built_out / "graph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == dict(sorted(PREFIXES.items()))
    assert '"fz:' in (built_out / "graph.jsonld").read_text(encoding="utf-8")  # compact, not expanded
    back = Dataset()
    back.parse(str(built_out / "graph.jsonld"), format="json-ld")
    names = sorted(str(g.identifier) for g in rdf.graphs() if len(g))
    assert names == sorted(str(g.identifier) for g in back.graphs() if len(g))
    for name in names:
        assert isomorphic(rdf.graph(URIRef(name)), back.graph(URIRef(name))), name


def test_neo4j_csvs_use_admin_import_headers(built_out, graph):
    with open(built_out / "neo4j" / "nodes.csv", encoding="utf-8", newline="") as handle:
        node_rows = list(csv.reader(handle))
    with open(built_out / "neo4j" / "relationships.csv", encoding="utf-8", newline="") as handle:
        edge_rows = list(csv.reader(handle))
    assert node_rows[0][:2] == ["iri:ID", ":LABEL"]
    assert edge_rows[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert all(":" in cell for cell in node_rows[0] + edge_rows[0])  # every column typed
    ids = [row[0] for row in node_rows[1:]]
    assert len(ids) == len(set(ids)) == graph.number_of_nodes()
    assert len(edge_rows) - 1 == graph.number_of_edges()
    known = set(ids)
    assert all(row[0] in known and row[1] in known for row in edge_rows[1:])
    label_column = {row[0]: row[1].split(";") for row in node_rows[1:]}
    assert all(graph.nodes[n]["type"] == labels[0] for n, labels in label_column.items())
    types = {row[2] for row in edge_rows[1:]}
    assert "FROM_ITEM" in types and all(t == t.upper() for t in types)


@pytest.fixture(scope="module")
def markup_out(tmp_path_factory) -> Path:
    """A small report whose text holds quotes, angle brackets and backslash-free markup."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("markup")
    assert build([FIXTURES / "viewer-markup.txt"], out).ok
    return out


def test_dot_reads_back_with_the_chosen_font(tmp_path, markup_out):
    # pydot parses about 20 kB/s, so the small report stands in for the bundled one here.
    pydot = pytest.importorskip("pydot")
    graph = property_graph(markup_out / "graph.trig")
    target = export(markup_out, "dot", tmp_path / "g.dot", font="WenQuanYi Zen Hei")
    (dot,) = pydot.graph_from_dot_file(str(target), encoding="utf-8")
    assert dot.get_graph_defaults()[0]["fontname"].strip('"') == "WenQuanYi Zen Hei"
    back = nx.nx_pydot.from_pydot(dot)
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    for node, data in graph.nodes(data=True):
        label = back.nodes[node]["label"]
        assert label[1:-1].replace('\\"', '"').replace("\\\\", "\\") == data["label"]


def test_counts_agree_across_formats(built_out, graph):
    page = (built_out / "viewer.html").read_text(encoding="utf-8")
    import re

    embedded = json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.S).group(1))
    counts = {
        "graphml": nx.read_graphml(built_out / "graph.graphml", force_multigraph=True),
        "gexf": nx.read_gexf(built_out / "graph.gexf"),
    }
    sizes = {name: (g.number_of_nodes(), g.number_of_edges()) for name, g in counts.items()}
    sizes["viewer"] = (len(embedded["nodes"]), len(embedded["edges"]))
    cyto = json.loads((built_out / "graph.cytoscape.json").read_text(encoding="utf-8"))["elements"]
    sizes["cytoscape"] = (len(cyto["nodes"]), len(cyto["edges"]))
    assert set(sizes.values()) == {(graph.number_of_nodes(), graph.number_of_edges())}, sizes


# A graph with every attribute problem the stack notes list: a control character,
# quotes and backslashes, one key holding text in one node and a number in another,
# several values for one key, and a predicate named like GEXF's reserved "start".
HOSTILE = """
<http://x.org/r> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/fzzf#Report> .
<http://x.org/r> <http://www.w3.org/2000/01/rdf-schema#label> "报告\\u000B \\"引号\\" \\\\ 结尾"@zh .
<http://x.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/fzzf#Measure> .
<http://x.org/a> <http://example.org/fzzf#inReport> <http://x.org/r> .
<http://x.org/a> <http://example.org/fzzf#level> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://x.org/a> <http://example.org/fzzf#gap> "one" .
<http://x.org/a> <http://example.org/fzzf#gap> "two" .
<http://x.org/a> <http://x.org/start> "s" .
<http://x.org/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/fzzf#Problem> .
<http://x.org/b> <http://example.org/fzzf#inReport> <http://x.org/r> .
<http://x.org/b> <http://example.org/fzzf#level> "high" .
<http://x.org/a> <http://example.org/fzzf#worksOn> <http://x.org/b> .
"""


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    (out / "graph.nt").write_text(HOSTILE, encoding="utf-8")
    export_all(out / "graph.nt", out)
    return out


def test_hostile_attributes_survive_every_reader(hostile_out):
    back = nx.read_graphml(hostile_out / "graph.graphml", force_multigraph=True)
    assert back.nodes["http://x.org/r"]["label"] == '报告 "引号" \\ 结尾'
    assert back.nodes["http://x.org/a"]["level"] == "3" and back.nodes["http://x.org/b"]["level"] == "high"
    assert json.loads(back.nodes["http://x.org/a"]["gap"]) == ["one", "two"]
    gexf = nx.read_gexf(hostile_out / "graph.gexf")
    assert sorted(gexf) == ["http://x.org/a", "http://x.org/b", "http://x.org/r"]
    assert gexf.nodes["http://x.org/a"]["start_"] == "s"
    pydot = pytest.importorskip("pydot")
    (dot,) = pydot.graph_from_dot_file(str(hostile_out / "graph.dot"), encoding="utf-8")
    labels = {n.get_name().strip('"'): n.get("label") for n in dot.get_nodes()}
    assert labels['http://x.org/r'] == '"报告 \\"引号\\" \\\\ 结尾"'


@pytest.mark.parametrize(("records", "expected"), [
    ([{"a": None, "b": 1}], [{"b": 1}]),
    ([{"a": [1, "x"]}, {"a": {"k": "v"}}], [{"a": '[1, "x"]'}, {"a": '{"k": "v"}'}]),
    ([{"a": 1}, {"a": 2.5}], [{"a": 1.0}, {"a": 2.5}]),
    ([{"a": 1}, {"a": "x"}, {"a": False}], [{"a": "1"}, {"a": "x"}, {"a": "false"}]),
    ([{"a": "x\x00y\x1f\ufffez\n"}], [{"a": "xyz\n"}]),
    ([{"a": float("nan")}], [{"a": "nan"}]),
])
def test_sanitise(records, expected):
    assert sanitise(records) == expected


def test_unknown_format_names_the_valid_ones(built_out):
    with pytest.raises(InputError, match="expected one of: graphml, gexf, cytoscape, jsonld, neo4j, dot, html"):
        export(built_out, "pdf")


def test_cli_export_writes_one_format_and_fails_cleanly(tmp_path, built_out):
    from kg.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["export", str(built_out), "--to", "gexf", "-o", str(tmp_path / "x.gexf")])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(tmp_path / "x.gexf").number_of_nodes() > 0
    result = runner.invoke(main, ["export", str(built_out), "--to", "pdf"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "expected one of" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["export", str(tmp_path / "nothing.trig"), "--to", "gexf"])
    assert result.exit_code == 2 and "no such file" in result.output


def test_exports_are_byte_identical_across_processes(tmp_path, built_out):
    here = tmp_path / "here"
    export_all(built_out / "graph.trig", here)
    there = tmp_path / "there"
    code = f"from kg.outputs.export import export_all; export_all({str(built_out / 'graph.trig')!r}, {str(there)!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    differing = [name for name in EXPECTED_FILES if (here / name).read_bytes() != (there / name).read_bytes()]
    assert differing == []


def test_each_format_alone_matches_export_all(tmp_path, built_out):
    for fmt, name in FORMATS.items():
        if fmt in ("neo4j", "html", "graphml"):
            continue  # covered above; keep this test quick
        written = export(built_out, fmt, tmp_path / name)
        assert written.read_bytes() == (built_out / name).read_bytes(), fmt


# ---- well-formed whatever the text holds -------------------------------------------

@pytest.fixture(scope="module")
def line_ends_out(tmp_path_factory) -> Path:
    """Reports with CRLF and bare CR line ends, and one with Unicode line and paragraph separators in lines."""
    from kg.pipeline import build

    root = tmp_path_factory.mktemp("line-ends")
    text = (FIXTURES / "query-a-county.txt").read_text(encoding="utf-8")
    variants = {"crlf-county": text.replace("\n", "\r\n"), "cr-county": text.replace("\n", "\r"),
                "separators-county": text.replace("。", "。\u2028", 3).replace("，", "，\u2029\x85", 2)}
    for name, body in variants.items():
        (root / f"{name}.txt").write_bytes(body.encode("utf-8"))
    out = root / "out"
    assert build(sorted(root.glob("*.txt")), out, exports=True).built
    return out


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_neo4j_csv_rows_are_whole_whatever_the_line_ends(line_ends_out):
    for name in ("nodes.csv", "relationships.csv"):
        rows = _read_csv(line_ends_out / "neo4j" / name)
        assert {len(row) for row in rows} == {len(rows[0])}, name  # no ragged row
    texts = [cell for row in _read_csv(line_ends_out / "neo4j" / "nodes.csv") for cell in row]
    # the test has teeth: a line separator inside cells (a \r in any field is the property test's, csv_row;
    # a report's own \r and \n end its sentences, so no sentence holds one)
    assert any("\u2028" in cell for cell in texts)


_KUZU_TYPES = {"string": "STRING", "long": "INT64", "double": "DOUBLE", "boolean": "BOOLEAN"}


def _kuzu_columns(header: list[str]) -> list[str]:
    return [f"`{name}` {_KUZU_TYPES[kind]}" for name, _, kind in (cell.rpartition(":") for cell in header)]


def test_neo4j_csvs_load_into_kuzu_with_every_text_intact(tmp_path, line_ends_out):
    kuzu = pytest.importorskip("kuzu")  # a test dependency: it reads neo4j-admin-style CSVs
    folder = line_ends_out / "neo4j"
    node_header, edge_header = (_read_csv(folder / name)[0] for name in ("nodes.csv", "relationships.csv"))
    connection = kuzu.Connection(kuzu.Database(str(tmp_path / "kuzu")))
    connection.execute(f"CREATE NODE TABLE N(iri STRING PRIMARY KEY, labels STRING, "
                       f"{', '.join(_kuzu_columns(node_header[2:]))})")
    connection.execute(f"CREATE REL TABLE E(FROM N TO N, type STRING, {', '.join(_kuzu_columns(edge_header[3:]))})")
    for table, name in (("N", "nodes.csv"), ("E", "relationships.csv")):
        connection.execute(f"COPY {table} FROM '{folder / name}' (HEADER=true, PARALLEL=false, ESCAPE='\"')")
    graph = property_graph(line_ends_out / "graph.trig")
    assert connection.execute("MATCH (n:N) RETURN count(*)").get_next() == [graph.number_of_nodes()]
    assert connection.execute("MATCH ()-[e:E]->() RETURN count(*)").get_next() == [graph.number_of_edges()]
    answer = connection.execute("MATCH (n:N) WHERE n.sentence IS NOT NULL RETURN n.iri, n.sentence, n.label")
    loaded = {}
    while answer.has_next():
        iri, sentence, label = answer.get_next()
        loaded[iri] = (sentence, label)
    expected = {node: (data["sentence"], data["label"]) for node, data in graph.nodes(data=True) if "sentence" in data}
    assert loaded == expected
    assert any("\u2028" in sentence for sentence, _ in loaded.values())


_CELLS = st.lists(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")), min_size=2,
                  max_size=6)


@given(st.lists(_CELLS, min_size=1, max_size=4))
def test_csv_rows_read_back_as_written(rows):
    text = "".join(csv_row(cells) for cells in rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == rows
    outside_quotes = re.sub(r'"(?:[^"]|"")*"', "", text)  # what a line-based reader sees between quoted fields
    assert outside_quotes.count("\n") == len(rows) and not re.search("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]",
                                                                      outside_quotes)


_GEXF = "{http://www.gexf.net/1.2draft}"
_GEXF_GRAPH_ATTRIBUTES = {"timeformat", "start", "startopen", "end", "endopen", "defaultedgetype", "idtype", "mode"}
_GEXF_VALUE = {"long": int, "integer": int, "double": float, "float": float, "string": str,
               "boolean": lambda v: {"true": True, "false": False}[v]}


def _check_gexf(path: Path) -> None:
    """The rules of GEXF 1.2 (http://www.gexf.net/1.2draft) a writer can break, checked one by one."""
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    assert root.tag == f"{_GEXF}gexf" and root.get("version") == "1.2"
    meta = root.find(f"{_GEXF}meta")
    assert meta is None or "lastmodifieddate" not in meta.attrib  # a wall-clock date: builds would differ
    (graph,) = root.findall(f"{_GEXF}graph")
    assert set(graph.attrib) <= _GEXF_GRAPH_ATTRIBUTES, graph.attrib  # no name="" (not in 1.2)
    assert graph.get("defaultedgetype") in ("directed", "undirected", "mutual")
    declared = {}
    for block in graph.findall(f"{_GEXF}attributes"):
        for attribute in block.findall(f"{_GEXF}attribute"):
            declared[(block.get("class"), attribute.get("id"))] = attribute.get("type")
    nodes = graph.findall(f"{_GEXF}nodes/{_GEXF}node")
    ids = [node.get("id") for node in nodes]
    assert len(ids) == len(set(ids)) and all(ids)
    edges = graph.findall(f"{_GEXF}edges/{_GEXF}edge")
    assert all(e.get("source") in set(ids) and e.get("target") in set(ids) for e in edges)
    assert len({e.get("id") for e in edges}) == len(edges)
    for kind, elements in (("node", nodes), ("edge", edges)):
        for element in elements:
            for value in element.findall(f"{_GEXF}attvalues/{_GEXF}attvalue"):
                _GEXF_VALUE[declared[(kind, value.get("for"))]](value.get("value"))  # declared, and of its type
            colour = element.find("{http://www.gexf.net/1.2draft/viz}color")
            assert colour is not None and all(0 <= int(colour.get(c)) <= 255 for c in "rgb")


def test_gexf_keeps_the_rules_of_gexf_1_2(built_out, hostile_out, line_ends_out):
    for out in (built_out, hostile_out, line_ends_out):
        _check_gexf(out / "graph.gexf")
