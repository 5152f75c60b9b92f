"""The command line: exit codes, one-line errors without tracebacks, output never destroyed."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.resources import bundled_report

from tests.conftest import FIXTURES


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
                                     "query", "serve", "push", "optimize", "merges"])
def test_every_command_has_help_with_an_example(command):
    result = kg(command, "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout and f"kg {command}" in result.stdout


def test_optimize_compacts_a_build_and_refuses_a_folder_without_a_store(tmp_path):
    out = tmp_path / "out"
    assert kg("build", bundled_report(), "-o", out, "--no-exports", "--no-analysis").returncode == 0
    before = kg("query", out, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv").stdout
    result = kg("optimize", out)
    assert result.returncode == 0, result.stderr
    assert "MB before" in result.stderr and "MB after" in result.stderr
    after = kg("query", out, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv").stdout
    assert after == before and int(after.split()[-1]) > 1000
    assert_one_line_error(kg("optimize", tmp_path), "no store here")


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


@pytest.mark.parametrize("base", ["notaniri", "http://example.org/no-slash", "http://exa mple.org/"])
def test_a_bad_base_iri_is_one_clear_error(tmp_path, base):
    assert_one_line_error(kg("build", bundled_report(), "-o", tmp_path / "out", "--base", base), "--base")
