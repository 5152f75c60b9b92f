"""Extraction on a Dask cluster: ``kg build … --scheduler local`` or ``--scheduler tcp://HOST:8786``.

The parent reads each report's bytes and sends them with its file name (a
worker may run on a machine that cannot see the parent's files); every worker
loads the pipeline once (a worker plugin), extracts, and sends back the
report's serialisations, which the parent spools and loads into the store as
they arrive. A report that fails is reported like any other failure. Needs
the optional extra: ``pip install 'kg[dask]'``.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.errors import InputError, KgError
from kg.workers import Work, spool_outcome

__all__ = ["extract_on_dask", "extract_bytes", "pipeline_plugin"]

_IN_FLIGHT_PER_WORKER = 8  # reports sent ahead per worker: enough to keep it busy, little memory


def _distributed():
    try:
        import distributed
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'kg[dask]' (or leave --scheduler out for "
                         "the local worker processes)") from None
    return distributed


def extract_on_dask(paths: list[Path], work: Work, *, base: str, spool: Path, scheduler: str, workers: int = 2,
                    warm_up: Callable[[], None] | None = None) -> Iterator[tuple[Path, object]]:
    """Yield ``(path, Outcome or KgError)`` for each report, in the order they finish on the cluster.

    ``work`` (a module-level function, sent by reference) runs on each report;
    ``warm_up`` once in every worker as it starts.
    """
    distributed = _distributed()
    cluster = None
    if scheduler == "local":
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    elif not scheduler.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://", "ucx://")):
        raise InputError(f"--scheduler {scheduler!r}: expected 'local' or an address such as tcp://HOST:8786")
    try:
        with distributed.Client(cluster if cluster is not None else scheduler, timeout="30s") as client:
            if warm_up is not None:
                client.register_plugin(pipeline_plugin(distributed, warm_up), name="kg-pipeline")
            index = {}
            for path, result in _results(client, distributed, paths, work, base, workers):
                number = index.setdefault(path, len(index))
                yield path, spool_outcome(str(path), result, spool, number)
    except OSError as err:  # no scheduler at that address
        raise InputError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({err})") from None
    finally:
        if cluster is not None:
            cluster.close()


def _results(client, distributed, paths: list[Path], work: Work, base: str, workers: int):
    """Submit a window of reports at a time; yield ``(path, result)`` as each completes."""
    waiting = list(reversed(paths))
    running = distributed.as_completed(with_results=True)
    of = {}
    window = max(1, len(client.scheduler_info().get("workers", {})) or workers) * _IN_FLIGHT_PER_WORKER

    def submit() -> None:
        path = waiting.pop()
        try:
            data = path.read_bytes() if path.is_file() else None
        except OSError:
            data = None  # the worker's reader says what is wrong with it
        future = client.submit(extract_bytes, work, str(path), data, base, pure=False)
        of[future.key] = path
        running.add(future)

    for _ in range(min(window, len(waiting))):
        submit()
    for future, result in running:
        yield of.pop(future.key), result
        if waiting:
            submit()


def extract_bytes(work: Work, source: str, data: bytes | None, base: str):
    """What a Dask worker runs: ``work`` on the report's bytes, under the report's own file name."""
    if data is None:
        return InputError(f"{source}: no such file, or not a regular file")
    with tempfile.TemporaryDirectory(prefix="kg-dask-") as folder:
        path = Path(folder) / Path(source).name
        path.write_bytes(data)
        result = work(path, base, Path(folder))
        if not isinstance(result, KgError):  # the files go back as bytes: the parent may be on another machine
            *head, contents = result
            result = (*head, {kind: v.read_bytes() if isinstance(v, Path) else v for kind, v in contents.items()})
    if isinstance(result, KgError):  # name the file as the user gave it, not the worker's copy
        return type(result)(str(result).replace(str(path), source))
    return result


def pipeline_plugin(distributed, warm_up: Callable[[], None]):
    """A worker plugin that runs ``warm_up`` (loading the pipeline: spaCy, jieba, our rules) in every worker."""

    class PipelinePlugin(distributed.WorkerPlugin):
        def setup(self, worker=None) -> None:
            warm_up()

    return PipelinePlugin()
