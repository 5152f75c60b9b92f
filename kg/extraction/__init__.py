"""Extraction: a report's text → the typed model (:mod:`kg.model`), one module a stage.

Uses spaCy and jieba; never rdflib or pyoxigraph.
"""
