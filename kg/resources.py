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
           "bundled_report", "bundled_gold", "lexicon_file", "patterns_file", "alternation"]

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
