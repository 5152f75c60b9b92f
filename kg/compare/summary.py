"""What a build says about its reports together: the ``corpus.json`` object of the contract.

:func:`corpus_summary` takes the extraction JSONs (``OUT/extractions/*.json``) and
gives ``reports`` (parts, days after the deadline), ``series``, ``yoy_checks``,
``follow_through``, ``recurring_problems`` and ``shared_entities``, in a stable order.

The work is linear in the corpus: reports are grouped into series (one sort), and
each series is compared on its own, consecutive years only (:func:`series_results`);
no pair of reports from different series is ever looked at. The results of a series
depend on nothing but its members, so an incremental build can keep them:
:func:`series_fingerprint` hashes the members' ids and content hashes with the rule
files, and a series whose fingerprint is unchanged reuses its stored results.

>>> import json
>>> from kg.pipeline import extract
>>> from kg.resources import bundled_report
>>> summary = corpus_summary([extract(bundled_report()).to_contract()])
>>> [r["id"] for r in summary["reports"]], summary["reports"][0]["parts"]["first_responsible"]
(['puyang-2024'], False)
"""
from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

from kg.compare.follow import follow_through
from kg.compare.parts import report_parts
from kg.compare.recurring import recurring_problems
from kg.compare.rules import rules_file
from kg.compare.series import group_series, year_pairs
from kg.compare.similarity import SeriesIdf, item_features
from kg.compare.timeliness import days_after_deadline, report_level
from kg.compare.yoy import yoy_checks

__all__ = ["corpus_summary", "summarise", "report_card", "series_results", "series_fingerprint", "report_entry",
           "write_corpus_json", "SUMMARY_KEYS"]

SUMMARY_KEYS = ("reports", "series", "yoy_checks", "recurring_problems", "follow_through", "shared_entities")
_RULE_FILES = ("supervision-2019.json", "comparisons.json")


def report_entry(extraction: dict) -> dict:
    """One report's row of ``reports``: the contract's fields, then what the dashboard shows."""
    report = extraction["report"]
    division = report.get("division") or {}
    path = division.get("path") or []
    return {
        "id": report["id"], "file": report.get("source") or report["id"],
        "jurisdiction": report.get("jurisdiction"), "division_code": division.get("code"),
        "year": report.get("year"), "published": report.get("published"),
        "days_after_deadline": days_after_deadline(report), "parts": report_parts(extraction),
        "title": report.get("title"), "department": report.get("department"), "level": report_level(report),
        "province": path[0] if path else None,
        "counts": {kind: len(extraction.get(kind, [])) for kind in ("measures", "problems", "plans", "metrics")},
    }


def series_results(members: list[dict]) -> dict:
    """The comparisons within one series (its extraction JSONs, oldest first).

    ``{"yoy_checks": […], "follow_through": […], "recurring_problems": […]}``; the
    result depends only on ``members`` and the rule files (see :func:`series_fingerprint`).
    """
    pairs = year_pairs(members)
    # Items are compared only across a pair of years: a series without one needs no features.
    features = {m["report"]["id"]: item_features(m) for m in members} if pairs else {}
    idf = SeriesIdf(f for by_item in features.values() for f in by_item.values())
    previous = {}
    for earlier, later in pairs:
        previous.setdefault(later["report"]["id"], []).append(earlier)
    yoy, follow, recurring = [], [], []
    for member in members:
        earlier = previous.get(member["report"]["id"])
        # Two reports of one year before (a revised copy): check against the first; the pairs below see both.
        yoy.extend(yoy_checks(member, earlier[0] if earlier else None))
    for earlier, later in pairs:
        follow.extend(follow_through(earlier, later, features, idf))
        recurring.extend(recurring_problems(earlier, later, features, idf))
    return {"yoy_checks": yoy, "follow_through": follow, "recurring_problems": recurring}


def series_fingerprint(members: list[dict]) -> str:
    """A hash of what :func:`series_results` depends on: members' ids and sha256, and the rule files."""
    digest = hashlib.sha256()
    for member in members:
        report = member["report"]
        digest.update(f"{report['id']}\0{report.get('sha256') or ''}\0{report.get('year')}\n".encode())
    for name in _RULE_FILES:
        digest.update(rules_file(name).read_bytes())
    return digest.hexdigest()


def report_card(extraction: dict) -> dict:
    """What the summary needs of one report besides its comparisons: its ``report``, its row, its shared entities.

    A build makes each report's card where it extracts it, so that the corpus
    summary reads a few hundred bytes a report and loads whole extractions only
    one series at a time, for the comparisons.
    """
    return {"report": extraction["report"], "entry": report_entry(extraction),
            "shared": [[e["shared_key"], e["type"], e["label"]] for e in extraction.get("entities", [])
                       if e.get("shared_key")]}


def _shared_entities(cards: list[dict], iri) -> list[dict]:
    """Entities that identity resolution keyed across reports and that appear in more than one."""
    found: dict[str, dict] = {}
    for card in cards:
        report_id = card["report"]["id"]
        for key, kind, label in card["shared"]:
            row = found.setdefault(key, {"iri": iri(key) if iri else key, "key": key, "type": kind,
                                         "label": label, "reports": set()})
            row["reports"].add(report_id)
    return [{**row, "reports": sorted(row["reports"])} for key, row in sorted(found.items())
            if len(row["reports"]) > 1]


def _ordered(rows: list[dict], first: str, key: str = "start") -> list[dict]:
    return sorted(rows, key=lambda r: (r[first]["report"], r[first][key]))


def corpus_summary(extractions: list[dict], *, shared_iri=None) -> dict:
    """The ``corpus.json`` object of ``../shared/contract.md`` for these extraction JSONs.

    ``shared_iri(key)`` gives a shared entity's IRI (``functools.partial(kg.rdf.triples.shared_iri,
    base)`` in a build); without it ``iri`` is the shared key itself (relative to the base's corpus path).
    """
    by_id = {x["report"]["id"]: x for x in extractions}
    return summarise([report_card(x) for x in extractions], by_id.__getitem__, shared_iri=shared_iri)


def summarise(cards: list[dict], load, *, shared_iri=None, cache=None) -> dict:
    """The ``corpus.json`` object from the reports' cards (:func:`report_card`).

    ``load(report_id)`` gives a report's extraction JSON; it is called for one
    series at a time, so memory holds one series, never the corpus. ``cache``
    (``get(fingerprint)``, ``put(fingerprint, results)``) keeps each series'
    results under :func:`series_fingerprint`: an unchanged series is not compared again.
    """
    cards = sorted(cards, key=lambda c: c["report"]["id"])
    series_out, yoy, follow, recurring = [], [], [], []
    for series in group_series(cards):
        members = series["members"]
        series_out.append({"jurisdiction": series["jurisdiction"], "division_code": series["division_code"],
                           "department": series["department"],
                           "reports": [m["report"]["id"] for m in members]})
        fingerprint = series_fingerprint(members)
        results = cache.get(fingerprint) if cache is not None else None
        if results is None:
            results = series_results([load(m["report"]["id"]) for m in members])
            if cache is not None:
                cache.put(fingerprint, results)
        yoy.extend(results["yoy_checks"])
        follow.extend(results["follow_through"])
        recurring.extend(results["recurring_problems"])
    return {
        "reports": [card["entry"] for card in cards],
        "series": series_out,
        "yoy_checks": _ordered(yoy, "later"),
        "recurring_problems": _ordered(recurring, "earlier"),
        "follow_through": _ordered(follow, "plan"),
        "shared_entities": _shared_entities(cards, shared_iri),
    }


def write_corpus_json(summary: dict, out: str | Path) -> Path:
    """Write ``summary`` as ``OUT/corpus.json`` (``out`` is the build folder or the file), atomically."""
    from kg.io import atomic_write

    path = Path(out)
    if path.suffix != ".json":
        path = path / "corpus.json"
    # A piece at a time (json.dump's own pieces): as one indented string a corpus's summary takes hundreds of MB.
    pieces = json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(summary)
    atomic_write(path, itertools.chain(pieces, ["\n"]))
    return path
