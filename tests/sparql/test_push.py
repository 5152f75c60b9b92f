"""kg.sparql.push: Graph Store Protocol PUT per named graph, against a real oxigraph server."""
from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
import urllib.parse
import urllib.request

import pytest

from kg.sparql.push import EndpointError, push
from kg.sparql.serve import running_server

NQUADS = "".join(
    f'<http://example.org/fzzf/data/{r}/metric-{i}> <http://example.org/fzzf#value> '
    f'"{i}"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/fzzf/data/{r}/graph> .\n'
    for r in ("r1", "r2") for i in range(1, 4)
) + ('<http://example.org/fzzf/unit/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "件"@zh '
     '<http://example.org/fzzf/data/r2/graph> .\n')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def count_by_graph(url: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    request = urllib.request.Request(url + "/query?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        bindings = json.load(response)["results"]["bindings"]
    return {b["g"]["value"]: int(b["n"]["value"]) for b in bindings}


@pytest.fixture()
def graph_file(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_text(NQUADS, encoding="utf-8")
    return path


def test_push_twice_replaces_rather_than_duplicates(graph_file, tmp_path):
    with running_server(None, port=free_port(), writable=True) as url:
        first = list(push(graph_file, url + "/store"))
        assert [line.split(":", 2)[0] + ":" + line.split(":", 2)[1] for line in first] == [
            "http://example.org/fzzf/data/r1/graph", "http://example.org/fzzf/data/r2/graph"]
        assert all("created" in line for line in first)
        expected = {"http://example.org/fzzf/data/r1/graph": 3, "http://example.org/fzzf/data/r2/graph": 4}
        assert count_by_graph(url) == expected
        second = list(push(graph_file, url + "/store"))
        assert all("replaced" in line for line in second)
        assert count_by_graph(url) == expected  # unchanged: PUT replaced each graph
        # A changed report replaces its graph's old statements.
        changed = tmp_path / "changed.nq"
        changed.write_text(NQUADS.replace('"3"^^', '"30"^^'), encoding="utf-8")
        list(push(changed, url + "/store"))
        assert count_by_graph(url) == expected


def test_read_only_endpoint_is_one_clear_error(graph_file):
    with running_server(graph_file, port=free_port()) as url:
        with pytest.raises(EndpointError, match=r"refused the graph: HTTP 403.*read-only"):
            list(push(graph_file, url + "/store"))


def test_unreachable_endpoint(graph_file):
    with pytest.raises(EndpointError, match=r"cannot reach the endpoint"):
        list(push(graph_file, f"http://127.0.0.1:{free_port()}/store"))


def test_not_a_url(graph_file):
    with pytest.raises(EndpointError, match="not an http"):
        list(push(graph_file, "localhost:3030/ds"))


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_PUT(self):  # noqa: N802 (the http.server naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers.get("Authorization"), self.headers.get("Content-Type"), body))
        self.send_response(401 if self.headers.get("Authorization") is None else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_credentials_and_query_string_are_kept(graph_file):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}/ds/data?x=1"
        with pytest.raises(EndpointError, match="HTTP 401.*--user"):
            list(push(graph_file, endpoint))
        _Recorder.seen.clear()
        list(push(graph_file, endpoint, user="ann", password="s3cret"))
        path, auth, content_type, body = _Recorder.seen[0]
        assert path == "/ds/data?x=1&graph=http%3A%2F%2Fexample.org%2Ffzzf%2Fdata%2Fr1%2Fgraph"
        assert auth == "Basic " + base64.b64encode(b"ann:s3cret").decode()
        assert content_type.startswith("application/n-triples") and body.count(b"\n") == 3
    finally:
        server.shutdown()
