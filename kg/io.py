"""Files: finding the reports to build, and writing outputs so that a failure never leaves half a file.

Every output is written to a temporary name beside its target and renamed
onto it (:func:`atomic_path`, :func:`atomic_write`): a reader sees the old
file or the new one, never a mixture.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import InputError, OutputError

__all__ = ["find_reports", "atomic_path", "atomic_write", "check_writable", "staged_output", "output_lock", "swap_in",
           "StagedOutput", "link_or_copy", "make_ordinary", "MARKER", "REPORT_SUFFIXES"]

REPORT_SUFFIXES = (".txt", ".text")


def find_reports(paths: Iterable[str | Path], suffixes: tuple[str, ...] = REPORT_SUFFIXES
                 ) -> tuple[list[Path], list[Path]]:
    """Expand folders into the report files they hold (sorted); keep files as given.

    Returns the reports and the files of the folders that were skipped (an
    unknown suffix or a hidden name), so that the caller can say so. A missing
    file given by name is kept: the reader reports it, and the others are built.
    """
    found: list[Path] = []
    skipped: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.append(path)
            continue
        inside = []
        for candidate in sorted(path.rglob("*")):
            if not candidate.is_file() or any(part.startswith(".") for part in candidate.relative_to(path).parts):
                continue
            (inside if candidate.suffix.lower() in suffixes else skipped).append(candidate)
        if not inside:
            raise InputError(f"{path}: folder holds no reports ({', '.join('*' + s for s in suffixes)})")
        found.extend(inside)
    return found, skipped


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: setting it is process-wide


def make_ordinary(path: str | Path) -> None:
    """Give a file made by ``mkstemp`` (mode 0600) the mode of an ordinary new file."""
    os.chmod(path, 0o666 & ~_UMASK)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        make_ordinary(tmp)
    except OSError as err:
        raise OutputError(f"{target.parent}: cannot write output here ({err.strerror or err})") from None
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except OSError as err:  # say which file (a folder in its place, a vanished parent)
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(target: str | Path, data) -> None:
    """Write ``data`` to ``target`` through a temporary file: text (UTF-8, ``\\n`` line ends), bytes, or an
    iterable of text pieces written as they come (a corpus's page or summary is never one string)."""
    with atomic_path(target) as tmp:
        try:
            if isinstance(data, str):
                tmp.write_text(data, encoding="utf-8", newline="\n")
            elif isinstance(data, bytes):
                tmp.write_bytes(data)
            else:
                with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                    handle.writelines(data)
        except OSError as err:
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None


def check_writable(out: Path) -> None:
    """Create the output folder if needed; raise :class:`OutputError` if it cannot be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out}: cannot create output folder ({err.strerror or err})") from None
    if not os.access(out, os.W_OK):
        raise OutputError(f"{out}: output folder is not writable")


# --- a build's output folder, replaced as a whole ------------------------------------------------

MARKER = ".kg"  # the folder inside every build's output that says "kg wrote this"
# In a staging folder, one line per report the build has finished: what a killed build leaves for the
# next one to resume from (kg.store.generation reads and writes it).
JOURNAL = "journal.jsonl"


class StagedOutput:
    """A new generation of ``out``, written beside it and swapped in whole (see :func:`staged_output`).

    ``path`` is the staging folder to write into; ``previous`` the current
    ``out`` (or None when there is none yet); ``interrupted`` the staging folder
    of a stopped build of ``out`` whose finished reports this build may take.
    """

    def __init__(self, out: Path, path: Path, previous: Path | None, interrupted: Path | None = None) -> None:
        self.out, self.path, self.previous, self.interrupted = out, path, previous, interrupted
        self.cancelled = False

    def cancel(self) -> None:
        """Keep the previous output: the staging folder is removed instead of swapped in."""
        self.cancelled = True


@contextmanager
def staged_output(out: str | Path) -> Iterator[StagedOutput]:
    """Write a build into a staging folder beside ``out`` and swap it in when the block ends without error.

    A lock beside ``out`` refuses a second build of the same folder; staging
    folders that an interrupted build left behind are swept first. Until the
    swap, ``out`` stays as it was, so a build that fails or is killed at any
    point leaves the previous complete output readable. The swap is one atomic
    exchange of the two folders where the system has one (Linux), else two renames.
    """
    out = Path(out).absolute()
    _refuse_foreign(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out.parent}: cannot create the output's folder ({err.strerror or err})") from None
    with output_lock(out):
        interrupted = _sweep(out)
        staging = out.parent / f".{out.name}.staging-{os.getpid()}"
        try:
            staging.mkdir()
            (staging / MARKER).mkdir()
        except OSError as err:
            raise OutputError(f"{out.parent}: cannot write output here ({err.strerror or err})") from None
        try:
            stage = StagedOutput(out, staging, out if out.is_dir() else None, interrupted)
            yield stage
            if not stage.cancelled:
                swap_in(staging, out)
            if interrupted is not None:  # taken up (or nothing could be built): not offered again
                _remove_tree(interrupted)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what was finished is kept for the next build
            _keep_for_resume(staging, out)
            raise
        finally:
            _remove_tree(staging)  # after the swap it holds the previous generation


def _refuse_foreign(out: Path) -> None:
    """A build replaces its output folder: never a folder that holds something else."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and not (out / MARKER).is_dir() and not (out / "graph.trig").is_file():
        try:
            occupied = any(out.iterdir())
        except OSError as err:
            raise OutputError(f"{out}: cannot read the output folder ({err.strerror or err})") from None
        if occupied:
            raise OutputError(f"{out}: not empty and not the output of a kg build; "
                              "choose another output folder (-o) or empty this one")


@contextmanager
def output_lock(out: Path, *, by: str = "kg build") -> Iterator[None]:
    """Hold the lock beside ``out`` that one writer of the folder (a build, ``kg optimize``) takes at a time;
    ``by`` names the writer, for the message another one gets."""
    import fcntl

    lock_path = out.parent / f".{out.name}.lock"
    try:
        handle = open(lock_path, "a+")
    except OSError as err:
        raise OutputError(f"{out.parent}: cannot write output here ({err.strerror or err})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            pid, _, holder = handle.read().strip().partition(" ")
            holder = "another kg build" if holder in ("", "kg build") else holder
            raise OutputError(f"{out}: {holder} is writing this folder"
                              + (f" (process {pid})" if pid else "") + "; wait for it to end") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {by}")
        handle.flush()
        yield


def _sweep(out: Path) -> Path | None:
    """Remove staging folders of builds that were killed (we hold the lock: none is running).

    The one that finished most reports is kept as ``.OUT.interrupted`` and returned,
    for this build to resume from.
    """
    kept = out.parent / f".{out.name}.interrupted"
    stale = sorted(out.parent.glob(f".{out.name}.staging-*"))
    best = max([kept, *stale], key=_finished, default=None)
    if best is not None and best != kept and _finished(best):
        _remove_tree(kept)
        os.replace(best, kept)
    for folder in stale:
        _remove_tree(folder)
    previous = out.parent / f".{out.name}.previous"
    if previous.is_dir():
        if out.is_dir():
            _remove_tree(previous)
        else:  # killed between the two renames of the fallback swap: the old generation is the output
            os.replace(previous, out)
    return kept if kept.is_dir() else None


def _keep_for_resume(staging: Path, out: Path) -> None:
    kept = out.parent / f".{out.name}.interrupted"
    if _finished(staging) > _finished(kept):
        _remove_tree(kept)
        os.replace(staging, kept)


def _finished(staging: Path) -> int:
    """How much a (killed) build's staging folder had finished: the size of its journal."""
    try:
        return (staging / MARKER / JOURNAL).stat().st_size
    except OSError:
        return 0


def swap_in(staging: Path, out: Path) -> None:
    """Put the folder ``staging`` in the place of ``out`` in one step where the system can (the previous
    ``out`` is then at ``staging``, for the caller to remove), else by two renames."""
    try:
        if out.is_dir() and _exchange(staging, out):
            return
        if out.is_dir():
            previous = out.parent / f".{out.name}.previous"
            os.replace(out, previous)
            os.replace(staging, out)
            _remove_tree(previous)
        else:
            os.replace(staging, out)
    except OSError as err:
        raise OutputError(f"{out}: cannot replace the output folder ({err.strerror or err})") from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot; fall back
        return False
    raise OSError(error, os.strerror(error))


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """Give ``target`` the content of ``source``: a hard link where possible (same file system), else a copy."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
