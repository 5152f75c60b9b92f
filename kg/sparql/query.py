"""``kg query``: SPARQL over a built graph, answered by pyoxigraph.

A QUERY is SPARQL text, the path of a ``.rq`` file, or the name of a
competency question in ``ontology/queries/`` (``kg query out/ metrics``).
The default graph is the union of the reports' named graphs, so a query
without ``GRAPH`` sees every report at once.

Parameters (``--param NAME=VALUE``) are bound as RDF terms through
pyoxigraph's ``substitutions`` (SEP-0007), never pasted into the query text,
so a value can carry any characters. How VALUE becomes a term:

====================================  ==========================================
VALUE                                 term
====================================  ==========================================
``<http://…>``                        an IRI
``fz:Metric``, ``unit:%`` (a prefix   an IRI, expanded with the project's
of :data:`kg.rdf.namespaces.PREFIXES`)    prefixes
``62``, ``-3``                        an ``xsd:integer``
``1.61``, ``-29.67``                  an ``xsd:decimal``
``"…"`` (in double quotes)            a plain literal of what is inside
anything else                         a plain literal (``xsd:string``)
====================================  ==========================================

The competency questions compare literals with ``STR()`` or ``CONTAINS``, so a
plain literal matches the ``@zh`` labels of the graph. As SEP-0007 requires,
a bound variable must be projected by the query's ``SELECT``. The prefixes of
:data:`kg.rdf.namespaces.PREFIXES` (``fz:``, ``oa:``, ``unit:`` …) may be used
without declaring them. A ``.ttl``/``.nt`` graph (no named graphs) is loaded
into one named graph, so the questions' ``GRAPH ?graph`` patterns see it.

A competency question's file starts with ``#`` comment lines: the question in
English (``# en:``) and Chinese (``# zh:``), then one line per parameter,
``# param NAME: what it is (default: VALUE)``; a parameter without a default
must be given.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import unquote

from kg.errors import InputError, QueryError
from kg.rdf.namespaces import DEFAULT_BASE, PREFIXES, XSD
from kg.resources import queries_dir

__all__ = ["run_query", "execute", "resolve_query", "parse_params", "to_term", "competency_questions",
           "format_table", "CompetencyQuestion", "FORMATS", "TRIPLES_GRAPH"]

FORMATS = ("table", "csv", "tsv", "json")

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(\S*)$")
_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_PARAM_LINE = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*(?:\(default:\s*(.*?)\))?\s*$")
_HEADER_LINE = re.compile(r"^#\s*(en|zh)\s*:\s*(.*?)\s*$")


@dataclass
class CompetencyQuestion:
    """A named query of ``ontology/queries/`` with its header."""

    name: str
    path: Path
    text: str
    en: str = ""
    zh: str = ""
    params: dict[str, str] = field(default_factory=dict)  # name → description
    defaults: dict[str, str] = field(default_factory=dict)  # name → default VALUE


def _read_question(path: Path) -> CompetencyQuestion:
    text = path.read_text(encoding="utf-8")
    question = CompetencyQuestion(name=path.stem, path=path, text=text)
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if header := _HEADER_LINE.match(line):
            setattr(question, header[1], header[2])
        elif param := _PARAM_LINE.match(line):
            question.params[param[1]] = param[2]
            if param[3] is not None:
                question.defaults[param[1]] = param[3]
    return question


def competency_questions(folder: Path | None = None) -> list[CompetencyQuestion]:
    """Every competency question in ``ontology/queries/``, sorted by name."""
    folder = folder or queries_dir()
    return [_read_question(path) for path in sorted(folder.glob("*.rq"))]


def resolve_query(query: str | Path) -> tuple[str, str, CompetencyQuestion | None]:
    """``(query text, where it came from, the competency question or None)``."""
    raw = str(query)
    named = queries_dir() / f"{raw.removesuffix('.rq')}.rq"
    if _VARIABLE_NAME.match(raw.replace("-", "_").removesuffix(".rq")) and named.is_file():
        question = _read_question(named)
        return question.text, question.name, question
    if raw.endswith(".rq") and "\n" not in raw:
        path = Path(raw)
        if not path.is_file():
            raise InputError(f"{path}: no such query file")
        try:
            return path.read_text(encoding="utf-8"), str(path), _read_question(path)
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: cannot read query ({err})") from None
    if re.fullmatch(r"[A-Za-z0-9_-]+", raw.strip()):
        names = ", ".join(q.name for q in competency_questions())
        raise QueryError(f"{raw!r} is not a competency question; available: {names}")
    return raw, "query", None


def to_term(value: str):
    """A parameter VALUE as a pyoxigraph term (see the module docstring for the rule).

    >>> to_term("62"), to_term("县法院"), to_term("<http://example.org/x>")
    (<Literal value=62 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>, <Literal value=县法院 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>, <NamedNode value=http://example.org/x>)
    """
    import pyoxigraph as ox

    if len(value) >= 2 and value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as err:
            raise QueryError(f"parameter value {value}: not a valid IRI ({err})") from None
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return ox.Literal(value[1:-1])
    if _INTEGER.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(str(XSD.integer)))
    if _DECIMAL.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(str(XSD.decimal)))
    curie = _CURIE.match(value)
    if curie and curie[1] in PREFIXES:
        try:
            return ox.NamedNode(PREFIXES[curie[1]] + curie[2])
        except ValueError:
            pass  # not an IRI after all: keep it as text
    return ox.Literal(value)


def parse_params(params: Iterable[str] | Mapping[str, str]) -> dict[str, str]:
    """``["name=value", …]`` (or a mapping) → ``{name: value}``, names checked."""
    pairs: list[tuple[str, str]] = []
    if isinstance(params, Mapping):
        pairs = [(str(k), str(v)) for k, v in params.items()]
    else:
        for item in params:
            name, sep, value = str(item).partition("=")
            if not sep:
                raise QueryError(f"parameter {item!r}: expected NAME=VALUE")
            pairs.append((name.strip().lstrip("?$"), value))
    out: dict[str, str] = {}
    for name, value in pairs:
        name = name.lstrip("?$")
        if not _VARIABLE_NAME.match(name):
            raise QueryError(f"parameter name {name!r}: expected a SPARQL variable name (letters, digits, _)")
        out[name] = value
    return out


TRIPLES_GRAPH = DEFAULT_BASE + "graph"  # where a file without named graphs (.ttl, .nt) is loaded


def _load(graph):
    import pyoxigraph as ox

    if isinstance(graph, ox.Store):
        return graph
    from kg.rdf.load import load_store, resolve_graph

    path = resolve_graph(graph)
    if path.suffix.lower() not in (".ttl", ".nt"):
        return load_store(path)
    # The questions look inside GRAPH ?graph; a union of triples becomes one named graph.
    store = ox.Store()
    formats = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
    try:
        store.bulk_load(path=str(path), format=formats[path.suffix.lower()], to_graph=ox.NamedNode(TRIPLES_GRAPH))
    except (SyntaxError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable RDF file ({str(err).strip().splitlines()[0]})") from None
    return store


def execute(graph, query: str | Path, params: Iterable[str] | Mapping[str, str] = ()):
    """Run QUERY over GRAPH (a path or a pyoxigraph ``Store``); return pyoxigraph's result object."""
    import pyoxigraph as ox

    text, source, question = resolve_query(query)
    values = parse_params(params)
    if question:
        values = {**question.defaults, **values}
        missing = [name for name in question.params if name not in values]
        if missing:
            wanted = "; ".join(f"{name}: {question.params[name]}" for name in missing)
            raise QueryError(f"{source}: missing parameter(s) {', '.join(missing)} ({wanted}); "
                             f"give --param NAME=VALUE")
    for name in values:
        if not re.search(rf"[?$]{re.escape(name)}\b", text):
            raise QueryError(f"{source}: parameter {name!r} is not a variable of the query")
    substitutions = {ox.Variable(name): to_term(value) for name, value in values.items()}
    store = _load(graph)
    try:
        return store.query(text, use_default_graph_as_union=True, substitutions=substitutions or None,
                           prefixes=dict(PREFIXES))
    except SyntaxError as err:
        message = str(err)
        where = _POSITION.match(message)
        if where:
            line, column, detail = where.groups()
            raise QueryError(f"{source}: line {line}, column {column}: {detail.strip()}") from None
        raise QueryError(f"{source}: {message}") from None
    except (RuntimeError, OSError, ValueError) as err:
        message = str(err)
        if "does not contains variable" in message:
            message += " (a bound parameter must appear in the SELECT clause)"
        raise QueryError(f"{source}: {message}") from None


def run_query(graph, query: str | Path, params: Iterable[str] | Mapping[str, str] = (), fmt: str = "table") -> str:
    """Answer QUERY over GRAPH and format the answer as ``table``, ``csv``, ``tsv`` or ``json``.

    GRAPH is a graph file, an ``OUT/`` folder, or a pyoxigraph ``Store``.
    ``json`` and ``csv``/``tsv`` are the W3C SPARQL result formats; a
    CONSTRUCT or DESCRIBE answer is N-Triples (Turtle for ``table``).
    """
    import pyoxigraph as ox

    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    result = execute(graph, query, params)
    try:
        if isinstance(result, ox.QueryTriples):
            if fmt == "table":
                return ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)).decode("utf-8")
            return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        if isinstance(result, ox.QueryBoolean):
            if fmt == "table":
                return ("true" if bool(result) else "false") + "\n"
            return _serialize_results(result, fmt)
        if fmt == "table":
            return format_table([str(v.value) for v in result.variables], list(result))
        return _serialize_results(result, fmt)
    except (RuntimeError, OSError) as err:  # evaluation errors surface while iterating
        raise QueryError(f"query failed: {err}") from None


def _serialize_results(result, fmt: str) -> str:
    import pyoxigraph as ox

    formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON}
    text = result.serialize(format=formats[fmt]).decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


# ---- the human-readable table ---------------------------------------------

_DISPLAY_PREFIXES = sorted({**PREFIXES, "data": DEFAULT_BASE}.items(), key=lambda kv: -len(kv[1]))


def _cell(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in _DISPLAY_PREFIXES:
            if term.value.startswith(namespace):
                return f"{prefix}:{unquote(term.value[len(namespace):])}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value.replace("\n", " ")
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(names: list[str], solutions: list) -> str:
    """Columns aligned for a terminal (CJK characters count double), then a row count."""
    rows = [[_cell(solution[name]) for name in names] for solution in solutions]
    widths = [max([_width(name)] + [_width(row[i]) for row in rows]) for i, name in enumerate(names)]
    lines = ["  ".join(_pad(name, w) for name, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
