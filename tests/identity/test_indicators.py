"""Metrics mapped to comparable indicators: annotated sentences of our own, the scheme as data, the tidy table."""
from __future__ import annotations

import csv
import json

import pytest

from kg.identity.indicators import indicator_scheme
from kg.model import ReportMeta
from kg.outputs.indicators import COLUMNS, write_indicators
from kg.pipeline import extract_text
from tests.conftest import FIXTURES

CASES = [json.loads(line) for line in (FIXTURES / "corpus" / "indicator-cases.jsonl").read_text("utf-8").splitlines()
         if line.strip()]


def _matter(indicator_id):
    return indicator_scheme()[indicator_id].matter.rsplit("matter-", 1)[1]


@pytest.fixture(scope="module")
def mapped():
    out = []
    for number, case in enumerate(CASES):
        text = f"某县2023年度法治政府建设工作报告\n一、主要工作\n（一）依法行政。{case['sentence']}\n二、存在问题\n一是人员不足。\n"
        extraction = extract_text(text, ReportMeta(id=f"case-{number}", source="c.txt", encoding="utf-8", sha256=""))
        metric = next((m for m in extraction.metrics if case["metric"] in m.span.text), None)
        assert metric is not None, f"{case['sentence']}: no metric {case['metric']}"
        out.append((case, metric))
    return out


def test_standard_matters_map_to_their_indicator_in_most_cases(mapped):
    expected = [(case, metric) for case, metric in mapped if case["indicator"]]
    right = [case["sentence"] for case, metric in expected if metric.indicator == case["indicator"]]
    assert len(expected) >= 40
    assert len(right) / len(expected) >= 0.85, [(c["sentence"], m.indicator) for c, m in expected
                                                 if m.indicator != c["indicator"]]


def test_no_metric_maps_to_a_wrong_matter(mapped):
    wrong = [(case["sentence"], metric.indicator) for case, metric in mapped
             if metric.indicator and _matter(metric.indicator) != case["matter"]]
    assert not wrong


def test_a_mapping_records_method_and_confidence(mapped):
    for _, metric in mapped:
        if metric.indicator:
            assert metric.indicator_method in ("subject", "subject+sentence", "sentence")
            assert 0 < metric.indicator_confidence <= 1


def test_the_scheme_has_25_defined_indicators_with_units_and_rate_parts():
    from rdflib import Graph, Namespace
    from rdflib.namespace import SKOS

    from kg.resources import ontology_dir

    fz = Namespace("http://example.org/fzzf#")
    graph = Graph().parse(ontology_dir() / "indicators.ttl")
    scheme = indicator_scheme()
    assert len(scheme) >= 25
    for indicator in scheme.values():
        node = graph.resource(indicator.iri)
        assert {d.language for d in node.objects(SKOS.definition)} == {"en", "zh"}
        assert node.value(fz.indicatorUnit) is not None
        if indicator.kind == "rate":
            assert node.value(fz.numerator) and node.value(fz.denominator), indicator.id


def test_the_bundled_report_maps_its_standard_figures(bundled_extraction):
    by_text = {m.span.text: m.indicator for m in bundled_extraction.metrics}
    assert by_text["269件"] == "admin-review-received" and by_text["1.61%"] == "litigation-loss-rate"
    assert by_text["99.5%"] == "mediation-success-rate" and by_text["1048件"] == "legal-aid-cases"


def test_indicators_csv_has_the_contract_columns_and_one_row_per_metric(tmp_path, bundled_extraction):
    contract = bundled_extraction.to_contract()
    written = write_indicators([contract], tmp_path)
    with open(tmp_path / "indicators.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0].keys()) == COLUMNS
    assert {"report", "jurisdiction", "division_code", "year", "indicator", "indicator_label", "value", "unit",
            "approx", "metric", "start", "end", "text"} <= set(COLUMNS)
    assert len(rows) == len(contract["metrics"])
    row = next(r for r in rows if r["text"] == "269件")
    assert (row["division_code"], row["year"], row["indicator_label"]) == ("410928000000", "2024", "新收行政复议案件数")
    first = (tmp_path / "indicators.csv").read_bytes()
    write_indicators([contract], tmp_path)
    assert (tmp_path / "indicators.csv").read_bytes() == first
    if len(written) == 2:  # pyarrow installed: the same rows as Parquet
        import pyarrow.parquet as pq

        table = pq.read_table(tmp_path / "indicators.parquet")
        assert table.num_rows == len(rows) and table.column_names == list(COLUMNS)
