"""kg.pipeline.build, the orchestrator of ``kg build``: what it writes, in which order, and what survives a failure."""
from __future__ import annotations

import os
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

ONE_REPORT = FIXTURES / "structure-c-district.txt"


def test_a_build_writes_the_graph_the_ontology_the_analysis_and_the_exports(tmp_path):
    result = kg.pipeline.build([ONE_REPORT], tmp_path)
    assert result.ok and result.built == ["structure-c-district"]
    for name in ("graph.trig", "graph.ttl", "graph.nq", "ontology/kg.ttl", "ontology/shapes.ttl",
                 "extractions/structure-c-district.json", "analysis.json", "analysis.html", "viewer.html",
                 "graph.graphml", "graph.gexf", "graph.cytoscape.json", "graph.jsonld", "graph.dot",
                 "neo4j/nodes.csv"):
        assert (tmp_path / name).is_file(), name
    leftovers = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.name.startswith(".")]
    assert leftovers == [".kg"]  # the spool and every temporary file are gone
    assert sorted(p.name for p in (tmp_path / ".kg").iterdir()) == ["dashboard", "manifest.json", "reports", "series"]
    assert (tmp_path / "store" / "CURRENT").is_file()  # the on-disk store


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


def test_corpus_builds_skip_the_exports_and_the_analysis_unless_asked(tmp_path):
    sources = [FIXTURES / "structure-a-county.txt", FIXTURES / "structure-b-city.txt"]
    result = kg.pipeline.build(sources, tmp_path / "auto")
    assert result.ok and not (tmp_path / "auto" / "viewer.html").exists()
    assert not (tmp_path / "auto" / "analysis.json").exists() and (tmp_path / "auto" / "graph.ttl").is_file()
    assert any("kg export" in w for w in result.warnings) and any("kg analyze" in w for w in result.warnings)
    forced = kg.pipeline.build(sources, tmp_path / "forced", analyse=False, exports=True)
    assert forced.ok and (tmp_path / "forced" / "viewer.html").is_file()


def test_one_huge_report_skips_the_exports_and_the_analysis_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(kg.pipeline, "EXPORT_GRAPH_BYTES", 1000)  # as if the report were enormous
    source = [FIXTURES / "structure-a-county.txt"]
    result = kg.pipeline.build(source, tmp_path / "auto")
    assert result.ok and not (tmp_path / "auto" / "viewer.html").exists()
    assert not (tmp_path / "auto" / "analysis.json").exists()
    assert any("MB of TriG" in w and "kg export" in w for w in result.warnings)
    forced = kg.pipeline.build(source, tmp_path / "forced", analyse=True, exports=True)
    assert forced.ok and (tmp_path / "forced" / "viewer.html").is_file()
    assert (tmp_path / "forced" / "analysis.json").is_file()


def _files(out: Path) -> dict[str, bytes]:
    """Every file of a build but the store's (a database: its content is deterministic, its files are not)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != "store"}


@pytest.fixture()
def previous(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A complete earlier build of one report, and its files."""
    out = tmp_path / "out"
    assert kg.pipeline.build([FIXTURES / "structure-a-county.txt"], out).ok
    return out, _files(out)


def test_an_analysis_failure_fails_the_build_and_keeps_the_previous_output(previous, monkeypatch):
    out, before = previous

    def fail(graph, out):
        raise KgError(f"{out}: analysis cannot be written")

    monkeypatch.setattr(kg.outputs.analysis, "analyze", fail)
    with pytest.raises(OutputError, match="analysis cannot be written"):
        kg.pipeline.build([ONE_REPORT], out)
    assert _files(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".out.lock", "out"]  # no staging folder left


def test_a_bug_in_the_exports_is_one_clear_error_and_nothing_is_replaced(previous, monkeypatch):
    out, before = previous

    def crash(graph, out, **options):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(kg.outputs.export, "export_all", crash)
    with pytest.raises(OutputError, match="exports failed .*unexpected") as caught:
        kg.pipeline.build([ONE_REPORT], out)
    assert "\n" not in str(caught.value)
    assert _files(out) == before


def test_every_failing_step_is_named_in_one_line(previous, monkeypatch):
    out, before = previous

    def fail_analysis(graph, out):
        raise KgError("the analysis failed here")

    def fail_graphml(graph, path):
        raise OutputError(f"{path}: cannot write (No space left on device)")

    monkeypatch.setattr(kg.outputs.analysis, "analyze", fail_analysis)
    monkeypatch.setattr(kg.outputs.export, "write_graphml", fail_graphml)
    with pytest.raises(OutputError) as caught:
        kg.pipeline.build([ONE_REPORT], out)
    assert "the analysis failed here" in str(caught.value) and "graph.graphml" in str(caught.value)
    assert _files(out) == before


def _run_script(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_ctrl_c_while_the_exports_are_written_leaves_nothing_behind(tmp_path):
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock"]  # no output, no staging folder


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


# --- incremental builds ---------------------------------------------------------------------------

def _store_quads(out: Path) -> set[str]:
    import pyoxigraph as ox

    return {str(q) for q in ox.Store.read_only(str(out / "store"))}


@pytest.fixture()
def three(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("structure-a-county.txt", "structure-b-city.txt", "structure-c-district.txt"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    return folder


def test_a_rebuild_extracts_only_what_changed_and_equals_a_fresh_build(three, tmp_path):
    out = tmp_path / "out"
    first = kg.pipeline.build([three], out, analyse=False, exports=False)
    assert first.built == ["structure-a-county", "structure-b-city", "structure-c-district"]
    text = (three / "structure-b-city.txt").read_text(encoding="utf-8")
    (three / "structure-b-city.txt").write_text(text.replace("11项", "12项", 1), encoding="utf-8")  # changed
    assert (three / "structure-b-city.txt").read_text(encoding="utf-8") != text
    (three / "structure-c-district.txt").unlink()  # gone
    (three / "structure-e-bureau.txt").write_bytes((FIXTURES / "structure-e-bureau.txt").read_bytes())  # new
    second = kg.pipeline.build([three], out, analyse=False, exports=False)
    assert second.built == ["structure-b-city", "structure-e-bureau"]
    assert second.reused == ["structure-a-county"]
    fresh = kg.pipeline.build([three], tmp_path / "fresh", analyse=False, exports=False)
    assert _files(out) == _files(tmp_path / "fresh")
    assert _store_quads(out) == _store_quads(tmp_path / "fresh")
    assert not list((out / "extractions").glob("structure-c-district*"))


def test_rebuild_extracts_everything_again(three, tmp_path):
    out = tmp_path / "out"
    kg.pipeline.build([three], out, analyse=False, exports=False)
    again = kg.pipeline.build([three], out, analyse=False, exports=False, rebuild=True)
    assert len(again.built) == 3 and not again.reused


def test_a_changed_extraction_version_extracts_everything_again(three, tmp_path, monkeypatch):
    import kg.store.generation

    out = tmp_path / "out"
    kg.pipeline.build([three], out, analyse=False, exports=False)
    monkeypatch.setattr(kg.store.generation, "extraction_version", lambda: "another-version")
    again = kg.pipeline.build([three], out, analyse=False, exports=False)
    assert len(again.built) == 3 and not again.reused


# --- the output folder is replaced as a whole ----------------------------------------------------

def test_a_folder_that_is_not_a_build_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own file", encoding="utf-8")
    with pytest.raises(OutputError, match="not empty and not the output of a kg build"):
        kg.pipeline.build([ONE_REPORT], out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_second_build_of_the_same_folder_is_refused_while_one_runs(previous):
    import fcntl

    out, before = previous
    with open(out.parent / ".out.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        with pytest.raises(OutputError, match="another kg build is writing this folder"):
            kg.pipeline.build([ONE_REPORT], out)
    assert _files(out) == before


def test_staging_folders_of_killed_builds_are_swept(previous):
    out, _ = previous
    stale = out.parent / ".out.staging-99999"
    (stale / "store").mkdir(parents=True)
    (stale / "graph.nq").write_text("half a build", encoding="utf-8")
    assert kg.pipeline.build([ONE_REPORT], out, analyse=False, exports=False).ok
    assert not stale.exists()


def test_nothing_built_keeps_the_previous_output(previous, tmp_path):
    out, before = previous
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = kg.pipeline.build([empty], out)
    assert not result.built and result.failed
    assert _files(out) == before


# --- killed, interrupted, racing, out of room --------------------------------------------------

@pytest.fixture()
def batch(tmp_path) -> Path:
    """Thirty reports (copies of the fixtures under other names): a build that lasts a few seconds."""
    folder = tmp_path / "batch"
    folder.mkdir()
    sources = sorted(p for p in FIXTURES.glob("*.txt") if p.stat().st_size > 500)
    for index in range(30):
        source = sources[index % len(sources)]
        (folder / f"r{index:02d}-{source.name}").write_bytes(source.read_bytes())
    return folder


def _start_build(batch: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "build", str(batch), "-o", str(out), "--exports", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the build ended before the point to stop it at: {process.stderr.read()}"
        assert time.monotonic() < deadline, "the build never reached the point to stop it at"
        time.sleep(0.005)


def _staging(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*"))


def _extracting(out: Path):
    return lambda: any(list(s.glob(".kg/spool/*.json")) for s in _staging(out))


def _exporting(out: Path):
    return lambda: any((s / "neo4j").exists() or (s / "graph.graphml").exists() for s in _staging(out))


@pytest.mark.parametrize("point", ["extracting", "exporting"])
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT", "SIGTERM"])
def test_a_stopped_build_leaves_the_previous_output_and_the_next_build_completes(previous, batch, point,
                                                                                 signal_name):
    import signal

    out, before = previous
    process = _start_build(batch, out)
    _wait_for((_extracting if point == "extracting" else _exporting)(out), process)
    process.send_signal(getattr(signal, signal_name))
    _, stderr = process.communicate(timeout=120)
    assert _files(out) == before  # the previous generation, whole
    if signal_name != "SIGKILL":
        assert process.returncode == {"SIGINT": 130, "SIGTERM": 143}[signal_name]
        assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
        assert not _staging(out)  # cleaned up on the way out
    result = kg.pipeline.build([batch], out, analyse=False, exports=False)
    assert result.ok and len(result.reports) == 30
    assert not _staging(out)


def _journaled(out: Path, reports: int):
    return lambda: any(len((s / ".kg" / "journal.jsonl").read_bytes().splitlines()) >= reports
                       for s in _staging(out) if (s / ".kg" / "journal.jsonl").is_file())


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
def test_the_build_after_a_stopped_one_takes_its_finished_reports_and_equals_a_fresh_build(
        previous, batch, tmp_path, signal_name):
    import signal

    out, before = previous
    process = _start_build(batch, out, "--workers", "1")
    _wait_for(_journaled(out, 5), process)
    process.send_signal(getattr(signal, signal_name))
    process.communicate(timeout=120)
    assert _files(out) == before
    # Ctrl-C keeps the finished part as .OUT.interrupted; after kill -9 the next build finds its staging folder.
    (stopped,) = [*_staging(out), *out.parent.glob(f".{out.name}.interrupted")]
    with open(stopped / ".kg" / "journal.jsonl", "ab") as journal:
        journal.write(b'{"id": "r29-')  # a line torn by the kill
    resumed = kg.pipeline.build([batch], out, exports=True)
    assert resumed.ok and len(resumed.built) == 30 and len(resumed.resumed) >= 5
    assert not (out.parent / f".{out.name}.interrupted").exists() and not _staging(out)
    fresh = kg.pipeline.build([batch], tmp_path / "fresh", exports=True)
    assert _files(out) == _files(tmp_path / "fresh")
    assert _quads(out) == _quads(tmp_path / "fresh")


def _quads(out: Path) -> list[str]:
    import pyoxigraph as ox

    return sorted(str(q) for q in ox.Store.read_only(str(out / "store")))


def test_two_builds_racing_for_one_folder_one_wins_whole(tmp_path, batch):
    out = tmp_path / "race"
    first = _start_build(batch, out)
    _wait_for(lambda: bool(_staging(out)), first)
    second = _start_build(FIXTURES / "structure-a-county.txt", out)
    _, second_err = second.communicate(timeout=120)
    _, first_err = first.communicate(timeout=300)
    assert second.returncode == 2 and "another kg build is writing this folder" in second_err
    assert first.returncode == 0, first_err
    extractions = sorted(p.stem for p in (out / "extractions").iterdir())
    assert len(extractions) == 30
    viewer = (out / "viewer.html").read_text(encoding="utf-8")
    assert "30 reports" in viewer  # the viewer of the same run as the graph


@pytest.mark.skipif(os.geteuid() != 0 if hasattr(os, "geteuid") else True,
                    reason="mounting a small tmpfs needs root; as another user the full disk is not simulated")
def test_a_full_disk_is_one_line_and_keeps_the_previous_output(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        out = disk / "out"
        small = subprocess.run([sys.executable, "-m", "kg", "build", str(FIXTURES / "structure-f-nostructure.txt"),
                                "-o", str(out), "--no-exports", "--no-analysis"], capture_output=True, text=True)
        assert small.returncode == 0, small.stderr
        before = _files(out)
        full = subprocess.run([sys.executable, "-m", "kg", "build", str(bundled_report()), "-o", str(out)],
                              capture_output=True, text=True)
        assert full.returncode == 2 and "Traceback" not in full.stderr
        lines = full.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left on device" in lines[0], full.stderr
        assert _files(out) == before and not _staging(out)
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def _make_read_only(folder: Path):
    """Make a folder unwritable, for root too (chattr +i) or by mode for others; return the undo."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot make a folder read-only for root here: {done.stderr.decode().strip()}")
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o555)
    return lambda: folder.chmod(0o755)


def test_a_read_only_location_is_one_line_and_keeps_the_previous_output(previous):
    out, before = previous
    undo = _make_read_only(out.parent)
    try:
        result = subprocess.run([sys.executable, "-m", "kg", "build", str(ONE_REPORT), "-o", str(out)],
                                capture_output=True, text=True)
    finally:
        undo()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert _files(out) == before


def test_a_read_only_subfolder_of_the_previous_output_does_not_mix_generations(previous):
    out, _ = previous
    undo = _make_read_only(out / "ontology")
    try:
        result = subprocess.run([sys.executable, "-m", "kg", "build", str(ONE_REPORT), "-o", str(out)],
                                capture_output=True, text=True)
    finally:
        undo()
    assert result.returncode == 0, result.stderr
    assert sorted(p.stem for p in (out / "extractions").iterdir()) == ["structure-c-district"]
    analysis = (out / "analysis.json").read_text(encoding="utf-8")
    assert "structure-c-district" in analysis and "structure-a-county" not in analysis


def test_a_report_whose_id_would_clash_with_the_shared_nodes_is_refused(tmp_path):
    corpus = tmp_path / "corpus.txt"  # its IRIs would be BASE + "corpus/…", where the shared bodies live
    corpus.write_bytes((FIXTURES / "structure-a-county.txt").read_bytes())
    result = kg.pipeline.build([corpus, ONE_REPORT], tmp_path / "out", analyse=False, exports=False)
    assert result.built == ["structure-c-district"]
    assert len(result.failed) == 1 and "kept for the corpus graph" in result.failed[0]


def test_a_rebuild_compares_again_only_the_series_that_changed(tmp_path, monkeypatch):
    """Series results are kept by their members' fingerprint: an unchanged series is not compared again."""
    import kg.compare.summary

    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted((FIXTURES / "comparisons").glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    first = kg.pipeline.build([folder], out, analyse=False, exports=False)
    before = (out / "corpus.json").read_bytes()
    compared = []
    real = kg.compare.summary.series_results
    monkeypatch.setattr(kg.compare.summary, "series_results", lambda members: compared.append(
        [m["report"]["id"] for m in members]) or real(members))
    again = kg.pipeline.build([folder], out, analyse=False, exports=False)
    assert again.reused == first.built and compared == []  # nothing changed: every series from the cache
    assert (out / "corpus.json").read_bytes() == before
    changed = folder / "deqing-2023.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
    kg.pipeline.build([folder], out, analyse=False, exports=False)
    assert compared == [["deqing-2022", "deqing-2023"]]


def test_a_rebuild_makes_again_only_the_dashboard_of_the_series_that_changed(tmp_path, monkeypatch):
    """The page's fragments are kept by series: the page of a rebuild is made of kept and new ones, and is
    byte for byte the page of a fresh build."""
    import kg.outputs.dashboard

    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted((FIXTURES / "comparisons").glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    kg.pipeline.build([folder], out, analyse=False, exports=False)
    made = []
    real = kg.outputs.dashboard._fragment
    monkeypatch.setattr(kg.outputs.dashboard, "_fragment", lambda series, extractions, results: made.append(
        sorted(extractions)) or real(series, extractions, results))
    changed = folder / "deqing-2023.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
    kg.pipeline.build([folder], out, analyse=False, exports=False)
    assert made == [["deqing-2022", "deqing-2023"]]
    kg.pipeline.build([folder], tmp_path / "fresh", analyse=False, exports=False)
    assert (out / "corpus.html").read_bytes() == (tmp_path / "fresh" / "corpus.html").read_bytes()
