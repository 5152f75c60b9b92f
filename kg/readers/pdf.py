"""The PDF reader: a PDF's text layer → the report's paragraphs as lines (pdfminer.six).

pdfminer gives every text line with its position, which is what it takes to
undo the layout:

* **page furniture**: a page's first or last lines that repeat on other pages
  (digits aside) or read as a page number (``— 3 —``, ``第3页 共9页``, ``3/9``)
  are dropped;
* **line wraps**: a line that reaches the right margin continues on the next
  line (and across a page break) unless the next line is indented or opens a
  heading; so sentences and numbers cut by a wrap are whole again;
* **code points of PDF fonts**: Kangxi radicals and CJK compatibility
  ideographs (``⼀``, ``⾸``, ``⽰``) are folded by NFKC, the CJK radicals that
  NFKC leaves (``⻚``, ``⻛``) by ``data/lexicon/readers-radicals.json``.

A PDF without a text layer (a scan) or with one of glyph numbers
(``(cid:NN)``) or junk is refused with one line saying it needs OCR.
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["read_pdf", "fold_pdf_code_points", "join_lines", "Line"]

_PAGE_NUMBER = re.compile(r"^[-—–―_·\s]*(?:第\s*)?[0-9０-９]{1,4}\s*(?:页)?(?:\s*[/／]\s*[0-9]{1,4}|\s*共\s*[0-9]{1,4}\s*页)?"
                          r"[-—–―_·\s]*$|^[-—–―\s]*[0-9]{1,4}\s*[/／]\s*[0-9]{1,4}[-—–―\s]*$")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]{1,2}[.．、](?![0-9])"
                      r"|第[一二三四五六七八九十]+[，,、]|[一二三四五六七八九十]是)")
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class Line:
    """One line of a page: its text and box (PDF points, origin bottom left)."""

    text: str
    x0: float
    x1: float
    top: float
    size: float  # the line's height, about its font size


def read_pdf(data: bytes, meta: ReportMeta, name: str) -> str:
    """Fill ``meta`` (title from the document information) and return the text; refuse scans and junk."""
    pages, title = _pdf_lines(data, name)
    meta.encoding = "utf-8"
    text = fold_pdf_code_points(join_lines(drop_furniture(pages)))
    problem = _unusable(text, sum(len(p) for p in pages), len(pages))
    if problem:
        raise InputError(f"{name}: {problem}; it needs OCR (run it through an OCR tool such as ocrmypdf first)")
    if title and meta.title is None:
        meta.title = title
    return text


def _pdf_lines(data: bytes, name: str) -> tuple[list[list[Line]], str | None]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfparser import PDFSyntaxError

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings of odd PDFs are not the user's business
    pages: list[list[Line]] = []
    try:
        for layout in extract_pages(io.BytesIO(data), laparams=LAParams(line_margin=0.3, char_margin=3.0)):
            lines = [Line(" ".join(line.get_text().split()), line.x0, line.x1, line.y1, line.height)
                     for box in layout if isinstance(box, LTTextContainer)
                     for line in box if isinstance(line, LTTextLine) and line.get_text().strip()]
            lines.sort(key=lambda line: (-round(line.top), line.x0))
            pages.append(lines)
    except PDFSyntaxError as err:
        raise InputError(f"{name}: not a readable PDF ({err})") from None
    except Exception as err:  # pdfminer raises many kinds on damaged files
        if type(err).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFTextExtractionNotAllowed"):
            raise InputError(f"{name}: the PDF is encrypted; save an unprotected copy first") from None
        raise InputError(f"{name}: not a readable PDF ({type(err).__name__}: {err})") from None
    return pages, _info_title(data)


def _info_title(data: bytes) -> str | None:
    """The title of the document information, when it reads as a report title (not a file name)."""
    try:  # pdfminer reads the document information too: no second PDF library for one field
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import resolve1
        from pdfminer.utils import decode_text

        infos = PDFDocument(PDFParser(io.BytesIO(data))).info
        raw = resolve1(infos[0].get("Title")) if infos else None
        title = decode_text(raw) if isinstance(raw, bytes) else raw
    except Exception:  # the title is a nicety; a PDF whose information cannot be read still has its text
        return None
    title = " ".join(str(title or "").split())
    if not title or re.search(r"\.(?:docx?|wps|html?|pdf)$|^Microsoft|^untitled|^file:", title, re.I):
        return None
    return title if re.search(r"[\u4e00-\u9fff]", title) else None


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Each page without its running header, footer and page number (up to two lines at each end)."""
    def key(line: Line) -> tuple[str, int]:  # the same words (digits aside) at about the same height
        return re.sub(r"[0-9０-９]+", "#", line.text.replace(" ", "")), round(line.top / 6)

    ends = [page[:2] + page[-2:] for page in pages]
    counts: dict[str, int] = {}
    for lines in ends:
        for k in {key(line) for line in lines}:
            counts[k] = counts.get(k, 0) + 1
    repeated = {k for k, n in counts.items() if n >= 2 and len(pages) >= 2}
    out = []
    for page in pages:
        edge = set(map(id, page[:2] + page[-2:]))
        out.append([line for line in page if not (id(line) in edge and (key(line) in repeated
                                                                        or _PAGE_NUMBER.match(line.text)))])
    return out


def join_lines(pages: list[list[Line]]) -> str:
    """The paragraphs of the pages, one a line: a line reaching the right margin runs on into the next."""
    paragraphs: list[str] = []
    current = ""
    carry = False  # the previous page's last line ran on
    for page in pages:
        if not page:
            continue
        left = min(line.x0 for line in page)
        right = max(line.x1 for line in page)
        for index, line in enumerate(page):
            size = line.size or 10.0
            indented = line.x0 > left + 0.8 * size
            if current and (carry or (index > 0 and _runs_on(page[index - 1], right))) and not indented \
                    and not _HEADING.match(line.text):
                current = _glue(current, line.text)
            else:
                if current:
                    paragraphs.append(current)
                current = line.text
            carry = False
        carry = _runs_on(page[-1], right)
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs) + "\n" if paragraphs else ""


def _runs_on(line: Line, right: float) -> bool:
    return line.x1 >= right - 1.2 * (line.size or 10.0) and not line.text.endswith(("。", "！", "？", "：", ":"))


def _glue(before: str, after: str) -> str:
    # Latin words cut by a wrap keep a space between them; Chinese text and numbers join directly.
    if re.search(r"[A-Za-z]$", before) and re.match(r"[A-Za-z]", after):
        return before + " " + after
    return before + after


@cache
def _radicals() -> dict[int, str]:
    from kg.errors import DataError
    from kg.resources import lexicon_file, load_json

    path = lexicon_file("readers-radicals.json")
    table = load_json(path, {"radicals": dict})["radicals"]
    for radical, ideograph in table.items():
        if len(radical) != 1 or len(ideograph) != 1 or not unicodedata.name(radical, "").startswith("CJK RADICAL"):
            raise DataError(f"data/lexicon/readers-radicals.json: {radical!r} → {ideograph!r} is not one CJK radical "
                            "mapped to one character")
    return {ord(radical): ideograph for radical, ideograph in table.items()}


_FOLDED = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def fold_pdf_code_points(text: str) -> str:
    """Radicals and compatibility ideographs of PDF fonts → the ordinary characters (same length).

    >>> fold_pdf_code_points("⾸⻚⽰范⼀")
    '首页示范一'
    """
    if not _FOLDED.search(text):
        return text
    radicals = _radicals()

    def fold(match: re.Match) -> str:
        char = match.group()
        folded = radicals.get(ord(char)) or unicodedata.normalize("NFKC", char)
        return folded if len(folded) == 1 else char

    folded = _FOLDED.sub(fold, text)
    return _simplified_forms(folded, text)


def _simplified_forms(folded: str, original: str) -> str:
    """A Kangxi radical folds to the traditional form (⼾ → 戶); a simplified document meant 户."""
    from kg.extraction.script import to_simplified  # noqa: PLC0415 - only PDFs with folded code points need it

    changed = [i for i, (a, b) in enumerate(zip(folded, original)) if a != b]
    unchanged = set(range(len(folded))) - set(changed)
    rest = "".join(folded[i] for i in sorted(unchanged))
    if to_simplified(rest) != rest:
        return folded  # a document in traditional characters keeps the traditional forms
    chars = list(folded)
    for i in changed:
        chars[i] = to_simplified(chars[i])
    return "".join(chars)


def _unusable(text: str, line_count: int, page_count: int) -> str | None:
    """Why a text layer cannot be a report's text: none, glyph numbers, or junk; None when it is fine."""
    visible = re.sub(r"\s+", "", text)
    if len(visible) < 20 * max(1, page_count) // 2 and len(visible) < 200:
        return "the PDF has no text layer (a scanned image)" if line_count < 3 else "the PDF's text layer is almost empty"
    cids = len(_CID.findall(text))
    if cids * 6 > len(visible) * 0.05:
        return f"the PDF's text layer is glyph numbers, not characters ({cids} '(cid:NN)' codes)"
    han = len(re.findall(r"[\u4e00-\u9fff]", visible))
    readable = han + len(re.findall(r"[0-9，。、；：？！“”（）《》%,.;:()\-]", visible))
    if han < 0.3 * len(visible) or readable < 0.6 * len(visible):
        return "the PDF's text layer is not readable Chinese text (fonts without a character map)"
    return None
