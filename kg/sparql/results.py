"""Answers of :mod:`kg.sparql.query` for people: an aligned table, CSV with labels, short syntax errors.

Units and metric kinds are concepts with a ``skos:prefLabel``
(``unit:%25`` is labelled ``%``); the table and the CSV show that label where
the W3C formats (TSV, JSON) keep the IRI.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from urllib.parse import unquote

from kg.rdf.namespaces import DEFAULT_BASE, KIND, PREFIXES, SKOS, UNIT

__all__ = ["format_table", "format_csv", "concept_labels", "syntax_message"]

_DISPLAY_PREFIXES = sorted({**PREFIXES, "data": DEFAULT_BASE}.items(), key=lambda kv: -len(kv[1]))
_LABELLED = (str(UNIT), str(KIND))


def concept_labels(store, solutions: list, names: list[str]) -> dict[str, str]:
    """``{IRI: label}`` for the unit and kind concepts among the answers (their local name if unlabelled)."""
    import pyoxigraph as ox

    iris = sorted({term.value for solution in solutions for name in names
                   if isinstance(term := solution[name], ox.NamedNode) and term.value.startswith(_LABELLED)})
    labels = {iri: unquote(iri.rsplit("/", 1)[-1]) for iri in iris}
    if iris and store is not None:
        values = " ".join(f"<{iri}>" for iri in iris)
        query = (f"SELECT ?c (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?c {{ {values} }} "
                 f"?c <{SKOS.prefLabel}> ?l }} GROUP BY ?c")
        for row in store.query(query, use_default_graph_as_union=True):
            labels[row["c"].value] = row["label"].value
    return labels


def _cell(term, labels: dict[str, str]) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value in labels:
            return labels[term.value]
        for prefix, namespace in _DISPLAY_PREFIXES:
            if term.value.startswith(namespace):
                return f"{prefix}:{unquote(term.value[len(namespace):])}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(names: list[str], solutions: list, labels: dict[str, str] | None = None) -> str:
    """Columns aligned for a terminal (CJK characters count double), then a row count."""
    labels = labels or {}
    rows = [[_cell(solution[name], labels) for name in names] for solution in solutions]
    widths = [max([_width(name)] + [_width(row[i]) for row in rows]) for i, name in enumerate(names)]
    lines = ["  ".join(_pad(name, w) for name, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def format_csv(names: list[str], solutions: list, labels: dict[str, str] | None = None) -> str:
    """SPARQL 1.1 CSV results (header of names, CRLF rows), unit and kind IRIs shown as their labels."""
    import pyoxigraph as ox

    labels = labels or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for solution in solutions:
        row = []
        for name in names:
            term = solution[name]
            if term is None:
                row.append("")
            elif isinstance(term, ox.NamedNode):
                row.append(labels.get(term.value, term.value))
            elif isinstance(term, ox.BlankNode):
                row.append(f"_:{term.value}")
            else:
                row.append(term.value)
        writer.writerow(row)
    return out.getvalue()


# ---- syntax errors in one line ---------------------------------------------------

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_ALTERNATIVE = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,]+)\s*,?')
_SHOWN = 6
_STRING_ESCAPES = {repr(t) for t in ('"', "'", "\\", "\\U", "\\u")}


def _alternatives(expected: str) -> tuple[list[str], list[str]]:
    """Oxigraph's list of what it expected → (tokens and keywords, sentences such as 'Prefix not found')."""
    tokens, sentences = [], []
    body = expected.removeprefix("one of ").strip()
    for match in _ALTERNATIVE.finditer(body):
        item = match.group(1).strip()
        if not item or item.startswith("["):  # a character class: says nothing to a reader
            continue
        if item.startswith('"'):
            try:
                tokens.append(repr(json.loads(item)))
            except ValueError:
                tokens.append(item)
        elif " " in item:
            sentences.append(item)
        else:
            tokens.append(item)
    return tokens, sentences


def _near(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    rest = lines[line - 1][column - 1:] if line <= len(lines) else ""
    rest = rest.strip()
    if not rest:
        return " at the end of the line" if line < len(lines) else " at the end of the query"
    return f" near {rest[:20] + ('…' if len(rest) > 20 else '')!r}"


def syntax_message(message: str, text: str) -> str:
    """Oxigraph's syntax error as ``line L, column C: expected …`` in one short line.

    >>> syntax_message('error at 1:27: expected one of ",", ".", "{", [_]', "SELECT * WHERE { ?s ?p ?o ")
    "line 1, column 27: expected one of ',', '.', '{' at the end of the query"
    """
    where = _POSITION.match(message)
    if not where:
        return " ".join(message.split())
    line, column = int(where[1]), int(where[2])
    tokens, sentences = _alternatives(" ".join(where[3].split()).removeprefix("expected ").strip())
    before = text.split("\n")[line - 1][:column - 1] if line <= text.count("\n") + 1 else ""
    prefix = re.search(r"([A-Za-z_][\w.-]*)?:[\w.-]*$", before)
    if "Prefix not found" in sentences and prefix:
        return f"line {line}, column {column}: undeclared prefix {(prefix[1] or '') + ':'!r} (add a PREFIX line)"
    if sentences:
        return f"line {line}, column {column}: {sentences[0][0].lower()}{sentences[0][1:]}"
    if tokens and set(tokens) <= _STRING_ESCAPES:
        return f"line {line}, column {column}: a string is not closed (a quote is missing)"
    if not tokens:
        what = "something else"
    elif len(tokens) == 1:
        what = tokens[0]
    else:
        what = "one of " + ", ".join(tokens[:_SHOWN]) + (", …" if len(tokens) > _SHOWN else "")
    return f"line {line}, column {column}: expected {what}{_near(text, line, column)}"
