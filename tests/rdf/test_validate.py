"""kg.rdf.validate: one named graph at a time, a report on its own, failures named by graph."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.errors import InputError
from kg.rdf.load import named_graphs
from kg.rdf.validate import run_checks, validate

from tests.conftest import FIXTURES

REPORTS = ["query-a-county", "query-b-city"]
VALUE = "<http://example.org/fzzf#value>"
EXACT = "<http://www.w3.org/ns/oa#exact>"


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory) -> Path:
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("validate") / "out"
    assert build([FIXTURES / f"{name}.txt" for name in REPORTS], out, analyse=False, exports=False).built == REPORTS
    return out


def graph_of(report: str) -> str:
    return f"http://example.org/fzzf/data/{report}/graph"


def graph_names(out: Path) -> list[str]:
    """The named graphs of OUT's graph.nq in file order (the reports', and any a build adds, such as the corpus)."""
    names = re.findall(r"<([^<>]+)> \.$", (out / "graph.nq").read_text(encoding="utf-8"), re.M)
    return list(dict.fromkeys(names))


def broken_copy(out: Path, tmp_path: Path, report: str, pattern: str, replace) -> Path:
    """graph.nq of OUT with the first line of REPORT's graph matching PATTERN changed by REPLACE."""
    lines = (out / "graph.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if re.search(pattern, line) and f"<{graph_of(report)}> ." in line)
    lines[at] = replace(lines[at])
    target = tmp_path / "graph.nq"
    target.write_text("".join(lines), encoding="utf-8")
    return target


def test_a_build_conforms_graph_by_graph(two_reports):
    result = validate(two_reports)
    assert (result.conforms, result.graphs, result.violations, result.failing) == (
        True, len(graph_names(two_reports)), 0, {})


def test_each_graph_is_read_on_its_own(two_reports):
    groups = list(named_graphs(two_reports / "graph.nq"))
    assert [name for name, _ in groups] == graph_names(two_reports)
    assert {graph_of(r) for r in REPORTS} <= {name for name, _ in groups}
    lines = (two_reports / "graph.nq").read_text(encoding="utf-8").splitlines()
    for name, triples in groups:
        assert len(triples) == sum(1 for line in lines if line.endswith(f"<{name}> ."))


def test_a_violation_is_named_by_its_graph_and_report_option_narrows(two_reports, tmp_path):
    broken = broken_copy(two_reports, tmp_path, "query-b-city", re.escape(VALUE), lambda line: "")
    result = validate(broken)
    assert not result.conforms and result.graphs == len(graph_names(two_reports)) and result.violations >= 1
    assert list(result.failing) == [graph_of("query-b-city")]
    assert f"Graph {graph_of('query-b-city')}:" in result.text and graph_of("query-a-county") not in result.text
    assert validate(broken, report="query-a-county").conforms
    alone = validate(broken, report="query-b-city")
    assert (alone.conforms, alone.graphs) == (False, 1)


def test_a_span_that_is_not_the_text_fails_its_check(two_reports, tmp_path):
    broken = broken_copy(two_reports, tmp_path, "query-a-county", re.escape(EXACT) + ' "[^"]',
                         lambda line: line.replace(f'{EXACT} "', f'{EXACT} "X', 1))
    result = validate(broken)
    assert result.failed_checks == {"span-mismatch-violation": 1}
    assert list(result.failing) == [graph_of("query-a-county")]
    assert run_checks(broken) == {"span-mismatch-violation": 1}


def test_interleaved_graphs_are_validated_whole(two_reports, tmp_path):
    broken = broken_copy(two_reports, tmp_path, "query-b-city", re.escape(VALUE), lambda line: "")
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(7).shuffle(lines)
    shuffled = tmp_path / "shuffled.nq"
    shuffled.write_text("".join(lines), encoding="utf-8")
    ordered, mixed = validate(broken), validate(shuffled)
    assert (mixed.conforms, mixed.graphs, mixed.violations, mixed.failing) == (
        ordered.conforms, ordered.graphs, ordered.violations, ordered.failing)


def test_an_unknown_report_names_those_it_holds(two_reports):
    with pytest.raises(InputError, match=r"no report 'nope' in this graph \(it holds query-a-county, query-b-city\)"):
        validate(two_reports, report="nope")


def test_cli_validate_still_answers_with_its_exit_code(two_reports, tmp_path):
    from kg.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["validate", str(two_reports), "-q"]).exit_code == 0
    broken = broken_copy(two_reports, tmp_path, "query-b-city", re.escape(VALUE), lambda line: "")
    done = runner.invoke(main, ["validate", str(broken)])
    assert done.exit_code == 1 and graph_of("query-b-city") in done.output
