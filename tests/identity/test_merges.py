"""The fixture corpus (two jurisdictions × two years, two house styles) is one graph: shared bodies, one 纲要, a logged merge for every fold."""
from __future__ import annotations

import json
import shutil

import pytest

from kg.identity.merges import format_merges, format_plan, list_merges, plan_merges
from kg.pipeline import build
from tests.conftest import FIXTURES

CORPUS = sorted((FIXTURES / "corpus").glob("*.txt"))


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    result = build(CORPUS, out, analyse=False, exports=False)
    assert result.ok and len(result.built) == 4, result.failed
    return out


@pytest.fixture(scope="module")
def contracts(corpus_out):
    return [json.loads(p.read_text("utf-8")) for p in sorted((corpus_out / "extractions").glob("*.json"))]


def _reports_of(contracts, key):
    return sorted(c["report"]["id"] for c in contracts for e in c["entities"] if e.get("shared_key") == key)


def test_the_same_body_is_one_node_in_both_years(contracts):
    for key in ("body/420528000000/长阳土家族自治县司法局", "body/420528000000/长阳土家族自治县人民法院",
                "body/360103000000/西湖区人民法院", "body/360103000000/西湖区司法局"):
        years = {c["report"]["year"] for c in contracts if c["report"]["id"] in _reports_of(contracts, key)}
        assert years == {2022, 2023}, key


def test_the_provincial_justice_departments_of_two_provinces_stay_two(contracts):
    keys = {e["shared_key"] for c in contracts for e in c["entities"] if e["label"] == "省司法厅"}
    assert keys == {"body/420000000000/湖北省司法厅", "body/360000000000/江西省司法厅"}


def test_the_national_outline_is_one_node_cited_by_every_report(contracts):
    key = "document/法治政府建设实施纲要(2021-2025年)"
    assert _reports_of(contracts, key) == sorted(c["report"]["id"] for c in contracts)


def test_every_fold_is_in_the_merge_log(corpus_out, contracts):
    logged = {(r["report"], r["label"]) for r in list_merges(corpus_out) if r["into"]}
    from kg.identity.identity import shared_name

    folds = {(c["report"]["id"], e["label"]) for c in contracts for e in c["entities"]
             if e.get("shared_key") and shared_name(e["shared_key"]) != e["label"]}
    assert folds and folds <= logged
    rows = [r for r in list_merges(corpus_out) if r["label"] == "县法院"]
    assert rows[0]["into_label"] == "长阳土家族自治县人民法院"
    assert "relative-name:县→长阳土家族自治县" in rows[0]["rule"]
    assert format_merges(rows).count("\n") == 2


def test_the_dry_run_shows_what_a_corpus_build_would_merge(contracts):
    plan = {group["key"]: group for group in plan_merges(contracts)}
    court = plan["body/420528000000/长阳土家族自治县人民法院"]
    assert {(f["report"], f["label"]) for f in court["forms"]} == {
        ("changyang-2022", "长阳土家族自治县人民法院"), ("changyang-2023", "县法院")}
    assert [f["rules"] for f in court["forms"] if f["label"] == "县法院"][0][0].startswith("relative-name")
    assert "长阳土家族自治县人民法院\tchangyang-2023\t县法院" in format_plan([court])


def test_each_merge_names_the_node_it_was_merged_into_and_no_other(corpus_out):
    """A merge without a shared node must not be given some other node (an OPTIONAL join gone wide)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(corpus_out / "store"))
    targets: dict[tuple[str, str], set[str]] = {}
    for row in store.query("""
        PREFIX fz: <http://example.org/fzzf#>
        SELECT ?e ?label ?into WHERE { GRAPH ?g { ?e fz:merge ?m . ?m fz:mergedLabel ?label .
                                                  OPTIONAL { ?m fz:mergedInto ?into } } }"""):
        key = (row["e"].value, row["label"].value)
        targets.setdefault(key, set())
        if row["into"] is not None:
            targets[key].add(row["into"].value)
    rows = list_merges(corpus_out)
    assert rows and any(r["into"] is None for r in rows) and any(r["into"] for r in rows)
    for row in rows:
        expected = targets[(row["entity"], row["label"])]
        assert (row["into"] in expected) if expected else row["into"] is None, row


def test_a_build_folder_lists_its_merges_from_its_store(corpus_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(corpus_out, out)
    for name in ("graph.nq", "graph.trig"):  # emptied: only the store still holds the merges
        (out / name).write_text("", encoding="utf-8")
    assert list_merges(out) == list_merges(corpus_out) != []
