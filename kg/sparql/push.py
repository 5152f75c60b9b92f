"""``kg push``: send each report's named graph to a SPARQL 1.1 Graph Store Protocol endpoint.

Every named graph goes with ``PUT ENDPOINT?graph=IRI`` as N-Triples, which
*replaces* that graph on the server: pushing again updates rather than
duplicates. Statements outside any named graph (a ``.ttl`` file) go to
``?default``. Works with Fuseki (``…/ds/data``), GraphDB
(``…/repositories/R/rdf-graphs/service``), Oxigraph (``…/store``) and others.

Credentials may be given in the URL (``http://user:secret@host/ds/data``) or
as arguments; either way they travel as HTTP Basic auth and no message shows
the password. The graphs go in order; if one is refused, the push stops and
the error names the graphs written, the one that failed and those not
attempted (also as attributes of :class:`PushError`).
"""
from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from kg.errors import KgError

__all__ = ["push", "EndpointError", "PushError", "split_credentials", "PASSWORD_ENV"]

_CONTENT_TYPE = "application/n-triples"
PASSWORD_ENV = "KG_PUSH_PASSWORD"  # where `kg push` may read the password from instead of the command line
_NAMED = 3  # graphs named in a message; the rest are counted


class EndpointError(KgError):
    """The endpoint cannot be reached or refuses the graph."""


class PushError(EndpointError):
    """A push that stopped part-way: what was written, what failed, what was not attempted."""

    def __init__(self, message: str, written: list[str], failed: str, not_attempted: list[str]):
        super().__init__(message)
        self.written, self.failed, self.not_attempted = written, failed, not_attempted


def split_credentials(endpoint: str) -> tuple[str, str | None, str | None]:
    """``(endpoint without user:password@, user, password)``; user and password percent-decoded.

    >>> split_credentials("http://ann:s%40cret@localhost:3030/ds/data")
    ('http://localhost:3030/ds/data', 'ann', 's@cret')
    """
    parts = urllib.parse.urlsplit(endpoint)
    if "@" not in parts.netloc:
        return endpoint, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    bare = urllib.parse.urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return bare, urllib.parse.unquote(user), urllib.parse.unquote(password) if sep else None


def push(graph, endpoint: str, user: str | None = None, password: str | None = None,
         timeout: float = 60.0) -> Iterator[str]:
    """PUT each named graph of GRAPH (a file or ``OUT/`` folder) to ENDPOINT; yield one line per graph.

    ``user``/``password`` given here win over those of the URL.
    """
    bare, url_user, url_password = split_credentials(endpoint)
    user = user if user is not None else url_user
    password = password if password is not None else url_password
    shown = _shown(bare, user)  # the endpoint as messages show it: never the password
    parts = urllib.parse.urlsplit(bare)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{shown}: not an http(s) URL of a Graph Store endpoint")
    headers = {"Content-Type": f"{_CONTENT_TYPE}; charset=utf-8"}
    if user is not None or password is not None:
        token = base64.b64encode(f"{user or ''}:{password or ''}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    store, targets = _targets(graph)
    written: list[str] = []
    for position, (name, graph_name) in enumerate(targets):
        body = _dump(store, graph_name)
        query = f"graph={urllib.parse.quote(name, safe='')}" if name else "default"
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path,
                                       f"{parts.query}&{query}" if parts.query else query, ""))
        request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
        try:
            status = _send(request, shown, timeout)
        except EndpointError as err:
            rest = [other or "default graph" for other, _ in targets[position + 1:]]
            raise PushError(_partial(str(err), name or "default graph", written, rest),
                            written, name or "default graph", rest) from None
        written.append(name or "default graph")
        outcome = {201: "created"}.get(status, "replaced")
        triples = body.count(b"\n")
        yield f"{name or 'default graph'}: {triples} triples {outcome} (HTTP {status})"


def _targets(graph):
    import pyoxigraph as ox

    from kg.rdf.load import load_store

    store = load_store(graph)
    targets: list[tuple[str, object]] = [(g.value, g) for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    targets.sort(key=lambda pair: pair[0])
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        targets.append(("", ox.DefaultGraph()))
    if not targets:
        raise EndpointError(f"{graph}: the graph is empty; nothing to push")
    return store, targets


def _dump(store, graph_name) -> bytes:
    import pyoxigraph as ox

    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_name)


def _shown(bare: str, user: str | None) -> str:
    if not user:
        return bare
    parts = urllib.parse.urlsplit(bare)
    netloc = f"{urllib.parse.quote(user, safe='')}@{parts.netloc}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _names(names: list[str]) -> str:
    listed = ", ".join(names[:_NAMED]) + (f" and {len(names) - _NAMED} more" if len(names) > _NAMED else "")
    return f"{len(names)} ({listed})" if names else "none"


def _partial(error: str, failed: str, written: list[str], rest: list[str]) -> str:
    return f"{error}; failed: {failed}; written before it: {_names(written)}; not attempted: {_names(rest)}"


def _send(request: urllib.request.Request, shown: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as err:
        detail = err.read(300).decode("utf-8", "replace").strip().splitlines()
        hint = {401: " (check --user and --password)", 403: " (the endpoint is read-only or forbids this user)",
                404: " (is this the Graph Store URL, e.g. …/ds/data or …/store?)",
                405: " (the endpoint does not accept PUT; give its Graph Store URL)"}.get(err.code, "")
        raise EndpointError(f"{shown}: refused the graph: HTTP {err.code} {err.reason}{hint}"
                            + (f": {detail[0]}" if detail else "")) from None
    except urllib.error.URLError as err:
        raise EndpointError(f"{shown}: cannot reach the endpoint ({err.reason})") from None
    except (TimeoutError, OSError, ValueError) as err:
        raise EndpointError(f"{shown}: cannot reach the endpoint ({err})") from None
