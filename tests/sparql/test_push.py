"""kg.sparql.push: Graph Store Protocol PUT per named graph, against a real oxigraph server."""
from __future__ import annotations

import base64
import http.server
import json
import threading
import urllib.parse
import urllib.request

import pytest

from kg.sparql.push import EndpointError, PushError, push, split_credentials
from kg.sparql.serve import running_server

from tests.sparql.conftest import free_port

NQUADS = "".join(
    f'<http://example.org/fzzf/data/{r}/metric-{i}> <http://example.org/fzzf#value> '
    f'"{i}"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/fzzf/data/{r}/graph> .\n'
    for r in ("r1", "r2") for i in range(1, 4)
) + ('<http://example.org/fzzf/unit/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "件"@zh '
     '<http://example.org/fzzf/data/r2/graph> .\n')


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


class _Store(http.server.BaseHTTPRequestHandler):
    """A Graph Store that answers 500 to the PUT numbered ``fail_at`` and keeps what it was sent."""

    puts: list = []
    fail_at = 3

    def do_PUT(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.puts.append((urllib.parse.unquote(self.path.partition("graph=")[2]), self.headers.get("Authorization")))
        status = 500 if len(self.puts) == self.fail_at else 201
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def store_server():
    _Store.puts = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def five_graphs(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_text("".join(
        f'<http://example.org/fzzf/data/r{r}/m> <http://example.org/fzzf#value> "{r}" '
        f'<http://example.org/fzzf/data/r{r}/graph> .\n' for r in range(1, 6)), encoding="utf-8")
    return path


def test_a_partial_push_names_what_was_written_failed_and_not_attempted(five_graphs, store_server):
    lines = []
    with pytest.raises(PushError) as failed:
        for line in push(five_graphs, f"http://{store_server}/store"):
            lines.append(line)
    graph = "http://example.org/fzzf/data/r{}/graph".format
    assert [line.split(": ")[0] for line in lines] == [graph(1), graph(2)]
    error = failed.value
    assert (error.written, error.failed, error.not_attempted) == ([graph(1), graph(2)], graph(3), [graph(4), graph(5)])
    assert str(error) == (f"http://{store_server}/store: refused the graph: HTTP 500 Internal Server Error; "
                          f"failed: {graph(3)}; written before it: 2 ({graph(1)}, {graph(2)}); "
                          f"not attempted: 2 ({graph(4)}, {graph(5)})")
    assert [name for name, _ in _Store.puts] == [graph(1), graph(2), graph(3)]  # and nothing after


def test_credentials_in_the_url_are_basic_auth_and_never_printed(five_graphs, store_server):
    _Store.fail_at = 1
    try:
        with pytest.raises(PushError) as failed:
            list(push(five_graphs, f"http://ann:s%3Acr%40t@{store_server}/store"))
    finally:
        _Store.fail_at = 3
    assert _Store.puts[0][1] == "Basic " + base64.b64encode(b"ann:s:cr@t").decode()
    message = str(failed.value)
    assert message.startswith(f"http://ann@{store_server}/store: refused the graph: HTTP 500")
    assert "s%3Acr%40t" not in message and "s:cr@t" not in message and "cr" not in message.split("/store")[0]


@pytest.mark.parametrize("endpoint", ["http://ann:topsecret@127.0.0.1:{port}/store",
                                      "http://ann:topsecret@[::1]:{port}/store", "ftp://ann:topsecret@host/x"])
def test_the_password_is_not_in_an_unreachable_or_bad_endpoint_error(five_graphs, endpoint):
    with pytest.raises(EndpointError) as failed:
        list(push(five_graphs, endpoint.format(port=free_port())))
    assert "topsecret" not in str(failed.value) and "ann@" in str(failed.value)


def test_arguments_win_over_the_credentials_of_the_url(five_graphs, store_server):
    _Store.fail_at = 0
    try:
        list(push(five_graphs, f"http://ann:old@{store_server}/store", user="bob", password="new"))
    finally:
        _Store.fail_at = 3
    assert {auth for _, auth in _Store.puts} == {"Basic " + base64.b64encode(b"bob:new").decode()}


def test_split_credentials():
    assert split_credentials("https://a:b@h/x?y=1") == ("https://h/x?y=1", "a", "b")
    assert split_credentials("https://a@h/x") == ("https://h/x", "a", None)
    assert split_credentials("https://h/x") == ("https://h/x", None, None)
