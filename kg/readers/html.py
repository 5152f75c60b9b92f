"""The web-page reader: a saved or fetched government article page → the article's text, paragraphs as lines.

The page is decoded in the charset it declares (a ``Content-Type`` header
kept by :mod:`kg.readers.fetch`, ``<meta charset>``, ``http-equiv``) or, when
that fails, the one :func:`kg.readers.text.decode` detects. The main text
comes from trafilatura (compared with readability-lxml on government pages:
see ``bench/readers.py``); the lines that are still page furniture — share
buttons, 打印本页/关闭窗口, 发布时间/浏览次数 lines, ICP numbers — are dropped by
the phrases of ``data/lexicon/readers-chrome.json``. The title is the page's
``ArticleTitle`` meta tag, else ``<h1>``, else ``<title>`` less the site's
name; it becomes the text's first line when the extractor left it out.
"""
from __future__ import annotations

import re
from functools import cache

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["read_html", "page_metadata", "main_text", "chrome_line"]

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_-]{2,20})""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]{2,20})", re.I)
# Names sites use for one encoding, as Python's codecs know it (GB18030 reads GBK and GB2312 too).
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
            "big5": "big5", "big5-hkscs": "big5hkscs", "x-x-big5": "big5", "utf8": "utf-8", "utf-8": "utf-8"}
_MIN_ARTICLE_HAN = 50  # fewer Chinese characters than this is a list, index or error page, not a report
_DATE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：](\d{2}))?")


def read_html(data: bytes, meta: ReportMeta, name: str, content_type: str | None = None) -> str:
    """Fill ``meta`` from the page (encoding, title, date, site) and return the article's text."""
    from kg.readers.text import decode

    page, meta.encoding = decode(data, name, declared=_declared_charset(data, content_type))
    tree = _tree(page)
    if tree is None:
        raise InputError(f"{name}: not a readable web page")
    fields = page_metadata(tree)
    for key in ("title", "published", "site"):
        if fields.get(key) and getattr(meta, key) is None:
            setattr(meta, key, fields[key])
    lines = [line for line in main_text(tree) if not chrome_line(line)]
    if len(re.findall(r"[\u4e00-\u9fff]", "".join(lines))) < _MIN_ARTICLE_HAN:
        raise InputError(f"{name}: no article text found in the page (is it a list or index page?)")
    title = fields.get("title")
    if title and not any(_same(title, line) for line in lines[:3]):
        lines.insert(0, title)  # the extractor keeps the body only; the title heads the report
    return "\n".join(lines) + "\n"


def _tree(page: str):
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.document_fromstring(page.encode("utf-8"), parser=_parser())
    except (ValueError, lxml.etree.ParserError):
        return None


def _declared_charset(data: bytes, content_type: str | None) -> str | None:
    found = _HEADER_CHARSET.search(content_type or "")
    raw = found.group(1) if found else None
    if raw is None:
        match = _CHARSET.search(data[:4096])
        raw = match.group(1).decode("ascii") if match else None
    if raw is None:
        return None
    return _ALIASES.get(raw.lower(), raw.lower())


def _same(title: str, line: str) -> bool:
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    return squeeze(title) == squeeze(line)


def page_metadata(tree) -> dict[str, str]:
    """Title, publication date (ISO 8601), site and source of a page, from its ``<meta>`` tags first.

    >>> page_metadata(_tree('<html><head><meta name="ArticleTitle" content="某县2023年度法治政府建设工作报告">'
    ...               '<meta name="PubDate" content="2024-03-01 08:05"></head><body></body></html>'))
    {'title': '某县2023年度法治政府建设工作报告', 'published': '2024-03-01T08:05'}
    """
    tags = {}
    for node in tree.iter("meta"):
        key = (node.get("name") or node.get("property") or "").strip().lower()
        value = " ".join((node.get("content") or "").split())
        if key and value and key not in tags:
            tags[key] = value
    out: dict[str, str] = {}
    title = tags.get("articletitle") or _first_text(tree, "//h1") or _page_title(tree, tags.get("sitename"))
    if title:
        out["title"] = title
    published = _iso(tags.get("pubdate") or tags.get("firstpublishedtime") or tags.get("article:published_time")
                     or _info_line_date(tree))
    if published:
        out["published"] = published
    site = tags.get("sitename") or tags.get("contentsource")
    if site:
        out["site"] = site
    return out


@cache
def _parser():
    import lxml.html

    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def _first_text(tree, xpath: str) -> str | None:
    for node in tree.xpath(xpath):
        text = " ".join(node.text_content().split())
        if text:
            return text
    return None


def _page_title(tree, site: str | None) -> str | None:
    title = _first_text(tree, "//title")
    if not title:
        return None
    for separator in ("_", "-", "|", "—", " - "):  # 报告标题_某县人民政府
        head, _, tail = title.rpartition(separator)
        if head and (not site or site in tail or len(tail) < len(head)):
            return head.strip()
    return title


def _info_line_date(tree) -> str | None:
    """The date of a 发布时间/发布日期 line, when no meta tag gives it."""
    for node in tree.xpath("//body//*[contains(text(), '发布时间') or contains(text(), '发布日期')]"):
        text = node.text_content()
        at = max(text.find("发布时间"), text.find("发布日期"))
        match = _DATE.search(text, at)
        if match:
            return match.group()
    return None


def _iso(value: str | None) -> str | None:
    match = _DATE.search(value or "")
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not (1949 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    out = f"{year:04d}-{month:02d}-{day:02d}"
    return out + f"T{int(match[4]):02d}:{match[5]}" if match[4] else out


def main_text(tree) -> list[str]:
    """The article's paragraphs, one a line, as trafilatura extracts them (a table row: its cells, tab-joined).

    Layout tables (a table holding tables, or a cell of running text) are
    first turned into plain blocks: trafilatura would otherwise render the
    whole page, navigation and all, as one table.
    """
    import trafilatura

    _unwrap_layout_tables(tree)
    text = trafilatura.extract(tree, include_comments=False, include_tables=True, include_images=False,
                               include_links=False, deduplicate=False, output_format="txt")
    lines = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if line.startswith("|") and line.endswith("|"):  # a table row as trafilatura writes it
            if set(line) <= set("|-: "):
                continue
            line = "\t".join(cell.strip().replace("\\|", "|") for cell in line[1:-1].split(" | "))
        if line.strip():
            lines.append(line.strip())
    return lines


_LAYOUT_TAGS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def _unwrap_layout_tables(tree) -> None:
    for table in list(tree.iter("table")):
        if table.tag != "table":  # already unwrapped as part of an outer layout table
            continue
        cells = list(table.iter("td", "th"))
        longest = max((len(cell.text_content().strip()) for cell in cells), default=0)
        if table.xpath(".//table") or longest > 200 or table.xpath(".//td//p|.//td//br[2]"):
            for element in [table, *table.iter(*_LAYOUT_TAGS)]:
                if element.tag in _LAYOUT_TAGS:
                    element.tag = "div"


@cache
def _chrome():
    from kg.resources import lexicon_file, load_json

    data = load_json(lexicon_file("readers-chrome.json"), {"phrases": list, "patterns": list})
    from kg.errors import DataError

    try:
        patterns = [re.compile(p) for p in data["patterns"]]
    except re.error as err:
        raise DataError(f"data/lexicon/readers-chrome.json: bad pattern ({err})") from None
    return tuple(data["phrases"]), patterns


def chrome_line(line: str) -> bool:
    """A line that is page furniture, not report text (share buttons, print/close links, ICP numbers …).

    >>> chrome_line("【打印本页】【关闭窗口】"), chrome_line("全年办理案件62件。")
    (True, False)
    """
    phrases, patterns = _chrome()
    if any(p.search(line) for p in patterns):
        return True
    rest = line
    for phrase in phrases:
        rest = rest.replace(phrase, "")
    # What is left once the furniture words are gone: brackets, separators, a count or a date.
    return rest != line and not re.search(r"[\u4e00-\u9fff]{4,}", rest)
