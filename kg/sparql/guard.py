"""What a query may do on our endpoints: read, never update, never call another server.

Oxigraph (the server and pyoxigraph alike) follows ``SERVICE <http://…>`` by
making an HTTP request to that address: anyone who can send a query could make
our host fetch any URL (server-side request forgery). :func:`check_query`
refuses such a query before it reaches Oxigraph, and refuses an update with a
message that says so.

Oxigraph matches keywords without a word boundary (``SERVICEex:p``,
``1SERVICE<…>`` and ``SERVICESILENT<…>`` all call the service), so the check
is deliberately blunt: after setting aside comments, strings, IRIs and
variables exactly as SPARQL's grammar delimits them, any ``service`` left, in
any case and inside any word, refuses the query. A name that merely contains
the word (``ex:customerService``) can be written as a full IRI instead.
An allow-list admits ``SERVICE <IRI>`` (optionally ``SILENT``) for the exact
absolute IRIs the user gave, and nothing else.

>>> check_query("SELECT * WHERE { ?s ?p 'service' }")
>>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
kg.errors.QueryError: query: SERVICE is refused (line 1, column 18): this endpoint does not call other servers
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import QueryError

__all__ = ["check_query", "tokens", "Token", "UPDATE_KEYWORDS"]

# SPARQL 1.1 grammar, §19.8 (PN_CHARS_U and the extra characters of VARNAME).
_PN_CHARS_U = ("A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
               "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_VARNAME_REST = _PN_CHARS_U + "0-9\u00B7\u0300-\u036F\u203F-\u2040"
_ESCAPE = r"\\(?:[tbnrf\\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_IRI_ESCAPE = r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"  # Oxigraph reads these inside an IRI too
_TOKEN = re.compile(
    # A comment runs to the end of the line; Oxigraph ends it at CR as well as LF.
    r"(?P<comment>#[^\r\n]*)"
    rf"|(?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ESCAPE}))*'''"
    rf'|"""(?:(?:""|")?(?:[^"\\]|{_ESCAPE}))*"""'
    rf"|'(?:[^'\\\r\n]|{_ESCAPE})*'"
    rf'|"(?:[^"\\\r\n]|{_ESCAPE})*")'
    rf"|(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_IRI_ESCAPE})*>)"
    rf"|(?P<var>[?$][{_PN_CHARS_U}0-9][{_VARNAME_REST}]*)"
    r"|(?P<word>[^\s#'\"<>?$(){}\[\],;.*/|^!=&+\-]+)"  # keywords, prefixed names, numbers, a, …
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_PROLOGUE = ("BASE", "PREFIX")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, iri, var, word, space, other
    text: str
    start: int  # offset in the query text


def tokens(text: str) -> list[Token]:
    """The query cut as SPARQL delimits comments, strings, IRIs and variables (spaces dropped).

    >>> [t.text for t in tokens("SELECT ?s { ?s <x#y> 'a#b' } # done")]
    ['SELECT', '?s', '{', '?s', '<x#y>', "'a#b'", '}', '# done']
    """
    return [Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text) if m.lastgroup != "space"]


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _iri_value(token: Token) -> str:
    return _UCHAR.sub(lambda m: chr(int(m[1] or m[2], 16)), token.text[1:-1])


def _allowed_service(code: list[Token], at: int, allow: frozenset[str]) -> bool:
    """``SERVICE [SILENT] <IRI>`` at ``code[at]`` with an absolute IRI of the allow-list."""
    if code[at].text.upper() != "SERVICE":
        return False
    following = code[at + 1:at + 3]
    if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
        following = following[1:]
    if not following or following[0].kind != "iri":
        return False
    iri = _iri_value(following[0])
    return bool(_ABSOLUTE.match(iri)) and iri in allow


def check_query(text: str, source: str = "query", allow_service: Iterable[str] = ()) -> None:
    """Raise :class:`QueryError` if TEXT is an update or calls a service not in ``allow_service``."""
    code = [t for t in tokens(text) if t.kind != "comment"]
    _check_form(text, code, source)
    allow = frozenset(allow_service)
    for at, token in enumerate(code):
        if token.kind != "word" or "service" not in token.text.casefold():
            continue
        if allow and _allowed_service(code, at, allow):
            continue
        listed = f" (allowed: {', '.join(sorted(allow))})" if allow else ""
        raise QueryError(f"{source}: SERVICE is refused ({_where(text, token.start)}): this endpoint does not "
                         f"call other servers{listed}" + ("" if token.text.upper() == "SERVICE" else
                                                          f"; write {token.text!r} as a full <IRI> if it is a name"))


def _check_form(text: str, code: list[Token], source: str) -> None:
    """The first keyword after the prologue: an update is refused, anything else but a query form named."""
    at = 0
    while at < len(code) and code[at].kind == "word" and code[at].text.upper() in _PROLOGUE:
        at += 3 if code[at].text.upper() == "PREFIX" else 2  # PREFIX p: <iri> | BASE <iri>
    if at >= len(code):
        raise QueryError(f"{source}: the query is empty; expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    first = code[at]
    word = first.text.upper() if first.kind == "word" else ""
    if word.startswith(UPDATE_KEYWORDS):
        raise QueryError(f"{source}: updates are refused ({word} at {_where(text, first.start)}): the graph is "
                         f"read-only; SELECT, ASK, CONSTRUCT and DESCRIBE are answered")
    if not word.startswith(_FORMS):
        raise QueryError(f"{source}: {_where(text, first.start)}: expected SELECT, ASK, CONSTRUCT or DESCRIBE, "
                         f"not {first.text[:20]!r}")
