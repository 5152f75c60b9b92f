"""The Word reader: a ``.docx`` → its paragraphs, headings and table rows as lines (python-docx).

Body paragraphs and tables are read in document order; a table row becomes
one line of its cells joined by a tab (merged cells once). Text boxes,
headers and footers are not report text and are left out. The core
properties give the title when they hold one that is not a template's
placeholder.
"""
from __future__ import annotations

import io
import re

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["read_docx", "docx_lines"]

_PLACEHOLDER_TITLE = re.compile(r"^(?:|新建.*|文档\d*|Document\d*|Microsoft Word.*|无标题.*|Untitled.*)$", re.I)


def read_docx(data: bytes, meta: ReportMeta, name: str) -> str:
    """Fill ``meta`` (title from the core properties) and return the document's text."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as err:
        raise InputError(f"{name}: not a readable Word (.docx) document ({type(err).__name__}: {err})") from None
    except Exception as err:  # a damaged zip or XML: lxml and zipfile raise many kinds
        raise InputError(f"{name}: not a readable Word (.docx) document ({type(err).__name__})") from None
    meta.encoding = "utf-8"  # OOXML text is Unicode
    title = " ".join((document.core_properties.title or "").split())
    if title and not _PLACEHOLDER_TITLE.match(title) and meta.title is None:
        meta.title = title
    lines = docx_lines(document)
    if not lines:
        raise InputError(f"{name}: the Word document holds no text")
    return "\n".join(lines) + "\n"


def docx_lines(document) -> list[str]:
    """Paragraphs and table rows of a python-docx ``Document``, in order, blank lines dropped."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.extend(_paragraph_lines(block.text))
        elif isinstance(block, Table):
            lines.extend(_table_lines(block))
    return lines


def _paragraph_lines(text: str) -> list[str]:
    # A manual line break (Shift+Enter) inside a paragraph is a line of its own.
    return [part.strip() for part in re.split(r"[\r\n\v]+", text) if part.strip()]


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is repeated by python-docx
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        line = "\t".join(cells).strip()
        if line:
            lines.append(line)
    return lines
