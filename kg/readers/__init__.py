"""Readers: a report file as published → its text and what the file says about it (one module a format).

:func:`read_document` picks the reader by the file's suffix (and, where the
suffix says nothing, by its first bytes). Every reader returns the same
thing: a :class:`~kg.model.ReportMeta` holding what the file states (name,
format, sha256, and for web pages and Word files their title, date, source)
and the text that every offset of the graph indexes.
"""
from __future__ import annotations

from pathlib import Path

from kg.model import ReportMeta

__all__ = ["read_document", "SUFFIXES"]

SUFFIXES = (".txt", ".text")  # every suffix a folder build picks up


def read_document(path: str | Path) -> tuple[ReportMeta, str]:
    """Read one report file of any supported format; raise :class:`~kg.errors.InputError` naming it."""
    from kg.readers.text import read_report

    return read_report(path)
