"""The PDF reader's layout rules on lines of known position, and the code points of PDF fonts."""
from __future__ import annotations

import pytest

from kg.readers.pdf import Line, drop_furniture, fold_pdf_code_points, join_lines

LEFT, RIGHT, SIZE = 50.0, 400.0, 12.0


def line(text, top, *, indent=0.0, full=True):
    x0 = LEFT + indent
    return Line(text, x0, RIGHT if full else x0 + SIZE * len(text), top, SIZE)


def test_a_wrap_inside_a_number_and_a_sentence_is_joined():
    page = [line("（一）强化执法监督。全年学法1", 700, indent=2 * SIZE), line("2次，审议事项18项。", 680, full=False),
            line("二、存在的问题", 660, indent=2 * SIZE, full=False)]
    assert join_lines([page]) == "（一）强化执法监督。全年学法12次，审议事项18项。\n二、存在的问题\n"


def test_a_sentence_runs_on_across_a_page_break_but_a_heading_does_not():
    first = [line("调解组织受理矛盾纠", 100)]
    second = [line("纷5,436件，调解成功率99.0%。", 700, full=False), line("（二）推进普法", 680, full=False)]
    assert join_lines([first, second]) == "调解组织受理矛盾纠纷5,436件，调解成功率99.0%。\n（二）推进普法\n"


def test_an_indented_line_starts_a_paragraph_even_after_a_full_line():
    page = [line("上一段写满了整行而没有句号", 700), line("下一段首行缩进两个字", 680, indent=2 * SIZE, full=False)]
    assert join_lines([page]).splitlines() == ["上一段写满了整行而没有句号", "下一段首行缩进两个字"]


def test_latin_words_cut_by_a_wrap_keep_a_space():
    page = [line("the report of the", 700), line("county", 680, full=False)]
    assert join_lines([page]) == "the report of the county\n"


def test_running_headers_footers_and_page_numbers_are_dropped():
    bodies = ["调解组织受理纠纷。", "办理复议案件。", "开展普法宣讲。"]
    pages = [[line("柳溪县人民政府文件", 800, full=False), line(body, 700, full=False),
              line(f"— {n} —", 40, full=False)] for n, body in enumerate(bodies, 1)]
    pages[0].append(line("第1页 共3页", 30, full=False))
    kept = [[l.text for l in page] for page in drop_furniture(pages)]
    assert kept == [[body] for body in bodies]


def test_a_single_page_keeps_its_first_line_but_not_its_page_number():
    page = [line("某县2023年度法治政府建设工作报告", 800, full=False), line("正文。", 700, full=False),
            line("- 1 -", 40, full=False)]
    assert [l.text for l in drop_furniture([page])[0]] == ["某县2023年度法治政府建设工作报告", "正文。"]


@pytest.mark.parametrize("pdf, plain", [("⾸⻚", "首页"), ("⽰范", "示范"), ("⼀⽹通办", "一网通办"),
                                        ("⼈⺠政府", "人民政府"), ("市场主体3260⼾", "市场主体3260户"),
                                        ("\uf9dc", "\u9686")])
def test_radicals_and_compatibility_ideographs_fold_to_ordinary_characters(pdf, plain):
    assert fold_pdf_code_points(pdf) == plain


def test_a_traditional_document_keeps_the_traditional_form_of_a_folded_radical():
    assert fold_pdf_code_points("門⼾開放，這裡辦理") == "門戶開放，這裡辦理"


def test_the_radical_table_is_checked(tmp_path, monkeypatch):
    from kg.errors import DataError
    from kg.readers import pdf

    bad = tmp_path / "readers-radicals.json"
    bad.write_text('{"radicals": {"A": "甲"}}', encoding="utf-8")
    monkeypatch.setattr("kg.resources.lexicon_file", lambda name: bad)
    pdf._radicals.cache_clear()
    try:
        with pytest.raises(DataError, match="readers-radicals.json"):
            fold_pdf_code_points("⻚")
    finally:
        monkeypatch.undo()
        pdf._radicals.cache_clear()


def test_a_damaged_pdf_is_one_line(tmp_path):
    from kg.errors import InputError
    from kg.readers import read_document

    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def _pdf_with_title(title: str) -> bytes:
    """A one-page PDF whose document information names ``title`` (UTF-16BE, as PDF writers store CJK)."""
    hex_title = "FEFF" + title.encode("utf-16-be").hex().upper()
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", f"<< /Title <{hex_title}> >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_the_document_information_title_is_read_when_it_is_a_report_title():
    from kg.readers.pdf import _info_title

    assert _info_title(_pdf_with_title("柳溪县2024年度法治政府建设工作报告")) == "柳溪县2024年度法治政府建设工作报告"
    assert _info_title(_pdf_with_title("Microsoft Word - 报告.docx")) is None  # a file name, not a title
