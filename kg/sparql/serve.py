"""``kg serve``: a read-only SPARQL endpoint over a built graph, answered by the real ``oxigraph`` server.

The graph and the ontology (its labels) are bulk-loaded into an Oxigraph
store in a temporary folder; ``oxigraph serve-read-only`` answers on a
private loopback port, with the union of the reports' named graphs as the
default graph and a query timeout, behind the checking front of
:mod:`kg.sparql.front` on the public port (no ``SERVICE``, no writes, our
prefixes, a timeout as HTTP 503).

The server cannot outlive ``kg serve``: Linux kills it when its parent dies
(PR_SET_PDEATHSIG, even on ``kill -9``), and the next ``kg serve`` sweeps a
temporary store whose owner is gone (each holds a lock on its folder while it
lives). A port in use is one line; the server's death ends ``kg serve``.
Ctrl-C or SIGTERM stops both and removes the temporary store.
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, KgError

__all__ = ["serve", "running_server", "oxigraph_binary", "load_into", "ServerError"]

_LOCK = ".kg-serve.lock"
_LISTENING = b"Listening for requests at"
_QUIET = {"RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}  # one error line, not a stack


class ServerError(KgError):
    """The oxigraph server could not be found, started or reached, or it stopped."""


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable of the PyPI package ``oxigraph``, next to this Python first."""
    beside_python = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("oxigraph", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                          os.environ.get("PATH", "")]))
    if found:
        return found
    raise ServerError("the oxigraph server is not installed; run: pip install oxigraph")


def load_into(graph, location: Path, *, ontology: bool = True) -> None:
    """Bulk-load GRAPH (a file or an ``OUT/`` folder), and the ontology into the default graph, at LOCATION."""
    from kg.rdf.load import resolve_graph
    from kg.resources import ontology_file
    from kg.sparql.query import TRIPLES_GRAPH

    from kg.rdf.load import has_store

    if has_store(graph):  # a build's own store: a checkpoint (hard links), not a reload of every quad
        from kg.store.graphs import open_read_only

        open_read_only(Path(graph)).backup(str(location))
    else:
        path = resolve_graph(graph)
        # A file without named graphs goes into one, as `kg query` does: the questions look inside GRAPH ?graph.
        into = ["--graph", TRIPLES_GRAPH] if path.suffix.lower() in (".ttl", ".nt") else []
        _load_file(path, location, into)
    if ontology:
        _load_file(ontology_file(), location, [])


def _load_file(path: Path, location: Path, extra: list[str]) -> None:
    command = [oxigraph_binary(), "load", "--location", str(location), "--file", str(path), *extra]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **_QUIET})
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        opening = f"Error while loading file {path}: "
        said = [line.removeprefix(opening) for line in lines if line.startswith(opening)]
        detail = said[0] if said else (lines[-1] if lines else f"exit {done.returncode}")
        raise InputError(f"{path}: not a readable RDF file ({detail})")


@dataclass
class _Server:
    url: str
    process: subprocess.Popen
    log: Path

    def last_words(self) -> str:
        lines = self.log.read_bytes().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no message"


@contextmanager
def running_server(graph, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0, *,
                   writable: bool = False, startup: float = 30.0, allow_service: Iterable[str] = ()) -> Iterator[str]:
    """Load GRAPH (or nothing, when ``graph`` is None) and run the server; yield its base URL.

    ``writable=True`` runs ``oxigraph serve`` itself on the port, with no front
    (tests use it as a Graph Store Protocol target): never expose it.
    """
    with _running(graph, host, port, timeout, writable=writable, startup=startup,
                  allow_service=tuple(allow_service)) as server:
        yield server.url


@contextmanager
def _running(graph, host: str, port: int, timeout: float, *, writable: bool, startup: float,
             allow_service: tuple[str, ...], echo: Callable[[str], None] | None = None) -> Iterator[_Server]:
    listener = None if writable else _listen(host, port)  # first: a port in use stops us before loading
    try:
        with _scratch() as (tmp, lock):
            location = tmp / "store"
            if echo:
                echo(f"loading {graph} …")
            if graph is not None:
                load_into(graph, location)
            else:
                location.mkdir()
            bind = (host, port) if writable else ("127.0.0.1", None)
            server = _start_oxigraph(location, bind, timeout, writable, tmp, lock, startup)
            try:
                if writable:
                    yield server
                    return
                from kg.sparql.front import start_front

                front = start_front(listener, _host_port(server.url), timeout, allow_service)
                try:
                    yield _Server(f"http://{_url_host(host)}:{listener.getsockname()[1]}", server.process, server.log)
                finally:
                    front.shutdown()
            finally:
                _stop(server.process)
    finally:
        if listener is not None:
            listener.close()


def serve(graph, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
          echo: Callable[[str], None] = print, *, allow_service: Iterable[str] = ()) -> None:
    """Serve GRAPH read-only until Ctrl-C or SIGTERM; the oxigraph server's death is a :class:`ServerError`."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with _running(graph, host, port, timeout, writable=False, startup=30.0,
                      allow_service=tuple(allow_service), echo=echo) as server:
            echo(f"SPARQL endpoint: {server.url}/query   query page: {server.url}/   "
                 f"(read-only, no SERVICE, {timeout:g} s per query; Ctrl-C to stop)")
            try:
                code = server.process.wait()
            except KeyboardInterrupt:
                echo("stopping …")
                return
            raise ServerError(f"the oxigraph server stopped (exit {code}: {server.last_words()}); "
                              f"{server.url} no longer answers")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _host_port(url: str) -> tuple[str, int]:
    host, _, port = url.removeprefix("http://").rpartition(":")
    return host.strip("[]"), int(port)


def _listen(host: str, port: int) -> socket.socket:
    """The public socket, bound and listening; a port in use (or not ours to take) is one line."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except socket.gaierror as err:
        raise ServerError(f"{host}: cannot listen on this host ({err.strerror})") from None
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise ServerError(f"{_url_host(host)}:{port}: port already in use (another kg serve? "
                              f"choose another with --port)") from None
        raise ServerError(f"{_url_host(host)}:{port}: cannot listen ({err.strerror or err})") from None


@contextmanager
def _scratch() -> Iterator[tuple[Path, int]]:
    """A temporary folder, locked while this process (or its server) lives; stale ones swept first."""
    _sweep_stale()
    tmp = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    lock = os.open(tmp / _LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        yield tmp, lock
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)


def _sweep_stale(parent: Path | None = None) -> None:
    """Remove the temporary stores of servers that died without cleaning up (their lock is free)."""
    for folder in sorted(Path(parent or tempfile.gettempdir()).glob("kg-serve-*")):
        try:
            lock = os.open(folder / _LOCK, os.O_WRONLY)
        except OSError:
            continue  # not ours, or just being made: leave it
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # its owner is alive
        finally:
            os.close(lock)
        shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` that has Linux kill the child when this process dies (a no-op elsewhere).

    Linux sends the signal when the *thread* that started the child ends: start it from a thread that lives
    as long as the server should (``kg serve`` uses its main thread).
    """
    if not sys.platform.startswith("linux"):
        return lambda: None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    parent = os.getpid()

    def arm() -> None:
        prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arm


def _start_oxigraph(location: Path, bind: tuple[str, int | None], timeout: float, writable: bool, tmp: Path,
                    lock: int, startup: float) -> _Server:
    """Start the server (on a free loopback port when ``bind`` has none), and wait until it answers."""
    for attempt in range(3):  # a free port can be taken between our look and the server's bind
        host, port = bind[0], bind[1] or _free_port()
        log = tmp / f"server-{attempt}.log"
        command = [oxigraph_binary(), "serve" if writable else "serve-read-only", "--location", str(location),
                   "--bind", f"{host}:{port}", "--union-default-graph", "--timeout-s", str(max(1, round(timeout)))]
        with open(log, "wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env={**os.environ, **_QUIET}, pass_fds=(lock,),
                                       start_new_session=True,  # Ctrl-C reaches kg serve, which stops it
                                       preexec_fn=_die_with_parent())
        server = _Server(f"http://{_url_host(host)}:{port}", process, log)
        try:
            if _wait_until_up(server, startup):
                return server
        except BaseException:
            _stop(process)
            raise
        if bind[1] is not None:
            break
    words = server.last_words()
    hint = " (port already in use)" if "in use" in words else ""
    raise ServerError(f"the oxigraph server stopped at start ({words}){hint}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(server: _Server, startup: float) -> bool:
    """True once our server says it listens and answers; False if it stopped (e.g. its port was taken)."""
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        if _LISTENING in server.log.read_bytes():  # printed only once the port is its own
            try:
                with urllib.request.urlopen(server.url + "/query?query=ASK%7B%7D", timeout=1):
                    return True
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.02)
    _stop(server.process)
    raise ServerError(f"the oxigraph server did not answer at {server.url} within {startup:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    # Killed outright: read-only, or a test's scratch store, so there is nothing to flush (SIGTERM takes a second).
    if process.poll() is None:
        process.kill()
    process.wait()
