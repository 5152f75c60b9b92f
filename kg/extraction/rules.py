"""The extraction's rules as data: every lexicon and pattern file, loaded once and checked as it loads.

Each file goes through the checked loaders of :mod:`kg.resources` and is then
compared with its schema below: required keys present and of the right type,
no unknown key, regexes that compile, pattern labels among
:data:`kg.model.ENTITY_TYPES`. Anything wrong stops the program with one
:class:`~kg.errors.DataError` line naming the file, the line and what is
wrong — never a report. :func:`kg.extraction.check_rules` loads them all;
call it once at the start of a run, before the first report, so that a bad
data file is one error, not one per report.

>>> check_data()
>>> lexicon("sections.json")["order"]
['other', 'problems', 'plans', 'achievements']
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kg.errors import DataError
from kg.model import ENTITY_TYPES
from kg import resources

__all__ = ["lexicon", "patterns", "word_list", "dictionary_lines", "compiled", "cleared", "check_data", "clear",
           "REGEX", "SCHEMAS"]

REGEX = "regex"  # a string that must compile as a Python regular expression
WORDS = [str]
OPTIONAL = "?"  # a key ending in "?" may be left out

_ETYPE_HEADS = {"noun?": WORDS, "bare_ok?": WORDS, "verbal?": WORDS}
SCHEMAS: dict[str, dict] = {
    "sections.json": {
        "order": WORDS, "other": WORDS, "problems": WORDS, "plans": WORDS, "achievements": WORDS,
        "intro": [REGEX], "causes": WORDS, "plan_headings": [REGEX], "title_genres": {str: WORDS},
        "closing_lines": [REGEX], "enumerations": [REGEX], "problems_closing": [REGEX], "item_lists": WORDS,
        "intro_announces": WORDS,
        "discourse": {"problems": [REGEX], "plans": [REGEX], "plans_year": REGEX, "plans_by_title": {str: [REGEX]}},
    },
    "units.json": {
        "count": WORDS, "amount": WORDS, "rate": WORDS, "points": WORDS, "level": WORDS, "measure": WORDS,
        "level_chars": str, "aliases": {str: str}, "scales": {str: float}, "percent_words": WORDS,
        "blockers": {str: WORDS}, "needs_before": {str: WORDS}, "range_marks": WORDS,
    },
    "quantities.json": {
        "approx_before": WORDS, "approx_inner": WORDS, "approx_after": WORDS, "change_up": WORDS,
        "change_down": WORDS, "year_on_year": WORDS, "period_on_period": WORDS, "rate_suffixes": WORDS,
        "rate_links": WORDS, "average_markers": WORDS, "part_markers": WORDS, "strip_left": WORDS, "verbs": WORDS,
        "head_nouns": WORDS, "strip_right": WORDS, "after_stops": WORDS, "complements": {str: WORDS},
        "periods": [REGEX], "after_cuts": WORDS, "year_on_year_patterns": [REGEX], "protect_right": WORDS,
        "modifiers": WORDS, "period_cues": WORDS, "respectively": WORDS, "conjunctions": WORDS,
        "list_ends": WORDS, "after_trim": str, "compare_down": WORDS, "compare_up": WORDS,
        "transitions": {"from": WORDS, "to": WORDS}, "bounded_rates": WORDS, "unbounded_rates": WORDS,
        "after_skips": WORDS,
        "labels": {"year_on_year_change": str, "change": str, "previous": str, "previous_period": str, "rate": str},
    },
    "not_metrics.json": {
        "patterns": [{"why": str, "regex": REGEX}], "quotes": [WORDS], "title_quotes": WORDS,
        "max_quote_length": int, "names": WORDS, "idioms": WORDS,
    },
    "entity-heads.json": {
        "Agency": _ETYPE_HEADS, "Mechanism": _ETYPE_HEADS, "Activity": _ETYPE_HEADS,
        "Place": {"level": {str: str}, "site_heads": WORDS, "not_places": WORDS, "not_name_prefixes": WORDS,
                  "count_units": WORDS, "bare_suffixes": WORDS},
        "level_prefixes": WORDS, "locatives": WORDS, "false_heads": WORDS, "generic_labels": WORDS,
        "generic_modifiers": WORDS, "verbal_closers": WORDS, "work_suffix": str, "list_ends": WORDS, "list_fillers": WORDS,
        "coordinators": WORDS, "joiners": WORDS, "government": {"label": str, "key": str},
    },
    "entity-boundaries.json": {
        "function_words": WORDS, "scope_words": WORDS, "adverbs": WORDS, "verbs": WORDS, "name_internal": WORDS,
        "enumerators": WORDS, "count_measures": WORDS, "ordinal_prefix": str, "glued_prepositions": WORDS,
        "glued_levels": WORDS, "clause_openers": WORDS,
    },
    "entity-triggers.json": {"organizes": WORDS, "establishes": WORDS, "issues": WORDS, "appoints": WORDS},
}
_PATTERN_KEYS = {"label": str, "pattern": str, "id": str, "level_prefix": bool, "needs_prefix": bool,
                 "short_for": str, "merge_when": str}
WORD_LISTS = ("link_stopwords.txt", "agency-suffixes.txt")


def _name(path: Path) -> str:
    try:
        return str(path.relative_to(resources.data_dir().parent))
    except ValueError:
        return str(path)


def _line_of(raw: str, *needles: str) -> int | None:
    """The line of the first needle found in ``raw``, searching each after the one before."""
    position = 0
    for needle in needles:
        found = raw.find(needle, position)
        if found < 0:
            break
        position = found
    return raw.count("\n", 0, position) + 1 if position else None


def _kind_name(spec) -> str:
    if spec is REGEX:
        return "regular expression"
    if isinstance(spec, type):
        return {str: "string", int: "whole number", float: "number", bool: "true or false"}[spec]
    if isinstance(spec, list):
        return f"list of {_kind_name(spec[0])}s" if not isinstance(spec[0], dict) else "list of objects"
    return "object"


def _problem(value, spec, where: str) -> tuple[str, str, object] | None:
    """(where, what is wrong, the value there) for the first part of ``value`` not fitting ``spec``, else None."""
    if spec is REGEX:
        if not isinstance(value, str):
            return where, "should be a regular expression (a string)", value
        try:
            re.compile(value)
        except re.error as err:
            return where, f"is not a valid regular expression ({err})", value
        return None
    if spec is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else (where, "should be a number", value)
    if isinstance(spec, type):
        ok = isinstance(value, spec) and not (spec is int and isinstance(value, bool))
        if ok and spec is str and not value:
            return where, "should not be empty", value
        return None if ok else (where, f"should be a {_kind_name(spec)}", value)
    if isinstance(spec, list):
        if not isinstance(value, list):
            return where, f"should be a {_kind_name(spec)}", value
        for index, element in enumerate(value):
            found = _problem(element, spec[0], f"{where}[{index}]")
            if found:
                return found
        return None
    if not isinstance(value, dict):
        return where, "should be an object", value
    if list(spec) == [str]:  # a mapping of words to values of one kind
        for key, element in value.items():
            found = _problem(element, spec[str], f"{where}.{key}")
            if found:
                return found
        return None
    known = {key.rstrip(OPTIONAL): key.endswith(OPTIONAL) for key in spec}
    for key, optional in known.items():
        if key not in value and not optional:
            return where, f"missing key {key!r}", None
    for key, element in value.items():
        if key.startswith("_"):
            continue  # comments
        if key not in known:
            return f"{where}.{key}", f"is not a known key (expected one of {', '.join(sorted(known))})", None
        found = _problem(element, spec.get(key, spec.get(key + OPTIONAL)), f"{where}.{key}")
        if found:
            return found
    return None


def _fail(path: Path, where: str, what: str, value=None) -> DataError:
    """The error for the part of ``path`` at ``where`` (``.patterns[2].regex``), with the line it is on."""
    import json

    raw = path.read_text(encoding="utf-8")
    needles = [f'"{key}"' for key in re.findall(r"\.([^.\[\]]+)", where)]
    if value is not None and not isinstance(value, (dict, list)):
        needles.append(json.dumps(value, ensure_ascii=False))
    line = _line_of(raw, *needles)
    place = where.lstrip(".")
    return DataError(f"{_name(path)}{f':{line}' if line else ''}: {f'{place} ' if place else ''}{what}")


@cache
def lexicon(name: str) -> dict:
    """``data/lexicon/NAME`` (a JSON file), checked against its schema in :data:`SCHEMAS`."""
    path = resources.lexicon_file(name)
    data = resources.load_json(path)
    found = _problem(data, SCHEMAS[name], "")
    if found:
        raise _fail(path, *found)
    if name == "sections.json":
        unknown = [kind for kind in data["order"] if kind not in ("other", "problems", "plans", "achievements")]
        if unknown:
            raise _fail(path, ".order", f"names an unknown section kind {unknown[0]!r}", unknown[0])
        if "year" not in re.compile(data["discourse"]["plans_year"]).groupindex:
            raise _fail(path, ".discourse.plans_year", "needs a group named 'year': (?P<year>…)",
                        data["discourse"]["plans_year"])
    return data


def _check_pattern(entry: dict) -> str | None:
    for key, kind in (("label", str), ("pattern", str), ("id", str)):
        if key not in entry:
            return f"missing key {key!r}"
    for key, value in entry.items():
        if key not in _PATTERN_KEYS:
            return f"unknown key {key!r} (expected one of {', '.join(_PATTERN_KEYS)})"
        found = _problem(value, _PATTERN_KEYS[key], key)
        if found:
            return f"{found[0]} {found[1]}"
    if entry["label"] not in ENTITY_TYPES:
        return f"label {entry['label']!r} is not an entity type (expected one of {', '.join(ENTITY_TYPES)})"
    if "short_for" in entry and "merge_when" not in entry:
        return "'short_for' needs 'merge_when' (the phrase of a text that ties the short form to the full one)"
    return None


@cache
def patterns() -> tuple[dict, ...]:
    """Every line of ``data/patterns/*.jsonl`` (spaCy EntityRuler format), checked, in file and line order."""
    out: list[dict] = []
    for path in sorted((resources.data_dir() / "patterns").glob("*.jsonl")):
        out.extend(resources.load_jsonl(path, _check_pattern))
    return tuple(out)


@cache
def word_list(name: str) -> tuple[str, ...]:
    """``data/lexicon/NAME``: one word a line, ``#`` comments skipped."""
    return tuple(resources.load_word_list(resources.lexicon_file(name)))


@cache
def dictionary_lines(name: str) -> tuple[tuple[str, ...], ...]:
    """A jieba user dictionary (``word [frequency] [tag]`` a line), checked before jieba reads it."""
    path = resources.lexicon_file(name)
    rows = []
    for number, line in enumerate(resources.load_word_list(path), 1):
        parts = tuple(line.split())
        if len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit()):
            raw = path.read_text(encoding="utf-8")
            raise DataError(f"{_name(path)}:{_line_of(raw, line) or number}: expected 'word [frequency] [tag]', "
                            f"found {line!r}")
        rows.append(parts)
    return tuple(rows)


_COMPILED: list = []
_CLEARED: list = []  # caches built from the rules with arguments: cleared with them, not built ahead


def cleared(cached):
    """Register a cache (``functools.lru_cache``) built from the rules, to be cleared by :func:`clear`."""
    _CLEARED.append(cached)
    return cached


def compiled(build):
    """Cache what a stage builds from the rules (regexes, tables) once per process; :func:`check_data` builds it too."""
    cached = cache(build)
    _COMPILED.append(cached)
    return cached


def check_data() -> None:
    """Load and check every rule file once, and build what the imported stages compile from them.

    Raises :class:`DataError` on the first bad one. :func:`kg.extraction.check_rules` imports the stages first.
    """
    for name in SCHEMAS:
        lexicon(name)
    patterns()
    for name in WORD_LISTS:
        word_list(name)
    dictionary_lines("domain_dict.txt")
    resources.agency_suffixes()
    for build in _COMPILED:
        build()


def clear() -> None:
    """Forget what was loaded (tests that point the data folder elsewhere call this)."""
    for loader in (lexicon, patterns, word_list, dictionary_lines, resources.agency_suffixes, *_COMPILED, *_CLEARED):
        loader.cache_clear()
