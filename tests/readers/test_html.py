"""Web pages: charsets, the order in which a page's statements give the title and date, chrome lines."""
from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.readers import read_document, sniff
from kg.readers.html import chrome_line

BODY = "<div id='zoom'>" + "".join(f"<p>{p}</p>" for p in [
    "2023年，梧桐县坚持依法行政，统筹推进法治政府建设各项工作，全年办理行政复议案件62件，纠错率达到12.9%。",
    "一、主要举措", "（一）加强组织领导。县政府常务会议学法12次，审议重大行政决策事项18项，群众满意率达到98%以上。",
    "二、存在问题", "一是基层执法力量不足；二是规范性文件审查仍有短板。"]) + "</div>"


def page(head: str, body: str = BODY, charset: str = "utf-8") -> bytes:
    html = f"<!DOCTYPE html><html><head><meta charset='{charset}'>{head}</head><body>{body}</body></html>"
    return html.encode("gbk" if charset in ("gbk", "gb2312") else charset)


@pytest.mark.parametrize(
    "head, body_prefix, title, published",
    [
        ("<meta name='ArticleTitle' content='梧桐县2023年度法治政府建设工作报告'><meta name='PubDate' content='2024-02-01 10:20'>"
         "<title>别的标题_梧桐县人民政府</title>", "<h1>又一个标题</h1>", "梧桐县2023年度法治政府建设工作报告", "2024-02-01T10:20"),
        ("<title>网页标题_梧桐县人民政府</title>", "<h1>梧桐县2023年度法治政府建设工作报告</h1><p>发布时间：2024年02月03日</p>",
         "梧桐县2023年度法治政府建设工作报告", "2024-02-03"),
        ("<title>梧桐县2023年度法治政府建设工作报告_梧桐县人民政府</title>", "", "梧桐县2023年度法治政府建设工作报告", None),
    ],
)
def test_meta_tags_first_then_h1_then_the_page_title(tmp_path, head, body_prefix, title, published):
    path = tmp_path / "page.html"
    path.write_bytes(page(head, body_prefix + BODY))
    meta, text = read_document(path)
    assert (meta.title, meta.published) == (title, published)
    assert text.splitlines()[0] == title  # the title heads the text
    assert "纠错率达到12.9%" in text and "发布时间" not in text


def test_a_gbk_page_declaring_gb2312_is_read_as_gb18030(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes(page("<title>梧桐县报告</title>", charset="gb2312"))
    meta, text = read_document(path)
    assert meta.encoding == "gb18030" and "梧桐县坚持依法行政" in text


def test_a_page_without_article_text_is_one_clear_error(tmp_path):
    path = tmp_path / "index.html"
    path.write_bytes(page("<title>首页</title>", "<ul><li><a href='/a'>首页</a></li><li><a href='/b'>政务公开</a></li></ul>"))
    with pytest.raises(InputError, match="no article text"):
        read_document(path)


def test_html_saved_as_txt_is_read_as_a_page():
    assert sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html>", ".txt") == "html"
    assert sniff(b"%PDF-1.4", ".html") == "pdf"
    assert sniff("一、工作情况".encode(), ".txt") == "text"


@pytest.mark.parametrize("line, chrome", [
    ("【打印本页】【关闭窗口】", True), ("分享到：微信 微博 QQ空间", True), ("【字体：大 中 小】", True),
    ("发布时间：2025-03-12 09:30　来源：柳溪县司法局　浏览次数：1523", True), ("柳ICP备12003456号-1", True),
    ("主办单位：柳溪县人民政府办公室", True), ("上一篇：柳溪县司法局2024年工作总结", True),
    ("（二）深化“放管服”改革。全县政务服务事项网上可办率达98.6%。", False), ("柳溪县人民政府", False),
    ("2025年3月10日", False), ("二、存在的问题", False),
])
def test_chrome_lines(line, chrome):
    assert chrome_line(line) is chrome
