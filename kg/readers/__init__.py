"""Readers: a report file as published → its text and what the file says about it (one module a format).

:func:`read_document` picks the reader by the file's first bytes where they
are unmistakable (``%PDF-``, a Word zip, an OLE compound file), else by its
suffix. Every reader returns the same thing: a :class:`~kg.model.ReportMeta`
holding what the file states (name, format, sha256, and for web pages and Word
files their title, date, source) and the text that every offset of the graph
indexes. A file fetched by :mod:`kg.readers.fetch` also gets its URL and
fetch time from the record kept beside it.

=========  ==============================  =====================
format     suffixes                        reader
=========  ==============================  =====================
text       .txt .text                      :mod:`kg.readers.text`
html       .html .htm .shtml .xhtml        :mod:`kg.readers.html`
docx       .docx                           :mod:`kg.readers.docx`
pdf        .pdf                            :mod:`kg.readers.pdf`
(convert)  .doc .wps .ofd                  :mod:`kg.readers.convert`
=========  ==============================  =====================
"""
from __future__ import annotations

import os
from pathlib import Path

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["read_document", "SUFFIXES", "HTML_SUFFIXES", "CONVERTED_SUFFIXES"]

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
CONVERTED_SUFFIXES = (".doc", ".wps", ".ofd")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".docx", ".pdf") + CONVERTED_SUFFIXES  # a folder build takes these


def read_document(path: str | os.PathLike) -> tuple[ReportMeta, str]:
    """Read one report file of any supported format; raise :class:`~kg.errors.InputError` naming it.

    >>> from kg.resources import bundled_report
    >>> meta, text = read_document(bundled_report())
    >>> meta.format, meta.encoding, len(text)
    ('text', 'utf-8', 3771)
    """
    from kg.readers.files import apply_sidecar, new_meta, read_file, shown

    data = read_file(path)
    name, file = shown(path), Path(path)
    fmt = sniff(data, file.suffix.lower(), name)
    meta = new_meta(file, data, fmt)
    record = apply_sidecar(file, meta)
    if fmt == "text":
        from kg.readers.text import read_text

        text = read_text(data, meta, name)
    elif fmt == "html":
        from kg.readers.html import read_html

        text = read_html(data, meta, name, content_type=record.get("content_type"))
    elif fmt == "docx":
        from kg.readers.docx import read_docx

        text = read_docx(data, meta, name)
    elif fmt == "pdf":
        from kg.readers.pdf import read_pdf

        text = read_pdf(data, meta, name)
    else:
        from kg.readers.convert import read_converted

        text = read_converted(file, data, meta, name, kind=fmt)
    return meta, text


def sniff(data: bytes, suffix: str, name: str = "<bytes>") -> str:
    """The format of a file from its first bytes, else its suffix.

    >>> sniff(b"%PDF-1.7 ...", ".txt"), sniff(b"<!DOCTYPE html><html>", ".txt"), sniff(b"abc", ".htm")
    ('pdf', 'html', 'html')
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or suffix == ".docx":
            return "docx"
        if suffix == ".ofd" or b"OFD.xml" in data[:65536]:
            return "ofd"
        raise InputError(f"{name}: a zip archive that is neither a Word (.docx) nor an OFD document")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE compound file: Word 97–2003 or WPS
        return suffix.lstrip(".") if suffix in (".doc", ".wps") else "doc"
    if suffix in HTML_SUFFIXES or _looks_like_html(data):
        return "html"
    if suffix in CONVERTED_SUFFIXES:
        return suffix.lstrip(".")
    return "text"


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml version=\"1.0\"?><!doctype html"))
