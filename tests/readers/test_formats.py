"""One report in every format it is published in: the same metrics, exact provenance, chrome kept out.

The fixtures of ``tests/fixtures/formats/`` carry the text of ``report.txt``
(written by ``make_fixtures.py``; committed, so no Chromium is needed here).
"""
from __future__ import annotations

from collections import Counter

import pytest

from kg.errors import InputError
from kg.extraction.script import to_simplified
from kg.pipeline import extract
from kg.readers import SUFFIXES, read_document

from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"
TITLE = "柳溪县2024年度法治政府建设工作报告"
# file, format, encoding, script, published (what the file states, else what the text says)
CASES = [
    ("report-utf8.html", "html", "utf-8", "simplified", "2025-03-12T09:30"),
    ("report-gbk.html", "html", "gb18030", "simplified", "2025-03-12T09:30"),
    ("page-table-gbk.html", "html", "gb18030", "simplified", "2025-03-12"),
    ("page-zoom.html", "html", "utf-8", "simplified", "2025-03-12"),
    ("report.docx", "docx", "utf-8", "simplified", "2025-03-10"),  # no 发布时间 line: the closing date
    ("report.pdf", "pdf", "utf-8", "simplified", "2025-03-12"),
    ("report-trad.txt", "text", "utf-8", "traditional", "2025-03-12"),
    ("report-big5.txt", "text", "big5", "traditional", "2025-03-12"),
    ("report-hkscs.txt", "text", "big5hkscs", "traditional", "2025-03-12"),
]


def _metrics(extraction) -> Counter:
    return Counter((to_simplified(m.span.text), m.value, m.unit) for m in extraction.metrics)


@pytest.fixture(scope="module")
def plain():
    return extract(FORMATS / "report.txt")


@pytest.fixture(scope="module")
def extractions():
    return {name: extract(FORMATS / name) for name, *_ in CASES}


@pytest.mark.parametrize("name, fmt, encoding, script, published", CASES)
def test_every_format_finds_the_metrics_of_the_plain_text(plain, extractions, name, fmt, encoding, script, published):
    x = extractions[name]
    expected, found = _metrics(plain), _metrics(x)
    matched = sum((expected & found).values())
    precision, recall = matched / max(1, sum(found.values())), matched / sum(expected.values())
    assert len(plain.metrics) >= 25
    assert precision >= 0.95 and recall >= 0.95, (name, expected - found, found - expected)
    meta = x.report
    assert (meta.format, meta.encoding, meta.script) == (fmt, encoding, script)
    assert to_simplified(meta.title) == TITLE and (meta.jurisdiction, meta.year) == ("柳溪县", 2024)
    assert meta.published == published


@pytest.mark.parametrize("name", [case[0] for case in CASES] + ["report.txt"])
def test_every_offset_indexes_the_text_the_reader_extracted(extractions, plain, name):
    x = plain if name == "report.txt" else extractions[name]
    _, text = read_document(FORMATS / name)
    assert x.text == text
    spans = [m.span for m in x.metrics] + [i.span for i in x.items] + [s.heading for s in x.sections]
    spans += [r.evidence for r in x.relations if r.evidence] + [m.clause for m in x.metrics if m.clause]
    spans += [s for s in (x.report.title_span, x.report.published_span) if s]
    assert spans and all(text[s.start:s.end] == s.text for s in spans)
    mentions = [m for e in x.entities for m in e.mentions]
    assert mentions and all(text[m.start:m.end] == m.text for m in mentions)
    assert x.to_contract()["report"]["format"] in ("text", "html", "docx", "pdf")


@pytest.mark.parametrize("name", [case[0] for case in CASES if case[1] == "html"])
def test_page_chrome_yields_no_metric_and_no_entity(plain, extractions, name):
    x = extractions[name]
    assert not (_metrics(x) - _metrics(plain)), "a metric from the page's navigation, sidebar or footer"
    labels = {e.label for e in plain.entities}
    assert {e.label for e in x.entities} <= labels
    for chrome in ("关闭窗口", "打印", "主办", "ICP", "浏览次数", "分享", "相关", "上一篇", "访问", "索引号"):
        assert chrome not in x.text


def test_traditional_reports_keep_their_own_characters_with_simplified_alt_labels(extractions):
    x = extractions["report-big5.txt"]
    assert x.report.title == "柳溪縣2024年度法治政府建設工作報告"
    agency = next(e for e in x.entities if e.label == "柳溪縣司法局")
    assert "柳溪县司法局" in agency.alt_labels
    assert all(to_simplified(e.label) in e.alt_labels or to_simplified(e.label) == e.label for e in x.entities)
    assert any("辦" in m.span.text or "萬" in m.span.text for m in x.metrics)  # spans in the report's characters
    assert "𨋢" in extractions["report-hkscs.txt"].text  # the HKSCS character decoded


@pytest.mark.parametrize("name, needle", [("report-scan.pdf", "no text layer"), ("report-cid.pdf", "glyph numbers")])
def test_a_pdf_without_usable_text_needs_ocr(name, needle):
    with pytest.raises(InputError) as info:
        read_document(FORMATS / name)
    message = str(info.value)
    assert needle in message and "needs OCR" in message and "\n" not in message
    assert message.startswith(str(FORMATS / name))


def test_kg_extract_refuses_a_scan_with_exit_2():
    from tests.test_cli import assert_one_line_error, kg

    result = kg("extract", FORMATS / "report-scan.pdf")
    assert_one_line_error(result, "needs OCR")
    assert result.stdout == ""


def test_a_folder_build_takes_every_format(tmp_path):
    import json
    import shutil

    from kg.pipeline import build

    reports = tmp_path / "reports"
    reports.mkdir()
    copies = {"report.txt": "a.txt", "report-gbk.html": "b.html", "report.docx": "c.docx", "report.pdf": "d.pdf",
              "report-scan.pdf": "e.pdf"}
    for source, target in copies.items():
        shutil.copy(FORMATS / source, reports / target)
    (reports / "notes.md").write_text("# not a report\n", encoding="utf-8")
    result = build([reports], tmp_path / "out", analyse=False, exports=False)
    assert sorted(result.built) == ["a", "b", "c", "d"], result
    assert len(result.failed) == 1 and "needs OCR" in result.failed[0]
    assert any("notes.md" in w for w in result.warnings)
    formats = {json.loads(p.read_text(encoding="utf-8"))["report"]["format"]
               for p in (tmp_path / "out" / "extractions").glob("*.json")}
    assert formats == {"text", "html", "docx", "pdf"}


def test_suffixes_cover_every_published_format():
    assert {".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".docx", ".pdf", ".doc", ".wps", ".ofd"} <= set(SUFFIXES)
