"""kg.pipeline.build, the orchestrator of ``kg build``: what it writes, in which order, and what survives a failure."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg.outputs.analysis
import kg.outputs.export
import kg.pipeline
from kg.errors import KgError, OutputError
from kg.io import atomic_write
from kg.resources import bundled_report

from tests.conftest import FIXTURES
from tests.test_cli import assert_one_line_error, kg as run_kg

ONE_REPORT = FIXTURES / "structure-c-district.txt"


def test_a_build_writes_the_graph_the_ontology_the_analysis_and_the_exports(tmp_path):
    result = kg.pipeline.build([ONE_REPORT], tmp_path)
    assert result.ok and result.built == ["structure-c-district"]
    for name in ("graph.trig", "graph.ttl", "graph.nq", "ontology/kg.ttl", "ontology/shapes.ttl",
                 "extractions/structure-c-district.json", "analysis.json", "analysis.html", "viewer.html",
                 "graph.graphml", "graph.gexf", "graph.cytoscape.json", "graph.jsonld", "graph.dot",
                 "neo4j/nodes.csv"):
        assert (tmp_path / name).is_file(), name
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".")]
    assert leftovers == []  # the spool and every temporary file are gone


def test_the_bundled_report_is_built_when_no_report_is_given(tmp_path):
    result = kg.pipeline.build(None, tmp_path, analyse=False, exports=False)
    assert result.built == [bundled_report().stem]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", explode)
    with pytest.raises(Exception, match="No space left"):
        atomic_write(target, "new")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]  # no temporary file left behind


def test_large_batches_skip_the_exports_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(kg.pipeline, "EXPORT_REPORT_LIMIT", 1)
    sources = [FIXTURES / "structure-a-county.txt", FIXTURES / "structure-b-city.txt"]
    result = kg.pipeline.build(sources, tmp_path / "auto", analyse=False)
    assert result.ok and not (tmp_path / "auto" / "viewer.html").exists()
    assert any("kg export" in w for w in result.warnings)
    forced = kg.pipeline.build(sources, tmp_path / "forced", analyse=False, exports=True)
    assert forced.ok and (tmp_path / "forced" / "viewer.html").is_file()


def test_an_analysis_failure_is_reported_and_the_exports_still_written(tmp_path, monkeypatch):
    def fail(graph, out):
        raise KgError(f"{out}: analysis cannot be written")

    monkeypatch.setattr(kg.outputs.analysis, "analyze", fail)
    with pytest.raises(OutputError, match="analysis cannot be written"):
        kg.pipeline.build([ONE_REPORT], tmp_path)
    assert (tmp_path / "viewer.html").is_file()  # the exports were still written


def test_a_bug_in_the_exports_is_one_clear_error_and_the_graph_is_kept(tmp_path, monkeypatch):
    def crash(graph, out, **options):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(kg.outputs.export, "export_all", crash)
    with pytest.raises(OutputError, match="exports failed .*unexpected") as caught:
        kg.pipeline.build([ONE_REPORT], tmp_path)
    assert "\n" not in str(caught.value)
    assert (tmp_path / "graph.trig").is_file() and (tmp_path / "analysis.json").is_file()


def test_an_export_that_cannot_be_written_is_named_and_the_others_are_written(tmp_path):
    (tmp_path / "graph.graphml").mkdir()  # a folder where the file should go
    result = run_kg("build", ONE_REPORT, "-o", tmp_path)
    assert_one_line_error(result, "graph.graphml")
    for name in ("analysis.json", "graph.jsonld", "graph.gexf", "graph.cytoscape.json", "graph.dot", "viewer.html"):
        assert (tmp_path / name).is_file(), name


def _run_script(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_ctrl_c_while_the_exports_are_written_leaves_no_temporary_file(tmp_path):
    # The slowed writer interrupts the build itself once its temporary file exists.
    code = f"""
import os, signal, sys, time
import kg.outputs.export
from kg.io import atomic_path

def slow_gexf(graph, target):
    with atomic_path(target) as tmp:
        tmp.write_text("partial")
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(60)

kg.outputs.export.write_gexf = slow_gexf
from kg.cli import main
sys.argv = ["kg", "build", {str(ONE_REPORT)!r}, "-o", "out"]
main()
"""
    result = _run_script(code, tmp_path)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "interrupted" in result.stderr
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
    assert not (tmp_path / "out" / "graph.gexf").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads process states from /proc (Linux only)")
def test_no_worker_outlives_a_killed_build(tmp_path):
    # The build dies outright while reporting a bad file (mid-extraction): its workers must not
    # linger, waiting on pipes that their siblings still hold.
    (tmp_path / "empty.txt").write_text("")
    code = f"""
import multiprocessing, os, time
import kg.pipeline

def die(message):
    time.sleep(0.5)  # let every worker start
    with open("children.txt", "w") as handle:
        handle.write(" ".join(str(p.pid) for p in multiprocessing.active_children()))
    os._exit(9)

reports = ["empty.txt", {str(ONE_REPORT)!r}, {str(FIXTURES / "structure-a-county.txt")!r}]
kg.pipeline.build(reports, "out", workers=2, on_error=die)
"""
    result = _run_script(code, tmp_path)
    assert result.returncode == 9, result.stderr
    pids = [int(pid) for pid in (tmp_path / "children.txt").read_text().split()]
    assert len(pids) == 2

    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return False
        return state not in ("Z", "X")

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids)
