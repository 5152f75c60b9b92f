"""``kg push``: send each report's named graph to a SPARQL 1.1 Graph Store Protocol endpoint.

Every named graph goes with ``PUT ENDPOINT?graph=IRI`` as N-Triples, which
*replaces* that graph on the server: pushing again updates rather than
duplicates. Statements outside any named graph (a ``.ttl`` file) go to
``?default``. Works with Fuseki (``…/ds/data``), GraphDB
(``…/repositories/R/rdf-graphs/service``), Oxigraph (``…/store``) and others.
"""
from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from kg.errors import KgError

__all__ = ["push", "EndpointError"]

_CONTENT_TYPE = "application/n-triples"


class EndpointError(KgError):
    """The endpoint cannot be reached or refuses the graph."""


def push(graph, endpoint: str, user: str | None = None, password: str | None = None,
         timeout: float = 60.0) -> Iterator[str]:
    """PUT each named graph of GRAPH (a file or ``OUT/`` folder) to ENDPOINT; yield one line per graph."""
    import pyoxigraph as ox

    from kg.rdf.load import load_store

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{endpoint}: not an http(s) URL of a Graph Store endpoint")
    headers = {"Content-Type": f"{_CONTENT_TYPE}; charset=utf-8"}
    if user is not None or password is not None:
        token = base64.b64encode(f"{user or ''}:{password or ''}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    store = load_store(graph)
    targets: list[tuple[str, object]] = [(g.value, g) for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    targets.sort(key=lambda pair: pair[0])
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        targets.append(("", ox.DefaultGraph()))
    if not targets:
        raise EndpointError(f"{graph}: the graph is empty; nothing to push")
    for name, graph_name in targets:
        body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_name)
        query = f"graph={urllib.parse.quote(name, safe='')}" if name else "default"
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path,
                                       f"{parts.query}&{query}" if parts.query else query, ""))
        request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
        status = _send(request, endpoint, timeout)
        triples = body.count(b"\n")
        outcome = {201: "created"}.get(status, "replaced")
        yield f"{name or 'default graph'}: {triples} triples {outcome} (HTTP {status})"


def _send(request: urllib.request.Request, endpoint: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as err:
        detail = err.read(300).decode("utf-8", "replace").strip().splitlines()
        hint = {401: " (check --user and --password)", 403: " (the endpoint is read-only or forbids this user)",
                404: " (is this the Graph Store URL, e.g. …/ds/data or …/store?)",
                405: " (the endpoint does not accept PUT; give its Graph Store URL)"}.get(err.code, "")
        raise EndpointError(f"{endpoint}: refused the graph: HTTP {err.code} {err.reason}{hint}"
                            + (f": {detail[0]}" if detail else "")) from None
    except urllib.error.URLError as err:
        raise EndpointError(f"{endpoint}: cannot reach the endpoint ({err.reason})") from None
    except (TimeoutError, OSError) as err:
        raise EndpointError(f"{endpoint}: cannot reach the endpoint ({err})") from None
