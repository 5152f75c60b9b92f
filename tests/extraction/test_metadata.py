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
