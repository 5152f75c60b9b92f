"""The public face of ``kg serve``: a small HTTP front that checks each request before oxigraph sees it.

The ``oxigraph`` server cannot refuse ``SERVICE`` (it would fetch any address
a query names) and reports a query cancelled by its timeout as HTTP 200 with
the message at the end of the body. So it listens on a private loopback port,
and this front, on the public one, forwards only what a read-only endpoint
answers:

- a query (``GET``/``POST /query`` or ``/sparql``, form or ``application/sparql-query``) is
  checked by :func:`kg.sparql.guard.check_query` (no update, no ``SERVICE``
  outside the allow-list: HTTP 403), given our prefixes, and sent on as a
  form that holds exactly what was checked;
- any other ``GET`` (the query page, ``/store`` reads) is passed through;
- every write (``/update``, ``PUT``, ``DELETE``, ``POST`` elsewhere) is 403;
- the answer is read whole (in memory up to 16 MB, then on disk; the timeout
  bounds it) before it is sent: a cancelled query becomes HTTP 503, a syntax
  error HTTP 400 with one line.
"""
from __future__ import annotations

import http.client
import http.server
import shutil
import socket
import tempfile
import threading
import urllib.parse

from kg.errors import QueryError
from kg.rdf.namespaces import PREFIXES
from kg.sparql.guard import check_query
from kg.sparql.results import syntax_message

__all__ = ["start_front", "Front", "PROLOGUE"]

# One line, so oxigraph's line numbers are the query's plus one; a query's own PREFIX overrides ours.
PROLOGUE = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in sorted(PREFIXES.items())) + "\n"
_CANCELLED = b"The SPARQL operation has been cancelled"
_IN_MEMORY = 16 * 1024 * 1024
_FORM = "application/x-www-form-urlencoded"
_MAX_BODY = 16 * 1024 * 1024
_QUERY_PATHS = ("/query", "/sparql")  # oxigraph answers at both; its query page sends to /sparql


class Front(http.server.ThreadingHTTPServer):
    """The front's server; ``upstream`` is oxigraph's ``(host, port)``."""

    daemon_threads = True

    def __init__(self, listener: socket.socket, upstream: tuple[str, int], timeout: float,
                 allow_service: tuple[str, ...]):
        super().__init__(listener.getsockname()[:2], _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listener  # bound by the caller, so that a port in use is found before any loading
        self.server_name, self.server_port = str(listener.getsockname()[0]), listener.getsockname()[1]
        self.upstream, self.query_timeout, self.allow_service = upstream, timeout, allow_service


def start_front(listener: socket.socket, upstream: tuple[str, int], timeout: float,
                allow_service: tuple[str, ...] = ()) -> Front:
    """Serve the front on LISTENER (bound, listening) in a background thread; ``shutdown()`` stops it."""
    front = Front(listener, upstream, timeout, tuple(allow_service))
    threading.Thread(target=front.serve_forever, name="kg-serve-front", daemon=True).start()
    return front


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its Content-Length
    server_version = "kg-serve"
    disable_nagle_algorithm = True  # headers and body go in two writes: without this, a 40 ms stall each

    def log_message(self, format, *args):  # noqa: A002 (http.server's name) - quiet, like oxigraph
        pass

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path, params = self._split()
        if path == "/query" or any(name in ("query", "update") for name, _ in params):
            self._query(params)
        else:
            self._forward(self.command, path, params)

    do_HEAD = do_GET  # a HEAD with a query is still checked (the answer's body is dropped)

    def do_POST(self):  # noqa: N802
        path, params = self._split()
        body = self._body()
        if body is None:
            return None
        if path not in _QUERY_PATHS:
            return self._refuse(403, f"{path}: this endpoint is read-only")
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            return self._refuse(403, "updates are refused: this endpoint is read-only")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._refuse(400, "the request body is not UTF-8")
        if kind == _FORM:
            params += urllib.parse.parse_qsl(text, keep_blank_values=True)
        elif kind == "application/sparql-query":
            params.append(("query", text))
        else:
            return self._refuse(415, f"send the query as {_FORM} or application/sparql-query")
        self._query(params)

    def _refuse_write(self):
        if self._body() is not None:
            self._refuse(403, "this endpoint is read-only")

    do_PUT = do_DELETE = do_PATCH = _refuse_write

    # ---- the parts -------------------------------------------------------------

    def _split(self) -> tuple[str, list[tuple[str, str]]]:
        parts = urllib.parse.urlsplit(self.path)
        return parts.path, urllib.parse.parse_qsl(parts.query, keep_blank_values=True)

    def _body(self) -> bytes | None:
        """The request's body; None (after answering) if it has no length we accept."""
        length = self.headers.get("Content-Length", "0" if "Transfer-Encoding" not in self.headers else "")
        if not length.isdigit() or int(length) > _MAX_BODY:
            self.close_connection = True  # what is left of the body cannot be skipped
            self._refuse(413 if length.isdigit() else 411, f"send a Content-Length of at most {_MAX_BODY} bytes")
            return None
        return self.rfile.read(int(length))

    def _query(self, params: list[tuple[str, str]]) -> None:
        if any(name == "update" for name, _ in params):
            return self._refuse(403, "updates are refused: this endpoint is read-only")
        texts = [value for name, value in params if name == "query"]
        if len(texts) != 1:
            return self._refuse(400, "give one query parameter")
        try:
            check_query(texts[0], "query", self.server.allow_service)
        except QueryError as err:
            refused = "refused" in str(err)
            return self._refuse(403 if refused else 400, str(err))
        sent = [(name, PROLOGUE + value if name == "query" else value) for name, value in params]
        self._forward("POST", "/query", [], body=urllib.parse.urlencode(sent).encode("utf-8"), query=texts[0])

    def _forward(self, method: str, path: str, params: list, *, body: bytes | None = None,
                 query: str | None = None) -> None:
        target = path + ("?" + urllib.parse.urlencode(params) if params else "")  # exactly what was parsed
        headers = {"Accept": self.headers.get("Accept", "*/*")}
        if body is not None:
            headers["Content-Type"] = _FORM
        try:
            response = self._upstream_response(method, target, body, headers)
            with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as answer:
                shutil.copyfileobj(response, answer)
                self._answer(response, answer, query)
        except (OSError, http.client.HTTPException) as err:
            self._drop_upstream()
            timed_out = isinstance(err, TimeoutError)
            self._refuse(503 if timed_out else 502, self._timeout_line() if timed_out else
                         f"the oxigraph server did not answer ({err})")

    def _upstream_response(self, method: str, target: str, body: bytes | None, headers: dict):
        """Oxigraph's response, over this client connection's own keep-alive connection to it."""
        for attempt in range(2):  # a kept connection the server has closed fails once: open a new one
            if getattr(self, "_upstream", None) is None:
                self._upstream = http.client.HTTPConnection(*self.server.upstream,
                                                            timeout=self.server.query_timeout + 10)
                self._upstream.connect()
                self._upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self._upstream.request(method, target, body=body, headers=headers)
                return self._upstream.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self._drop_upstream()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _drop_upstream(self) -> None:
        if getattr(self, "_upstream", None) is not None:
            self._upstream.close()
            self._upstream = None

    def finish(self) -> None:
        super().finish()
        self._drop_upstream()

    def _answer(self, response: http.client.HTTPResponse, answer, query: str | None) -> None:
        size = answer.tell()
        answer.seek(max(0, size - len(_CANCELLED) - 2))
        if _CANCELLED in answer.read():
            return self._refuse(503, self._timeout_line())
        answer.seek(0)
        if response.status == 400 and query is not None:
            return self._refuse(400, "query: " + syntax_message(_shift(answer.read().decode("utf-8", "replace")),
                                                                 query))
        self.send_response(response.status)
        self.send_header("Content-Type", response.getheader("Content-Type", "application/octet-stream"))
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if self.command != "HEAD":
            shutil.copyfileobj(answer, self.wfile)

    def _timeout_line(self) -> str:
        return (f"query: no answer within {self.server.query_timeout:g} s (query cancelled; narrow it, add LIMIT, "
                "or restart kg serve with a longer --timeout)")

    def _refuse(self, status: int, message: str) -> None:
        data = (" ".join(message.split()) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _shift(message: str) -> str:
    """Oxigraph's ``error at L:C`` counted over our prologue line: the query's own line is L - 1."""
    head, sep, rest = message.partition("error at ")
    line, colon, tail = rest.partition(":")
    if not sep or not colon or not line.isdigit():
        return message
    return f"{head}error at {max(1, int(line) - 1)}:{tail}"
