"""The command line: exit codes, one-line errors without tracebacks, output never destroyed."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import atomic_write
from kg.resources import bundled_report

from .conftest import FIXTURES


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg: error")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version_and_help():
    from kg import __version__

    result = kg("--version")
    assert result.returncode == 0 and __version__ in result.stdout


@pytest.mark.parametrize("command", ["build", "extract", "validate", "evaluate", "analyze", "export",
                                     "query", "serve", "push"])
def test_every_command_has_help_with_an_example(command):
    result = kg(command, "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout and f"kg {command}" in result.stdout


def test_extract_prints_the_contract_json():
    result = kg("extract", bundled_report())
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("report", "metrics", "entities", "measures", "problems", "plans", "links", "gaps", "checks"):
        assert key in data
    assert data["report"]["year"] == 2024
    text = bundled_report().read_text(encoding="utf-8")
    for metric in data["metrics"]:
        assert text[metric["start"]:metric["end"]] == metric["text"]


def test_build_without_arguments_builds_the_bundled_report_into_out(tmp_path):
    result = kg("build", "--no-exports", "--no-analysis", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("graph.trig", "graph.ttl", "ontology/kg.ttl"):
        assert (tmp_path / "out" / name).is_file()


def test_validate_exit_codes(tmp_path, built_out):
    assert kg("validate", built_out / "graph.trig").returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix fz: <http://example.org/fzzf#> .\n<http://x/m> a fz:Metric .\n", encoding="utf-8")
    result = kg("validate", bad)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert_one_line_error(kg("validate", tmp_path / "absent.trig"), "absent.trig", "no such file")
    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is { not turtle", encoding="utf-8")
    assert_one_line_error(kg("validate", garbage), "garbage.ttl")


@pytest.mark.parametrize(
    "content, needle",
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\x00" * 50, "binary"),
        (b"\xb7\xa8\xd6\xce\xff\xff\xff\xfe", "undecodable"),
    ],
)
@pytest.mark.parametrize("command", ["extract", "build"])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, content, needle, command):
    path = tmp_path / "report.txt"
    if content is not None:
        path.write_bytes(content)
    args = [command, path] + (["-o", tmp_path / "out"] if command == "build" else [])
    result = kg(*args)
    assert_one_line_error(result, str(path), needle)
    assert result.stdout == ""


def test_folder_without_reports(tmp_path):
    (tmp_path / "notes.md").write_text("nothing here", encoding="utf-8")
    assert_one_line_error(kg("build", tmp_path, "-o", tmp_path / "out"), str(tmp_path), "no reports")


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert_one_line_error(kg("build", bundled_report(), "-o", blocker / "out"), str(blocker))


def test_text_without_sections_warns_and_still_extracts_metrics():
    result = kg("extract", FIXTURES / "structure-f-nostructure.txt")
    assert result.returncode == 0
    assert "warning" in result.stderr and "no sections" in result.stderr
    assert json.loads(result.stdout)["metrics"]


def test_batch_reports_a_bad_file_and_builds_the_rest(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_bytes((FIXTURES / "structure-a-county.txt").read_bytes())
    (reports / "b.txt").write_bytes(b"")
    (reports / "c.txt").write_bytes((FIXTURES / "structure-c-district.txt").read_bytes())
    result = kg("build", reports, "-o", tmp_path / "out", "--no-exports", "--no-analysis")
    assert result.returncode == 1
    assert "b.txt" in result.stderr and "empty" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "extractions").iterdir()) == ["a.json", "c.json"]


def test_failed_build_leaves_earlier_output_intact(tmp_path):
    out = tmp_path / "out"
    assert kg("build", bundled_report(), "-o", out, "--no-exports", "--no-analysis").returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert kg("build", empty, "-o", out).returncode == 2
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


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


def test_large_file_works_with_bounded_memory(tmp_path):
    """A 50 MB report of ordinary paragraphs: extracted, with memory a small multiple of the text."""
    paragraph = ("（一）规范执法行为。各执法部门持续规范行政执法程序，落实执法公示制度，推动执法信息及时公开，"
                 "强化执法监督检查，全年开展专项检查12次，切实提升执法工作的规范化水平和群众认可度。\n")
    path = tmp_path / "large.txt"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("临水县2023年度法治政府建设工作报告\n一、工作开展情况\n")
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(paragraph)
    script = (
        "import resource, sys\n"
        "from kg.pipeline import extract\n"
        f"x = extract({str(path)!r})\n"
        "print(len(x.metrics), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]
    metrics, peak_mb = map(int, result.stdout.split())
    assert metrics > 100_000
    assert peak_mb < 4096, f"peak memory {peak_mb} MB"


def test_large_batches_skip_the_exports_unless_asked(tmp_path, monkeypatch):
    import kg.build

    monkeypatch.setattr(kg.build, "EXPORT_REPORT_LIMIT", 1)
    sources = [FIXTURES / "structure-a-county.txt", FIXTURES / "structure-b-city.txt"]
    result = kg.build.build(sources, tmp_path / "auto", analyse=False)
    assert result.ok and not (tmp_path / "auto" / "viewer.html").exists()
    assert any("kg export" in w for w in result.warnings)
    forced = kg.build.build(sources, tmp_path / "forced", analyse=False, exports=True)
    assert forced.ok and (tmp_path / "forced" / "viewer.html").is_file()


@pytest.mark.parametrize("base", ["notaniri", "http://example.org/no-slash", "http://exa mple.org/"])
def test_a_bad_base_iri_is_one_clear_error(tmp_path, base):
    assert_one_line_error(kg("build", bundled_report(), "-o", tmp_path / "out", "--base", base), "--base")


def test_an_analysis_failure_is_reported_and_the_exports_still_written(tmp_path, monkeypatch):
    import kg.analyze
    import kg.build
    from kg.errors import KgError, OutputError

    def fail(graph, out):
        raise KgError(f"{out}: analysis cannot be written")

    monkeypatch.setattr(kg.analyze, "analyze", fail)
    with pytest.raises(OutputError, match="analysis cannot be written"):
        kg.build.build([FIXTURES / "structure-c-district.txt"], tmp_path)
    assert (tmp_path / "viewer.html").is_file()  # the exports were still written


@pytest.mark.parametrize("failure", ["bug", "death"])
def test_a_crash_while_finishing_the_graph_is_one_clear_error(tmp_path, monkeypatch, failure):
    import os

    import kg.build
    import kg.export
    from kg.errors import OutputError

    def crash(graph, out, **options):
        if failure == "death":
            os._exit(3)
        raise RuntimeError("unexpected")

    monkeypatch.setattr(kg.export, "export_all", crash)
    with pytest.raises(OutputError, match="unexpected" if failure == "bug" else "exit code 3") as caught:
        kg.build.build([FIXTURES / "structure-c-district.txt"], tmp_path)
    assert "\n" not in str(caught.value)
    assert (tmp_path / "graph.trig").is_file()


def test_the_finishing_shares_cover_every_export_once():
    import kg.build
    from kg.export import FORMATS

    steps = [step for share in kg.build._SHARES for step in share]
    assert sorted(steps) == sorted(["analysis", *FORMATS])


def test_an_export_that_cannot_be_written_is_named_and_the_others_are_written(tmp_path):
    (tmp_path / "graph.graphml").mkdir()  # a folder where the file should go
    result = kg("build", FIXTURES / "structure-c-district.txt", "-o", tmp_path)
    assert_one_line_error(result, "graph.graphml")
    for name in ("analysis.json", "graph.jsonld", "graph.gexf", "graph.cytoscape.json", "graph.dot", "viewer.html"):
        assert (tmp_path / name).is_file(), name


def _run_script(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_ctrl_c_while_the_exports_are_written_leaves_no_temporary_file(tmp_path):
    # The slowed writer, in a finishing process, interrupts the build itself once its temporary file exists.
    code = f"""
import os, signal, sys, time
import kg.export
from kg.build import atomic_path

def slow_gexf(graph, target):
    with atomic_path(target) as tmp:
        tmp.write_text("partial")
        os.kill(os.getppid(), signal.SIGINT)
        time.sleep(60)

kg.export.write_gexf = slow_gexf
from kg.cli import main
sys.argv = ["kg", "build", {str(FIXTURES / "structure-c-district.txt")!r}, "-o", "out"]
main()
"""
    result = _run_script(code, tmp_path)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "interrupted" in result.stderr
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
    assert not (tmp_path / "out" / "graph.gexf").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_no_process_outlives_a_killed_build(tmp_path, workers):
    # The build dies outright while reporting a bad file (mid-extraction): its worker and finishing
    # processes must not linger, waiting on pipes that their siblings still hold.
    (tmp_path / "empty.txt").write_text("")
    code = f"""
import multiprocessing, os, time
import kg.build

def die(message):
    time.sleep(0.5)  # let every worker start
    with open("children.txt", "w") as handle:
        handle.write(" ".join(str(p.pid) for p in multiprocessing.active_children()))
    os._exit(9)

reports = ["empty.txt", {str(FIXTURES / "structure-c-district.txt")!r}, {str(FIXTURES / "structure-a-county.txt")!r}]
kg.build.build(reports, "out", workers={workers}, on_error=die)
"""
    result = _run_script(code, tmp_path)
    assert result.returncode == 9, result.stderr
    pids = [int(pid) for pid in (tmp_path / "children.txt").read_text().split()]
    assert len(pids) == 2 + (workers if workers > 1 else 0)

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
