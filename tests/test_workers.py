"""kg.workers and the corpus path of kg.build: worker processes, spooled output, same bytes as serial."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.pipeline import build
from kg.pipeline import report_contents
from kg.workers import extract_many
from kg.errors import KgError
from kg.rdf.namespaces import DEFAULT_BASE

from tests.conftest import FIXTURES


@pytest.fixture()
def corpus(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("query-a-county.txt", "query-b-city.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    # Full-width punctuation turned ASCII: a third report in the other common style.
    text = (FIXTURES / "query-a-county.txt").read_text(encoding="utf-8")
    ascii_text = text.translate(str.maketrans("，（）：；", ",():;"))
    (folder / "query-c-ascii.txt").write_text(ascii_text, encoding="utf-8")
    (folder / "query-d-empty.txt").write_bytes(b"")
    return folder


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != "store"}  # a database's files are not ours


def test_parallel_build_equals_serial_build_byte_for_byte(corpus, tmp_path):
    serial = build([corpus], tmp_path / "serial", workers=1, analyse=False, exports=False)
    parallel = build([corpus], tmp_path / "parallel", workers=2, analyse=False, exports=False)
    assert serial.built == parallel.built == ["query-a-county", "query-b-city", "query-c-ascii"]
    assert len(parallel.failed) == 1 and "query-d-empty.txt" in parallel.failed[0]
    assert _files(tmp_path / "serial") == _files(tmp_path / "parallel")
    out = tmp_path / "parallel"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".kg"]
    assert sorted(p.name for p in (out / ".kg").iterdir()) == ["dashboard", "manifest.json", "reports", "series"]  # no spool
    assert sorted(p.name for p in (out / "extractions").iterdir()) == [
        "query-a-county.json", "query-b-city.json", "query-c-ascii.json"]


def test_one_named_graph_per_report_and_the_corpus_graph(corpus, tmp_path):
    from kg.rdf.corpus import corpus_graph_iri

    build([corpus], tmp_path / "out", workers=2, analyse=False, exports=False)
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "out" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in store.named_graphs())
    assert graphs == sorted([f"{DEFAULT_BASE}query-{n}/graph" for n in ("a-county", "b-city", "c-ascii")]
                            + [corpus_graph_iri(DEFAULT_BASE)])
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    trig = ox.Store()
    trig.bulk_load(path=str(tmp_path / "out" / "graph.trig"), format=ox.RdfFormat.TRIG)
    assert len(trig) == len(store)


def test_rebuild_keeps_earlier_output_when_nothing_builds(corpus, tmp_path):
    out = tmp_path / "out"
    build([corpus], out, workers=2, analyse=False, exports=False)
    before = (out / "graph.nq").read_bytes()
    result = build([corpus / "query-d-empty.txt"], out, workers=2, analyse=False, exports=False)
    assert not result.built and result.failed
    assert (out / "graph.nq").read_bytes() == before


def test_extract_many_spools_to_files_in_order(corpus, tmp_path):
    paths = sorted(corpus.glob("*.txt"))
    spool = tmp_path / "spool"
    spool.mkdir()
    outcomes = list(extract_many(paths, report_contents, base=DEFAULT_BASE, workers=2, spool=spool))
    assert [path for path, _ in outcomes] == paths
    assert isinstance(outcomes[-1][1], KgError)
    outcome = outcomes[0][1]
    first_line = outcome.files["nq"].read_text(encoding="utf-8").split("\n", 1)[0]
    assert outcome.report_id == "query-a-county" and first_line.startswith(f"<{DEFAULT_BASE}query-a-county>")
    assert first_line.endswith(f" <{DEFAULT_BASE}query-a-county/graph> .")
    assert sorted(outcome.files) == ["card", "corpus", "csv", "json", "nq", "trig"] and outcome.files["json"].is_file()
