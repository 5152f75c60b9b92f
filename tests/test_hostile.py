"""The hostile run as tests: what a careless or malicious user can hand `kg`, through the command line.

Each case is one clear line (``kg: error: FILE: what is wrong``) and an exit
code, never a traceback, or a defence that holds: markup stays inert, text
never becomes RDF statements, a parameter never becomes SPARQL, an update or a
``SERVICE`` call is refused. The server's cases (port in use, ``kill -9``, a
dead child, timeouts as HTTP 503, SERVICE over HTTP) are in
``tests/sparql/test_serve.py``; the exports' (line ends in Neo4j CSV, GEXF
rules) in ``tests/outputs/test_export.py``; byte-identical builds in
``tests/test_determinism.py``.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

from tests.conftest import FIXTURES
from tests.sparql.conftest import Recorder, busy_thread, free_port

SMALL = FIXTURES / "query-b-city.txt"  # a short report of our own


def kg(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def assert_one_error_line(stderr: str, *names: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("kg: error: ")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# ---- files that are not reports ------------------------------------------------------

def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(64)


BAD_FILES = {
    "empty": b"",
    "whitespace": " \n\t\r\n\u3000 \n".encode("utf-8"),
    "binary": bytes(range(256)) * 4,
    "png": _png(),
    "random": random.Random(17).randbytes(4096),
    "nul": "某县2023年度法治政府建设工作报告\n一、工作情况\n推进依法行政。\x00\x00\x00\n".encode("utf-8"),
    # GBK after UTF-8, undecodable as either (a mixture that happens to decode as GB18030 is the readers' case)
    "mixed-encodings": "某县2023年度法治政府建设工作报告\n一、工作情况\n".encode("utf-8")
                       + "推进依法行政，受理案件12件。\n".encode("gbk"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_is_no_report_is_one_line_and_exit_2(tmp_path, case):
    path = tmp_path / f"{case}.txt"
    path.write_bytes(BAD_FILES[case])
    code, _, stderr = kg("build", path, "-o", tmp_path / "out", "--no-exports", "--no-analysis")
    assert code == 2
    assert_one_error_line(stderr, str(path))
    assert not list((tmp_path / "out").glob("extractions/*.json"))


def test_a_missing_file_is_one_line_and_exit_2(tmp_path):
    code, _, stderr = kg("build", tmp_path / "absent.txt", "-o", tmp_path / "out")
    assert code == 2
    assert "no such file" in assert_one_error_line(stderr, str(tmp_path / "absent.txt"))


def test_two_thousand_small_files_with_one_bad_one(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for number in range(2000):
        (folder / f"r{number:04d}.txt").write_text(f"第{number}号报告\n", encoding="utf-8")
    (folder / "r0999.txt").write_bytes(_png())
    out = tmp_path / "out"
    code, _, stderr = kg("build", folder, "-o", out, "--no-exports", "--no-analysis", "--workers", "2")
    assert code == 1  # some reports failed, the others were built
    assert_one_error_line(stderr, "r0999.txt")
    assert len(list((out / "extractions").glob("*.json"))) == 1999
    graphs = set(re.findall(r"<([^<>]+/r\d{4}/graph)> \.$", (out / "graph.nq").read_text(encoding="utf-8"), re.M))
    assert len(graphs) == 1999 and not any("/r0999/" in graph for graph in graphs)


# ---- names -----------------------------------------------------------------------------

NAMES = ["with space.txt", "quote'and\"double.txt", "<script>alert(1)<\\script>.txt",
         "<img src=x onerror=alert(1)>.txt", "-leading-dash.txt", "长" * 82 + ".txt", "a" * 246 + ".txt"]


def test_awkward_file_names_are_built(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    text = SMALL.read_text(encoding="utf-8")
    for name in NAMES:
        (folder / name).write_text(text, encoding="utf-8")
    assert max(len(name.encode("utf-8")) for name in NAMES) == 250
    out = tmp_path / "out"
    code, _, stderr = kg("build", folder, "-o", out, "--no-analysis", "--exports")
    assert (code, [line for line in stderr.splitlines() if line.startswith("kg: error")]) == (0, [])
    assert len(list((out / "extractions").glob("*.json"))) == len(NAMES)
    page = (out / "viewer.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page


def test_a_leading_dash_file_after_double_dash(tmp_path):
    path = tmp_path / "-r.txt"
    path.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, _ = kg("build", "-o", tmp_path / "out", "--no-exports", "--no-analysis", "--", path)
    assert code == 0 and list((tmp_path / "out" / "extractions").glob("*.json"))


def test_colliding_report_ids_name_both_files(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = kg("build", tmp_path / "a" / "same.txt", tmp_path / "b" / "same.txt", "-o", out,
                         "--no-exports", "--no-analysis")
    assert code == 1
    line = assert_one_error_line(stderr, str(tmp_path / "b" / "same.txt"), str(tmp_path / "a" / "same.txt"))
    assert "already used" in line
    assert len(list((out / "extractions").glob("*.json"))) == 1


# ---- text that tries to become markup, RDF or SPARQL -------------------------------------

HOSTILE_TEXT = (
    '<script>alert("title")</script>县2023年度法治政府建设工作报告\n'
    "一、工作情况\n"
    '县司法局印发《"><img src=x onerror=alert(1)>办法》，受理行政复议案件12件。\n'
    '推行"@zh . <http://evil.example/s> <http://evil.example/p> <http://evil.example/o> . #机制。\n'
    "二、存在问题\n"
    "一是</script><script>alert(2)</script>执法人员不足。\n"
    "三、下步安排\n"
    "一是充实执法人员}}; DROP ALL ;。\n"
)


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "hostile-2023.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    code, _, stderr = kg("build", root / "hostile-2023.txt", "-o", root / "out")
    assert code == 0, stderr
    return root / "out"


def test_markup_in_the_text_stays_inert_in_every_page(hostile_out):
    for page in sorted(hostile_out.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        for live in ("<script>alert", "<img src=x", "</script><script>"):
            assert live not in html, (page.name, live)


def test_text_never_becomes_rdf_statements(hostile_out):
    nquads = (hostile_out / "graph.nq").read_text(encoding="utf-8")
    assert not re.search(r"^<http://evil\.example/", nquads, re.M)
    code, stdout, _ = kg("query", hostile_out, "ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'http://evil.example/')) }")
    assert (code, stdout) == (0, "false\n")
    assert kg("validate", hostile_out, "-q")[0] == 0


@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; #', "> . } DELETE WHERE { ?s ?p ?o } #", "?agency"])
def test_a_parameter_never_becomes_sparql(hostile_out, value):
    before = (hostile_out / "graph.nq").read_bytes()
    code, stdout, stderr = kg("query", hostile_out, "metrics-of-agency", "-p", f"agency={value}", "-f", "json")
    assert code == 0, stderr
    assert '"bindings":[]' in stdout.replace(" ", "")
    assert (hostile_out / "graph.nq").read_bytes() == before
    assert kg("query", hostile_out, "reports")[1].strip().endswith("(1 row)")


@pytest.mark.parametrize("update", ["DROP ALL", "DELETE WHERE { ?s ?p ?o }", "INSERT DATA { <a:b> <a:c> <a:d> }",
                                    "LOAD <http://127.0.0.1:9/x.ttl>"])
def test_an_update_through_kg_query_is_refused_in_one_line(hostile_out, update):
    code, _, stderr = kg("query", hostile_out, update)
    assert code == 2
    assert "updates are refused" in assert_one_error_line(stderr)


def test_service_through_kg_query_is_refused_and_never_called(hostile_out):
    with Recorder() as recorder:
        code, _, stderr = kg("query", hostile_out, f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}")
        assert code == 2 and "SERVICE is refused" in assert_one_error_line(stderr)
        assert recorder.requests == []


def test_a_malformed_query_is_one_line(hostile_out):
    code, _, stderr = kg("query", hostile_out, "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTR\n}")
    assert code == 2
    assert re.search(r"query: line \d+, column \d+: ", assert_one_error_line(stderr))


def test_push_never_prints_the_password(hostile_out):
    endpoint = f"http://ann:topsecret@127.0.0.1:{free_port()}/store"  # nobody listens there
    code, stdout, stderr = kg("push", hostile_out, "--endpoint", endpoint)
    assert code == 2
    line = assert_one_error_line(stderr, "cannot reach the endpoint")
    assert "topsecret" not in stdout + stderr and "ann@127.0.0.1" in line


def test_ctrl_c_stops_kg_query_on_a_query_that_would_run_for_hours(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    graph = tmp_path / "graph.nq"
    graph.write_text("".join(f'<http://x.org/{i}> <http://x.org/p> "{i}" <http://x.org/g> .\n' for i in range(2000)),
                     encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "kg", "query", str(graph),
                                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not busy_thread(process.pid) and time.monotonic() < deadline:  # the query is being evaluated
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
        assert process.stderr.read().strip() == "kg: error: interrupted"
    finally:
        if process.poll() is None:
            process.kill()



def test_a_statement_too_long_for_the_parser_is_one_line_naming_the_file(tmp_path):
    """pyoxigraph's parser stops at a 16 MB statement (the text of a report of some 5 million characters)."""
    graph = tmp_path / "huge.nq"
    graph.write_text(f'<http://example.org/r> <http://example.org/p> "{"文" * (6 << 20)}" <http://example.org/g> .\n',
                     encoding="utf-8")
    code, _, stderr = kg("export", graph, "--to", "graphml", "-o", tmp_path / "huge.graphml")
    assert code != 0
    assert "kg query" in assert_one_error_line(stderr, str(graph), "16 MB")
    assert not (tmp_path / "huge.graphml").exists()
