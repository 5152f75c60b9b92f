"""Fetching reports from the web: ``kg build URL…`` and ``kg build --urls FILE``.

Each page is fetched politely — robots.txt respected (urllib.robotparser),
one request per host at a time with a delay between them (the longer of
``delay`` and the site's ``Crawl-delay``), a user agent that names us, a
timeout, and retries with exponential back-off on timeouts, dropped
connections, 429 and 5xx answers. The bytes are kept as fetched in
``folder`` under a name derived from the URL, beside a hidden record
(``.NAME.fetch.json``: URL, final URL after redirects, fetch time in UTC,
content type, HTTP status, sha256) that :func:`kg.readers.read_document`
reads to set ``meta.url`` and ``meta.fetched``.

requests is the client: redirects, connection reuse, timeouts and header
parsing done right, with nothing to write by hand that urllib leaves to us.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from kg import __version__
from kg.errors import InputError

__all__ = ["fetch_reports", "file_name_for", "USER_AGENT", "read_url_list"]

USER_AGENT = f"kg/{__version__} (+https://example.org/kg)"
ROBOTS_AGENT = "kg"  # the token robots.txt rules name
MAX_BYTES = 200 * 1024 * 1024  # no report is larger; a bigger answer is not one
_EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt",
               "application/pdf": ".pdf", "application/msword": ".doc", "application/ofd": ".ofd",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}
_RETRY_STATUS = {429, 500, 502, 503, 504}


def file_name_for(url: str, content_type: str | None = None) -> str:
    """A file name for a URL: readable, safe, and the same for the same URL.

    >>> file_name_for("https://www.example.gov.cn/art/2024/3/1/art_12_345.html", "text/html; charset=gbk")
    'www.example.gov.cn-art-2024-3-1-art_12_345-78e379c80d.html'
    """
    parts = urlsplit(url)
    path = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", parts.path)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{parts.hostname or ''}{path}").strip("-.")[:80].strip("-.")
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return f"{slug or 'page'}-{digest}{_extension(url, content_type)}"


def _extension(url: str, content_type: str | None) -> str:
    from kg.readers import SUFFIXES

    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in _EXTENSIONS:
        return _EXTENSIONS[kind]
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if suffix in SUFFIXES else ".html"


def read_url_list(path: str | Path) -> list[str]:
    """The URLs of a ``--urls`` file: one a line; blank lines and ``#`` comments skipped."""
    from kg.readers.files import read_file, shown

    try:
        lines = read_file(path).decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{shown(path)}: a URL list must be UTF-8 text") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class _Host:
    """What we know of one host: its robots.txt and when we last asked it something."""

    def __init__(self) -> None:
        self.robots: RobotFileParser | None = None
        self.robots_problem: str | None = None
        self.last = float("-inf")


def fetch_reports(urls: list[str], folder: Path, *, delay: float = 1.0, timeout: float = 30.0, retries: int = 2,
                  sleep: Callable[[float], None] = time.sleep) -> list[tuple[str, Path | InputError]]:
    """Fetch each URL into ``folder``; return, in order, each URL with its file or the one-line error.

    A URL that cannot be fetched (robots.txt disallows it, 404, still failing
    after ``retries`` retries) gets an :class:`InputError` and the others are
    still fetched.
    """
    import requests

    from kg.io import check_writable

    folder = Path(folder)
    check_writable(folder)
    hosts: dict[str, _Host] = {}
    results: list[tuple[str, Path | InputError]] = []
    with requests.Session() as session:
        session.headers.update({"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9"})
        for url in urls:
            try:
                results.append((url, _fetch_one(session, url, folder, hosts, delay=delay, timeout=timeout,
                                                retries=retries, sleep=sleep)))
            except InputError as err:
                results.append((url, err))
    return results


def _fetch_one(session, url: str, folder: Path, hosts: dict[str, _Host], *, delay: float, timeout: float,
               retries: int, sleep) -> Path:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url}: not an http(s) URL")
    origin = f"{parts.scheme}://{parts.netloc}"
    host = hosts.setdefault(origin, _Host())
    if host.robots is None and host.robots_problem is None:
        _load_robots(session, origin, host, delay=delay, timeout=timeout, sleep=sleep)
    if host.robots_problem:
        raise InputError(f"{url}: {host.robots_problem}")
    if not host.robots.can_fetch(ROBOTS_AGENT, url):
        raise InputError(f"{url}: robots.txt of {parts.netloc} does not allow us to fetch it")
    pause = max(delay, float(host.robots.crawl_delay(ROBOTS_AGENT) or 0))
    response, body = _get(session, url, host, pause=pause, timeout=timeout, retries=retries, sleep=sleep)
    if response.status_code >= 400:
        raise InputError(f"{url}: the server answered HTTP {response.status_code} {response.reason or ''}".rstrip())
    content_type = response.headers.get("Content-Type")
    target = folder / file_name_for(url, content_type)
    record = {"url": url, "final_url": response.url, "status": response.status_code, "content_type": content_type,
              "fetched": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "bytes": len(body),
              "sha256": hashlib.sha256(body).hexdigest(), "user_agent": USER_AGENT}
    _keep(target, body, record)
    return target


def _load_robots(session, origin: str, host: _Host, *, delay: float, timeout: float, sleep) -> None:
    """Read the host's robots.txt: missing (4xx) allows everything; unreachable (5xx, no answer) nothing (RFC 9309)."""
    import requests

    robots = RobotFileParser(origin + "/robots.txt")
    try:
        _wait(host, delay, sleep)
        response = session.get(origin + "/robots.txt", timeout=timeout)
        host.last = time.monotonic()
    except requests.RequestException as err:
        host.robots_problem = f"robots.txt of {urlsplit(origin).netloc} could not be read ({_reason(err)}), so nothing is fetched there"
        return
    if response.status_code >= 500:
        host.robots_problem = (f"robots.txt of {urlsplit(origin).netloc} answered HTTP {response.status_code}, "
                               "so nothing is fetched there (try again later)")
        return
    robots.parse(response.text.splitlines() if response.status_code < 400 else [])
    host.robots = robots


def _wait(host: _Host, pause: float, sleep) -> None:
    remaining = host.last + pause - time.monotonic()
    if remaining > 0:
        sleep(remaining)


def _get(session, url: str, host: _Host, *, pause: float, timeout: float, retries: int, sleep):
    """GET with retries and back-off; return the last response and its body (bounded)."""
    import requests

    problem = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(max(pause, 1.0) * 2 ** (attempt - 1))  # back-off: 1×, 2×, 4× … the polite delay
        _wait(host, pause, sleep)
        try:
            with session.get(url, timeout=timeout, stream=True) as response:
                body = _body(response, url)
            host.last = time.monotonic()
        except requests.Timeout:
            host.last = time.monotonic()
            problem = f"no answer within {timeout:g} s"
            continue
        except requests.RequestException as err:
            host.last = time.monotonic()
            problem = _reason(err)
            continue
        if response.status_code in _RETRY_STATUS and attempt < retries:
            problem = f"HTTP {response.status_code}"
            continue
        return response, body
    tries = f"{retries + 1} tries" if retries else "1 try"
    raise InputError(f"{url}: could not be fetched ({problem}; {tries})")


def _body(response, url: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > MAX_BYTES:
            raise InputError(f"{url}: larger than {MAX_BYTES // (1024 * 1024)} MB, not a report")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(err: Exception) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return re.sub(r"\s+", " ", text)[:200]


def _keep(target: Path, body: bytes, record: dict) -> None:
    """The fetched bytes and their record, each written whole (a reader never sees half of either)."""
    from kg.io import atomic_write
    from kg.readers.files import sidecar_path

    atomic_write(target, body)
    atomic_write(sidecar_path(target), json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
