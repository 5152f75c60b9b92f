"""``kg query``: SPARQL over a built graph, answered by pyoxigraph.

A QUERY is SPARQL text, the path of a ``.rq`` file, or the name of a
competency question in ``ontology/queries/`` (``kg query out/ metrics``).
The default graph is the union of the reports' named graphs, so a query
without ``GRAPH`` sees every report at once.

Parameters (``--param NAME=VALUE``) are bound as RDF terms through
pyoxigraph's ``substitutions`` (SEP-0007), so a value can carry any characters.
The same terms are also stated in a ``VALUES`` clause at the head of the query's
outer group — written by pyoxigraph as N-Triples terms, so no value can leave its
quotes or brackets —, because Oxigraph looks a constant of a ``VALUES`` clause up
in its indexes, where a substituted variable is matched against every candidate
(10 ms instead of 180 ms for one indicator of one division in 3,000 reports).
How VALUE becomes a term:

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
``# param NAME: what it is (iri: PREFIX:) (default: VALUE)``; a parameter without
a default must be given, unless the graph holds one possible value for it (one
report's id, one year), which is then taken. With ``(iri: ind:)`` a VALUE other
than an IRI is a local name in that namespace (``admin-review-received`` is
``ind:admin-review-received``, ``"420528000000"`` is ``division:420528000000``);
with ``(type: xsd:gYear)`` it is a literal of that datatype (``2023`` is
``"2023"^^xsd:gYear``): the question matches the term itself, which the indexes find.
With ``(grams: STEM)`` the value is words of a title, folded as titles are, and
the VALUES row also binds ``?STEM1``–``?STEM3`` to three pairs of neighbouring
characters of them, which the question looks up in the corpus graph's
``fz:titleGram`` index (:func:`_title_words`).

The query is refused before it runs if it is an update or calls another
server with ``SERVICE`` (:mod:`kg.sparql.guard`); ``timeout`` bounds the
answer, and Ctrl-C stops the wait.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, QueryError
from kg.rdf.namespaces import DEFAULT_BASE, PREFIXES, XSD
from kg.resources import queries_dir
from kg.sparql.guard import check_query
from kg.sparql.results import concept_labels, format_csv, format_table, syntax_message

__all__ = ["run_query", "execute", "resolve_query", "parse_params", "to_term", "with_values", "competency_questions",
           "questions_help", "format_table", "CompetencyQuestion", "FORMATS", "TRIPLES_GRAPH"]

FORMATS = ("table", "csv", "tsv", "json")

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(\S*)$")
_PARAM_LINE = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*(?:\((iri|type|grams):\s*([^()\s]+)\))?"
                         r"\s*(?:\(default:\s*(.*?)\))?\s*$")
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
    # name → ("iri", namespace) or ("type", datatype): what a VALUE other than an IRI is made into
    terms: dict[str, tuple[str, str]] = field(default_factory=dict)
    grams: dict[str, str] = field(default_factory=dict)  # name → the variables' stem its value's grams bind


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
            if param[3] == "grams":
                question.grams[param[1]] = _gram_stem(path, param[1], param[4])
            elif param[3] is not None:
                question.terms[param[1]] = _term_rule(path, param[1], param[3], param[4])
            if param[5] is not None:
                question.defaults[param[1]] = param[5]
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


def _term_rule(path: Path, name: str, kind: str, curie: str) -> tuple[str, str]:
    """``(iri: ind:)`` or ``(type: xsd:gYear)`` of a parameter line, its prefix checked."""
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES or (kind == "iri") == bool(local):
        raise QueryError(f"{path}: parameter {name}: ({kind}: {curie}) needs "
                         + ("a known prefix and a colon" if kind == "iri" else "a prefixed datatype")
                         + f" (prefixes: {', '.join(sorted(PREFIXES))})")
    return kind, PREFIXES[prefix] + local


def _gram_stem(path: Path, name: str, stem: str) -> str:
    if not _VARIABLE_NAME.match(stem):
        raise QueryError(f"{path}: parameter {name}: (grams: {stem}) needs a variable name (letters, digits, _)")
    return stem


def _title_words(question: CompetencyQuestion | None, terms: Mapping) -> tuple[dict, dict]:
    """The terms with each ``(grams: STEM)`` parameter's words folded as titles are, and the
    ``VALUES``-only terms ``?STEM1 ?STEM2 ?STEM3``: three of the folded words' character pairs.

    Shared documents are keyed by their folded title (:func:`kg.identity.names.fold_title`:
    full-width forms, brackets, dashes and title marks), so the words are folded the same way
    and ``（2021－2025年）`` finds ``(2021-2025年)``. The corpus graph states every pair of
    neighbouring characters of a document's folded title (:func:`kg.rdf.corpus.title_grams`),
    so a title that holds the words holds these three: looked up as constants, they pick the
    few candidate documents out of tens of thousands before any title is read. The words
    need two characters at least.
    """
    import pyoxigraph as ox

    from kg.identity.names import fold_title
    from kg.rdf.corpus import title_grams

    terms, grams = dict(terms), {}
    for name, stem in (question.grams if question else {}).items():
        term = terms.get(name)
        words = fold_title(term.value) if isinstance(term, ox.Literal) else ""
        pairs = title_grams(words)
        if not pairs:
            raise QueryError(f"parameter {name}={term}: give two characters at least (the question finds "
                             f"its answers by pairs of characters)")
        terms[name] = ox.Literal(words)
        picked = [pairs[0], pairs[len(pairs) // 2], pairs[-1]]
        grams.update({f"{stem}{index}": ox.Literal(pair) for index, pair in enumerate(picked, 1)})
    return terms, grams


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


def _param_term(question: CompetencyQuestion | None, name: str, value: str):
    """VALUE as a term, made as the question's ``(iri: …)`` or ``(type: …)`` says (if it says)."""
    import pyoxigraph as ox

    kind, namespace = question.terms.get(name, (None, "")) if question else (None, "")
    curie = _CURIE.match(value)
    if kind is None or value.startswith("<") or (curie and curie[1] in PREFIXES):
        return to_term(value)
    text = value[1:-1] if len(value) >= 2 and value.startswith('"') and value.endswith('"') else value
    try:
        if kind == "iri":
            return ox.NamedNode(namespace + text)
        return ox.Literal(text, datatype=ox.NamedNode(namespace))
    except ValueError as err:
        raise QueryError(f"parameter {name}={value}: not a name in <{namespace}> ({err})") from None


def with_values(text: str, terms: Mapping) -> str:
    """The query with ``VALUES (?a ?b) { (A B) }`` of these terms at the head of its outer group.

    Only a ``SELECT`` or ``ASK`` query gets one (it is where the group is plain); any
    other, or a text whose group is not found, is returned unchanged. The terms are
    pyoxigraph's N-Triples forms, which are SPARQL terms too.

    >>> import pyoxigraph as ox
    >>> print(with_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal("行政复议")}))
    SELECT ?s WHERE { VALUES (?o) { ("行政复议") } ?s ?p ?o }
    """
    at = _outer_group(text) if terms else None
    if at is None:
        return text
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(str(term) for term in terms.values())
    return f"{text[:at]} VALUES ({names}) {{ ({row}) }}{text[at:]}"


def _outer_group(text: str) -> int | None:
    """Where the outer group pattern of a SELECT or ASK query opens (just after its ``{``), or None."""
    from kg.sparql.guard import tokens

    form, parens = None, 0
    for token in tokens(text):
        word = token.text.upper() if token.kind == "word" else None
        if form is None:
            if word in ("CONSTRUCT", "DESCRIBE"):
                return None
            if word in ("SELECT", "ASK"):
                form = word
            continue
        if token.kind != "other":
            continue
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{" and parens == 0:
            return token.start + 1
    return None


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
    from kg.rdf.load import has_store, load_store, resolve_graph

    if has_store(graph):  # a build folder: its on-disk store, read in place (never its graph files reloaded)
        return load_store(graph)
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


# Where a parameter of that name can take its value from: when the graph holds exactly one, it is taken.
_CANDIDATES = {
    "report": "SELECT DISTINCT ?v WHERE { GRAPH ?g { ?r a fz:Report ; dcterms:identifier ?v } } LIMIT 6",
    "year": "SELECT DISTINCT ?v WHERE { GRAPH ?g { ?r a fz:Report ; fz:year ?v } } LIMIT 6",
}


def _fill_missing(store, question: CompetencyQuestion, values: dict, source: str) -> dict:
    """Defaults, then the graph's only value, for the parameters not given; one line if still missing."""
    values = {**question.defaults, **values}
    missing = [name for name in question.params if name not in values]
    choices: dict[str, list] = {}
    for name in missing:
        if name in _CANDIDATES:
            found = sorted((row["v"] for row in store.query(_CANDIDATES[name], prefixes=dict(PREFIXES))),
                           key=lambda term: term.value)
            if len(found) == 1:
                values[name] = found[0]  # already a term of the graph
                continue
            choices[name] = found
    missing = [name for name in missing if name not in values]
    if missing:
        wanted = "; ".join(f"{name}: {question.params[name]}" + _some(choices.get(name)) for name in missing)
        raise QueryError(f"{source}: missing parameter(s) {', '.join(missing)} ({wanted}); give --param NAME=VALUE")
    return values


def _some(found: list | None) -> str:
    if not found:
        return ""
    shown = ", ".join(term.value for term in found[:5])
    return f"; the graph has {shown}{', …' if len(found) > 5 else ''}"


def execute(graph, query: str | Path, params: Iterable[str] | Mapping[str, str] = (), *,
            allow_service: Iterable[str] = ()):
    """Run QUERY over GRAPH (a path or a pyoxigraph ``Store``); return pyoxigraph's result object.

    An update, or a ``SERVICE`` call to an address not in ``allow_service``, is refused before it runs.
    """
    import pyoxigraph as ox

    text, source, question = resolve_query(query)
    check_query(text, source, allow_service)
    values: dict = parse_params(params)
    for name in values:
        if not re.search(rf"[?$]{re.escape(name)}\b", text):
            raise QueryError(f"{source}: parameter {name!r} is not a variable of the query")
    store = _load(graph)
    if question:
        values = _fill_missing(store, question, values, source)
    terms = {name: value if not isinstance(value, str) else _param_term(question, name, value)
             for name, value in values.items()}
    terms, grams = _title_words(question, terms)
    try:
        # The grams are constants of the VALUES row only: they need not be projected, as substitutions must.
        return store.query(with_values(text, {**terms, **grams}),
                           use_default_graph_as_union=True,
                           substitutions={ox.Variable(name): term for name, term in terms.items()} or None,
                           prefixes=dict(PREFIXES))
    except SyntaxError as err:
        raise QueryError(f"{source}: {syntax_message(str(err), text)}") from None
    except (RuntimeError, OSError, ValueError) as err:
        message = " ".join(str(err).split())
        if "does not contains variable" in message:
            message += " (a bound parameter must appear in the SELECT clause)"
        raise QueryError(f"{source}: {message}") from None


def run_query(graph, query: str | Path, params: Iterable[str] | Mapping[str, str] = (), fmt: str = "table", *,
              timeout: float | None = None, allow_service: Iterable[str] = ()) -> str:
    """Answer QUERY over GRAPH and format the answer as ``table``, ``csv``, ``tsv`` or ``json``.

    GRAPH is a graph file, an ``OUT/`` folder, or a pyoxigraph ``Store``.
    ``json`` and ``csv``/``tsv`` are the W3C SPARQL result formats (the table
    and the CSV show units and kinds by their labels); a CONSTRUCT or DESCRIBE
    answer is N-Triples (Turtle for ``table``). With ``timeout`` (seconds), no
    answer in time is a :class:`QueryError`; pyoxigraph cannot cancel a
    query, so its evaluation goes on in a background thread until it ends or
    the process exits (``kg query`` exits at once).
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if timeout is not None and not timeout > 0:
        raise QueryError(f"timeout {timeout!r}: expected a number of seconds above 0")
    text, source, _ = resolve_query(query)
    check_query(text, source, allow_service)  # before loading: a refusal costs nothing
    store = _load(graph)
    return _in_time(lambda: _answer(store, query, params, fmt, allow_service), timeout, source)


def _answer(store, query, params, fmt: str, allow_service) -> str:
    import pyoxigraph as ox

    result = execute(store, query, params, allow_service=allow_service)
    try:
        if isinstance(result, ox.QueryTriples):
            if fmt == "table":
                return ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)).decode("utf-8")
            return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        if isinstance(result, ox.QueryBoolean):
            if fmt == "table":
                return ("true" if bool(result) else "false") + "\n"
            return _serialize_results(result, fmt)
        if fmt in ("table", "csv"):
            names = [str(v.value) for v in result.variables]
            solutions = list(result)
            labels = concept_labels(store, solutions, names)
            return (format_table if fmt == "table" else format_csv)(names, solutions, labels)
        return _serialize_results(result, fmt)
    except (RuntimeError, OSError) as err:  # evaluation errors surface while iterating
        raise QueryError(f"query failed: {' '.join(str(err).split())}") from None


def _in_time(work: Callable[[], str], timeout: float | None, source: str) -> str:
    """WORK's answer, computed in a thread so that the wait ends on time or on Ctrl-C.

    pyoxigraph releases the GIL while it evaluates, so the waiting thread
    still receives KeyboardInterrupt (which propagates to the caller).
    """
    box: dict = {}

    def target() -> None:
        try:
            box["answer"] = work()
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err

    thread = threading.Thread(target=target, name="kg-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryError(f"{source}: no answer within {timeout:g} s (query cancelled; "
                         f"narrow it, add LIMIT, or give a longer --timeout)")
    if "error" in box:
        raise box["error"]
    return box["answer"]


def _serialize_results(result, fmt: str) -> str:
    import pyoxigraph as ox

    formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON}
    text = result.serialize(format=formats[fmt]).decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def questions_help(folder: Path | None = None) -> str:
    """The competency questions for ``kg query --help``: name, parameters with defaults, the question.

    Lines start with click's no-rewrap marker, so the list keeps its layout.

    >>> "metrics" in questions_help()
    True
    """
    lines = ["\b", "Competency questions (QUERY may name one):"]
    for question in competency_questions(folder):
        params = ", ".join(f"{name}={question.defaults[name]}" if name in question.defaults else name
                           for name in question.params)
        lines.append(f"  {question.name}" + (f" [{params}]" if params else ""))
        lines.append(f"      {question.en}")
    return "\n".join(lines)
