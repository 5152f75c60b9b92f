"""Where the package data lives, in a checkout and in an installed wheel alike.

The wheel carries ``ontology/`` and ``data/`` inside the ``kg`` package
(see ``pyproject.toml``); a source checkout keeps them beside ``kg/``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

__all__ = ["data_dir", "ontology_dir", "ontology_file", "shapes_file", "queries_dir",
           "bundled_report", "bundled_gold", "lexicon_file", "patterns_file", "alternation",
           "load_json", "load_jsonl", "load_word_list", "agency_suffixes"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"package data folder {name!r} not found beside {_PACKAGE}")


def data_dir() -> Path:
    return _find("data")


def ontology_dir() -> Path:
    return _find("ontology")


def ontology_file() -> Path:
    return ontology_dir() / "kg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def queries_dir() -> Path:
    return ontology_dir() / "queries"


def bundled_report() -> Path:
    return data_dir() / "reports" / "puyang-2024.txt"


def bundled_gold() -> Path:
    return data_dir() / "gold" / "puyang-2024.json"


def lexicon_file(name: str) -> Path:
    return data_dir() / "lexicon" / name


def patterns_file(name: str) -> Path:
    return data_dir() / "patterns" / name


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of lexicon words, longest first so that 人次 wins over 人.

    >>> alternation(["人", "人次", "%"])
    '人次|%|人'
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


# --- checked loading of the data files -----------------------------------------------

def _where(path: Path) -> str:
    """A data file's name as a user finds it: relative to the package data folders."""
    for root in (data_dir().parent, ontology_dir().parent):
        try:
            return str(path.relative_to(root))
        except ValueError:
            continue
    return str(path)


def load_json(path: Path, required: dict[str, type] | None = None) -> dict:
    """A JSON data file as a dict; each key of ``required`` must be there with a value of that type.

    Raises :class:`~kg.errors.DataError` naming the file, the line and what is wrong.
    """
    import json

    from kg.errors import DataError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise DataError(f"{_where(path)}: cannot be read ({err.strerror or err})") from None
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
        line = getattr(err, "lineno", None)
        raise DataError(f"{_where(path)}{f':{line}' if line else ''}: not valid JSON ({_reason(err)})") from None
    if not isinstance(data, dict):
        raise DataError(f"{_where(path)}: expected a JSON object at the top, found {type(data).__name__}")
    for key, kind in (required or {}).items():
        if key not in data:
            raise DataError(f"{_where(path)}: missing key {key!r}")
        if not isinstance(data[key], kind):
            raise DataError(f"{_where(path)}: {key!r} should be a {kind.__name__}, found {type(data[key]).__name__}")
    return data


def load_jsonl(path: Path, check=None) -> list[dict]:
    """One JSON object per line (blank lines skipped), each given ``source`` = ``file:line``.

    ``check(entry)`` returns a message when an entry is wrong; the error names the line.
    """
    import json

    from kg.errors import DataError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{_where(path)}: cannot be read ({_reason(err)})") from None
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as err:
            raise DataError(f"{_where(path)}:{number}: not valid JSON ({_reason(err)})") from None
        problem = "expected a JSON object" if not isinstance(entry, dict) else (check(entry) if check else None)
        if problem:
            raise DataError(f"{_where(path)}:{number}: {problem}")
        entry["source"] = f"{path.name}:{number}"
        entries.append(entry)
    return entries


def load_word_list(path: Path) -> list[str]:
    """A text file of words, one a line; blank lines and ``#`` comments skipped."""
    from kg.errors import DataError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{_where(path)}: cannot be read ({_reason(err)})") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _reason(err: Exception) -> str:
    text = getattr(err, "msg", None) or getattr(err, "strerror", None) or str(err)
    column = getattr(err, "colno", None)
    return f"{text} at column {column}" if column else str(text)


@cache
def agency_suffixes() -> tuple[str, ...]:
    """The last words of a body's name (``data/lexicon/agency-suffixes.txt``), longest first."""
    words = load_word_list(lexicon_file("agency-suffixes.txt"))
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))
