"""Metadata from the text: title, jurisdiction, year, publication date, the reporting department."""
from __future__ import annotations

import pytest

from kg.extraction.metadata import report_metadata
from kg.readers.text import read_report

from tests.conftest import FIXTURES


def _metadata(path):
    meta, text = read_report(path)
    return report_metadata(text, meta), text


@pytest.mark.parametrize(
    "name, title, jurisdiction, year, published",
    [
        ("structure-a-county.txt", "梧桐县2023年度法治政府建设工作报告", "梧桐县", 2023, "2024-01-30T09:15"),
        ("structure-b-city.txt", "云岭市人民政府关于2022年度法治政府建设情况的报告", "云岭市", 2022, "2023-03-18"),
        ("structure-c-district.txt", "松江湾区2023年法治政府建设年度报告", "松江湾区", 2023, "2024-01-22"),
        # No metadata line: the issuing body and date close the report instead.
        ("structure-d-department.txt", "石门市市场监督管理局2023年度法治政府建设工作报告", "石门市", 2023, "2024-03-05"),
        ("structure-e-bureau.txt", "北岭市统计局2023年度法治政府建设工作情况报告", "北岭市", 2023, "2024-02-26"),
        ("structure-f-nostructure.txt", None, None, None, None),
    ],
)
def test_metadata_forms(name, title, jurisdiction, year, published):
    meta, text = _metadata(FIXTURES / name)
    assert (meta.title, meta.jurisdiction, meta.year, meta.published) == (title, jurisdiction, year, published)
    if meta.title_span:
        assert text[meta.title_span.start:meta.title_span.end] == meta.title


def test_bundled_metadata_matches_gold(gold):
    from kg.resources import bundled_report

    meta, _ = _metadata(bundled_report())
    expected = gold["report"]
    assert meta.title == expected["title"]
    assert meta.jurisdiction == expected["jurisdiction"]
    assert meta.year == expected["year"]
    assert meta.published == expected["published"]


@pytest.mark.parametrize(
    "name, author",
    [("structure-d-department.txt", "石门市市场监督管理局"), ("structure-e-bureau.txt", "北岭市统计局"),
     ("structure-a-county.txt", None), ("structure-b-city.txt", None)],
)
def test_a_department_reporting_on_itself_is_the_author(name, author):
    meta, _ = _metadata(FIXTURES / name)
    assert meta.department == author


def test_crlf_line_ends_do_not_hide_the_metadata(tmp_path):
    original = (FIXTURES / "structure-a-county.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(original.encode("utf-8"))
    meta, text = _metadata(path)
    assert meta.published == "2024-01-30T09:15"
    assert text[meta.title_span.start:meta.title_span.end] == meta.title


# --- reports as published: openings without a usable title, departments, file names ---------

OPENINGS = FIXTURES / "openings" / "openings.jsonl"


def _openings():
    import json

    return [json.loads(line) for line in OPENINGS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_jurisdiction_and_year_right_on_at_least_90_percent_of_openings():
    rows = _openings()
    assert len(rows) >= 40
    levels = {row["level"] for row in rows}
    assert {"county", "city", "district", "township", "street", "department", "development zone"} <= levels
    wrong = []
    for row in rows:
        meta = report_metadata(row["text"])
        if (meta.jurisdiction, meta.year) != (row["jurisdiction"], row["year"]):
            wrong.append((row["id"], meta.jurisdiction, meta.year))
    share = 1 - len(wrong) / len(rows)
    assert share >= 0.90, f"jurisdiction and year right on {share:.0%} of openings; wrong: {wrong}"


def test_departments_of_the_openings_are_named():
    rows = [row for row in _openings() if row["level"] == "department"]
    assert len(rows) >= 8
    right = sum(report_metadata(row["text"]).department == row["department"] for row in rows)
    assert right / len(rows) >= 0.9
    governments = [row for row in _openings() if row["level"] != "department"]
    assert all(report_metadata(row["text"]).department is None for row in governments)


@pytest.mark.parametrize(
    "text, title, jurisdiction, year",
    [
        ("云岭市人民政府关于2022年度法治政府\n建设情况的报告\n2022年，市政府推进依法行政。",
         "云岭市人民政府关于2022年度法治政府建设情况的报告", "云岭市", 2022),
        ("梧桐县人民政府\n关于2023年度法治政府建设工作情况的报告\n今年以来，县政府依法行政。",
         "梧桐县人民政府关于2023年度法治政府建设工作情况的报告", "梧桐县", 2023),
        # Two lines that are each a sentence are not a title.
        ("2023年，梧桐县依法行政。\n一、法治政府建设情况\n", None, "梧桐县", 2023),
    ],
)
def test_a_title_split_over_two_lines(text, title, jurisdiction, year):
    meta = report_metadata(text)
    assert (meta.title, meta.jurisdiction, meta.year) == (title, jurisdiction, year)
    if title:
        span = meta.title_span
        assert text[span.start:span.end] == span.text and span.text.replace("\n", "") == title


def test_a_title_in_the_file_name_when_the_text_has_none():
    from kg.model import ReportMeta

    meta = ReportMeta(id="x", source="白水县2023年度法治政府建设工作报告.txt", encoding="utf-8", sha256="")
    meta = report_metadata("一、主要工作\n全年办理行政复议案件12件。\n", meta)
    assert (meta.title, meta.jurisdiction, meta.year, meta.title_span) == (
        "白水县2023年度法治政府建设工作报告", "白水县", 2023, None)


def test_a_title_the_file_stated_gives_the_place_and_year():
    from kg.model import ReportMeta

    meta = ReportMeta(id="x", source="a.html", encoding="utf-8", sha256="", title="东川区2022年法治政府建设年度报告")
    meta = report_metadata("一、主要工作\n全年办理行政复议案件12件。\n", meta)
    assert (meta.title, meta.jurisdiction, meta.year) == ("东川区2022年法治政府建设年度报告", "东川区", 2022)


@pytest.mark.parametrize(
    "title, jurisdiction",
    [("苏州市2023年度法治政府建设工作报告", "苏州市"), ("通州区2023年法治政府建设年度报告", "通州区"),
     ("兰州市统计局2023年度法治政府建设工作情况报告", "兰州市")],
)
def test_names_with_zhou_inside_are_whole(title, jurisdiction):
    assert report_metadata(title + "\n").jurisdiction == jurisdiction


def test_a_bad_cue_file_is_named(tmp_path, monkeypatch):
    from kg.errors import DataError
    from kg.extraction import metadata

    bad = tmp_path / "metadata-cues.json"
    bad.write_text('{"title_topics": ["法治"]}', encoding="utf-8")
    monkeypatch.setattr("kg.resources.lexicon_file", lambda name: bad)
    metadata._cues.cache_clear()
    try:
        with pytest.raises(DataError, match="metadata-cues.json: missing key"):
            report_metadata("x")
    finally:
        monkeypatch.undo()
        metadata._cues.cache_clear()
