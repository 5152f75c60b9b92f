"""Word documents: paragraphs, headings and table rows in order; core properties; damaged files."""
from __future__ import annotations

import io

import docx
import pytest

from kg.errors import InputError
from kg.readers import read_document


def _write(path, build):
    document = docx.Document()
    build(document)
    document.save(path)


def test_paragraphs_headings_and_tables_are_lines_in_order(tmp_path):
    def build(d):
        d.core_properties.title = "梧桐县2023年度法治政府建设工作报告"
        d.add_heading("梧桐县2023年度法治政府建设工作报告", level=0)
        d.add_heading("一、主要举措", level=1)
        d.add_paragraph("全年办理行政复议案件62件。")
        table = d.add_table(rows=3, cols=3)
        for r, row in enumerate([("项目", "数量", "同比"), ("行政复议", "62件", "增长5%"), ("行政诉讼", "31件", "")]):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        table.cell(2, 1).merge(table.cell(2, 2))
        d.add_paragraph("二、存在问题\n一是执法力量不足。")  # a manual line break

    path = tmp_path / "report.docx"
    _write(path, build)
    meta, text = read_document(path)
    assert text.splitlines() == ["梧桐县2023年度法治政府建设工作报告", "一、主要举措", "全年办理行政复议案件62件。",
                                 "项目\t数量\t同比", "行政复议\t62件\t增长5%", "行政诉讼\t31件", "二、存在问题",
                                 "一是执法力量不足。"]
    assert (meta.format, meta.title) == ("docx", "梧桐县2023年度法治政府建设工作报告")


def test_a_placeholder_title_is_not_taken(tmp_path):
    def build(d):
        d.core_properties.title = "Microsoft Word - 文档1"
        d.add_paragraph("云岭市人民政府关于2022年度法治政府建设情况的报告")

    path = tmp_path / "r.docx"
    _write(path, build)
    meta, _ = read_document(path)
    assert meta.title is None  # the text's first line gives it later (kg.extraction.metadata)


@pytest.mark.parametrize("name, data, needle", [
    ("bad.docx", b"PK\x03\x04" + b"\x00" * 40 + b"word/", "not a readable Word"),
    ("bad.txt", b"PK\x03\x04 not a zip at all", "neither a Word")])
def test_a_damaged_word_file_is_one_line(tmp_path, name, data, needle):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=needle) as info:
        read_document(path)
    assert "\n" not in str(info.value)


def test_an_empty_word_document_is_refused(tmp_path):
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    path = tmp_path / "empty.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="holds no text"):
        read_document(path)
