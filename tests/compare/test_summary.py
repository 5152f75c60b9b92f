"""corpus.json: the contract's shape, a stable order, per-series work only, written atomically."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

import kg.compare.summary as summary_module
from kg.compare.summary import SUMMARY_KEYS, corpus_summary, series_fingerprint, write_corpus_json

from tests.fixtures.comparisons import corpus


@pytest.fixture(scope="module")
def summary():
    return corpus_summary(list(corpus.extractions()))


def test_the_contract_keys_and_types(summary):
    assert tuple(summary) == SUMMARY_KEYS
    for report in summary["reports"]:
        assert {"id", "file", "jurisdiction", "division_code", "year", "published", "days_after_deadline",
                "parts"} <= set(report)
        assert set(report["parts"]) == {"measures", "problems", "first_responsible", "plans"}
        assert report["file"].endswith(".txt")
    for series in summary["series"]:
        assert isinstance(series["jurisdiction"], str) and series["reports"]
    for row in summary["yoy_checks"]:
        assert row["status"] in ("consistent", "inconsistent", "cannot_check")
        assert {"report", "metric", "start", "end", "text"} <= set(row["later"])
        assert row["earlier"] is None or {"report", "metric", "start", "end", "text"} <= set(row["earlier"])
        assert isinstance(row["stated_change"], (int, float))
    for row in summary["recurring_problems"]:
        assert {"report", "problem", "start", "end"} <= set(row["earlier"]) and 0 < row["score"] <= 1
    for row in summary["follow_through"]:
        assert row["status"] in ("followed", "not_followed")
        assert all({"report", "measure", "start", "end", "score"} <= set(m) for m in row["measures"])


def test_order_does_not_depend_on_input_order(summary):
    shuffled = list(corpus.extractions())
    random.Random(3).shuffle(shuffled)
    assert json.dumps(corpus_summary(shuffled), ensure_ascii=False) == json.dumps(summary, ensure_ascii=False)


def test_same_bytes_whatever_the_hash_seed(tmp_path, summary):
    folder = tmp_path / "x"
    folder.mkdir()
    for extraction in corpus.extractions():
        (folder / f"{extraction['report']['id']}.json").write_text(json.dumps(extraction, ensure_ascii=False),
                                                                 encoding="utf-8")
    script = ("import json, sys, pathlib; from kg.compare.summary import corpus_summary; "
              "xs = [json.loads(p.read_text(encoding='utf-8')) for p in pathlib.Path(sys.argv[1]).glob('*.json')]; "
              "sys.stdout.write(json.dumps(corpus_summary(xs), ensure_ascii=False))")
    outputs = {subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed, "TZ": tz}).stdout
               for seed, tz in (("1", "UTC"), ("2", "Asia/Shanghai"), ("3", "America/New_York"))}
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == json.loads(json.dumps(summary))


def test_series_are_compared_on_their_own(monkeypatch):
    calls = []
    original = summary_module.series_results
    monkeypatch.setattr(summary_module, "series_results",
                        lambda members: calls.append([m["report"]["id"] for m in members]) or original(members))
    corpus_summary(list(corpus.extractions()))
    assert sorted(calls) == sorted(corpus.expected()["series"])


def test_the_fingerprint_changes_with_a_member_and_only_then():
    members = [x for x in corpus.extractions() if x["report"]["id"].startswith("fenghe")]
    same = json.loads(json.dumps(members))
    changed = json.loads(json.dumps(members))
    changed[1]["report"]["sha256"] = "0" * 64
    assert series_fingerprint(members) == series_fingerprint(same) != series_fingerprint(changed)


def test_one_report_gives_one_entry_and_no_comparisons():
    single = corpus_summary([corpus.by_id()["fenghe-2023"]])
    assert [r["id"] for r in single["reports"]] == ["fenghe-2023"] and len(single["series"]) == 1
    assert single["follow_through"] == [] and single["recurring_problems"] == []


def test_written_as_utf8_json(tmp_path, summary):
    path = write_corpus_json(summary, tmp_path)
    assert path == tmp_path / "corpus.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(summary))
    assert "丰禾县" in path.read_text(encoding="utf-8")


def test_shared_entities_appear_in_several_reports_with_their_iri():
    rows = corpus_summary(list(corpus.extractions()), shared_iri=lambda key: "http://x.org/" + key)["shared_entities"]
    assert rows and all(len(r["reports"]) > 1 and r["iri"] == "http://x.org/" + r["key"] for r in rows)
    assert [r["key"] for r in rows] == sorted(r["key"] for r in rows)
    # The same body of two years of one county is one entry: identity resolution's key, not its label.
    assert any(r["type"] == "Agency" and r["reports"] == ["deqing-2022", "deqing-2023"] for r in rows)
