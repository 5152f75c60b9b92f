"""Extraction: a report's text → the typed model (:mod:`kg.model`), one module a stage.

Uses spaCy and jieba; never rdflib or pyoxigraph. The rules are data
(``data/lexicon/``, ``data/patterns/``), loaded and checked by
:mod:`kg.extraction.rules`; :func:`check_rules` checks them all at once.
"""
from __future__ import annotations

__all__ = ["check_rules"]


def check_rules() -> None:
    """Load and check every rule file of the extraction, once per process, before the first report.

    A bad file raises :class:`kg.errors.DataError` (one line: file, line, what is
    wrong; exit 2). Later calls cost nothing: everything loaded is cached.

    >>> check_rules()
    """
    from kg.extraction import entities, link, metrics, nlp, rules, structure  # noqa: F401 - they register their rules

    rules.check_data()
