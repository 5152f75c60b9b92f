"""Identity across reports: which government body, document or concept an entity of a report is.

A shared key names the thing itself, the same in every report, so that a
worker can write one report's graph alone (no state across reports):

============================  ===============================================
entity                        shared key
============================  ===============================================
government body (Agency)      ``body/<division code>/<place + long form>``
policy document               ``document/<folded title>``
mechanism, activity           ``mechanism/<folded label>``, ``activity/…``
place                         ``division/<code>``
============================  ===============================================

A body's place comes from its own name (濮阳县司法局, 山东省司法厅) or, for a
relative name, from the report's division chain (县法院 in a county's report is
that county's 人民法院; 市委 the city's party committee). A name that does not
say which division (司法所, 调解组织, 市县法院) gets no key: it stays the
report's own. The rules are data (``data/identity/bodies.json``); every fold of a
surface form into a differently written shared name is explained by
:func:`identities` (its ``rules``), which the RDF writes as ``fz:EntityMerge``.

>>> from kg.identity.divisions import division_of_name
>>> county = division_of_name("河南省濮阳市濮阳县")
>>> body_identity("县法院", county)
('body/410928000000/濮阳县人民法院', ['relative-name:县→濮阳县', 'long-form:法院→人民法院'])
>>> body_identity("省司法厅", division_of_name("山东省聊城市"))[0]
'body/370000000000/山东省司法厅'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from kg.identity.divisions import division_table, scan_chain
from kg.identity.names import fold, fold_title, inner_titles
from kg.model import Division, Entity

__all__ = ["Identity", "identities", "body_identity", "document_key", "concept_key", "place_key",
           "shared_name", "merge_rules", "BODY", "DOCUMENT", "DIVISION"]

BODY, DOCUMENT, DIVISION = "body/", "document/", "division/"
_CONCEPT_TYPES = {"Mechanism": "mechanism/", "Activity": "activity/"}


@dataclass
class Identity:
    """An entity's shared key, and why its surface form became that name (empty: written alike)."""

    key: str
    label: str  # the shared name
    rules: list[str] = field(default_factory=list)
    implements: str | None = None  # shared key of the document a local plan carries out


@cache
def _rules() -> dict:
    from kg.resources import data_dir, load_json

    path = data_dir() / "identity" / "bodies.json"
    rules = load_json(path, {"markers": dict, "canonical": list, "generic_places": list, "marker_lookalikes": list,
                             "document_short_titles": str, "concept_rewrites": list})
    from kg.errors import DataError

    # One regex of every rule (one match per name): rule i is the group r{i}, its level group level{i}.
    alternatives, compiled = [], []
    for number, rule in enumerate(rules["canonical"]):
        try:
            pattern = rule["from"].removeprefix("^").removesuffix("$").replace("(?P<level>", f"(?P<level{number}>")
            re.compile(pattern)
            template = rule["to"].replace("\\g<level>", "{level}")
        except (KeyError, AttributeError, re.error) as err:
            raise DataError(f"data/identity/bodies.json: canonical rule {number + 1} is wrong ({err})") from None
        alternatives.append(f"(?P<r{number}>{pattern})")
        compiled.append((template, rule.get("prefix", ""), f"level{number}" if rule.get("level") else None))
    rules["canonical_pattern"] = re.compile("^(?:" + "|".join(alternatives) + ")$")
    rules["canonical_compiled"] = compiled
    rules["concept_compiled"] = [(re.compile(r["from"]), r["to"]) for r in rules["concept_rewrites"]]
    rules["concept_any"] = re.compile("|".join(f"(?:{r['from']})" for r in rules["concept_rewrites"]) or "(?!)")
    rules["agency_ends"] = _agency_ends()
    rules["markers_longest"] = sorted(rules["markers"], key=len, reverse=True)
    return rules


def _agency_ends() -> tuple[str, ...]:
    from kg.resources import agency_suffixes

    return agency_suffixes() + ("委", "人大", "政协", "常委会")


def _marker_at(name: str) -> str | None:
    """The level word a name starts with (县 of 县法院), unless it begins a word (市场监管局)."""
    rules = _rules()
    if name.startswith(tuple(rules["marker_lookalikes"])):
        return None
    markers = rules["markers"]
    return next((name[:n] for n in (3, 2, 1) if name[:n] in markers), None)


def _marker_division(marker: str, division: Division) -> tuple[str, str] | None:
    """The (code, name) of the report's own division that a level word (县, 市 …) stands for."""
    spec = _rules()["markers"][marker]
    table = division_table()
    if division.level == "township" and "township" in spec["levels"]:
        name = division.path[-1]
        return (division.code, name) if name.endswith(tuple(spec["ends"])) else None
    for code in reversed(division.codes):
        row = table.rows.get(code)
        if row and row.level in spec["levels"] and row.name.endswith(tuple(spec["ends"])):
            return code, row.name
    return None


def _canonical(core: str) -> tuple[str, str, str | None, list[str]]:
    """(long form, prefix, level word the form itself names, rules) of a body's name after its place."""
    rules = _rules()
    match = rules["canonical_pattern"].match(core)
    if match is None:
        return core, "", None, []
    template, prefix, level_group = rules["canonical_compiled"][int(match.lastgroup[1:])]
    level = match.group(level_group) if level_group else None
    long_form = template.format(level=level) if level_group else template
    return long_form, prefix, level, ([f"long-form:{core}→{long_form}"] if long_form != core else [])


def _explicit_place(name: str, division: Division | None) -> tuple[str, str, int] | None:
    """A division named at the start of a body's name: (code, full name, length of the place words)."""
    table = division_table()
    match = scan_chain(name, 0, table)
    if match is None:
        return None
    words = name[:match.end]
    if words in _rules()["generic_places"]:
        return None
    codes = match.codes
    own = set(division.codes) if division else set()
    if len(codes) > 1 and division is not None:  # a repeated name: the one in the report's province
        codes = [c for c in codes if c[:2] == division.code[:2]] or codes
    if len(codes) != 1:
        return None
    code = codes[0]
    # A short form (公安 of 公安县 in 公安局) is a place only where the report's own chain has it.
    if match.how in ("short-name", "stem") and code not in own:
        return None
    return code, table.rows[code].name, match.end


def body_identity(label: str, division: Division | None) -> tuple[str, list[str]] | None:
    """The shared key of a government body and the rules that made its name, or None."""
    name = fold(label)
    rules: list[str] = [] if name == label else ["folded-form"]
    place = _explicit_place(name, division)
    if place is not None:
        code, place_name, length = place
        core = name[length:]
        # 冠县县委, 山东省省委: a level word repeating the place's own suffix
        repeated = next((m for m in _rules()["markers_longest"] if core.startswith(m) and place_name.endswith(m)), "")
        core = core[len(repeated):]
    else:
        if division is None:
            return None
        marker = _marker_at(name)
        core = name[len(marker):] if marker else name
        if marker and _marker_at(core):
            return None  # 市县法院, 县乡两级: several bodies
        long_form, _, own_level, _ = _canonical(core)
        marker = marker or own_level  # 依法治县办 names its level itself
        if marker is None or not core:
            return None
        found = _marker_division(marker, division)
        if found is None:
            return None
        code, place_name = found
        rules.append(f"relative-name:{marker}→{place_name}")
    if not core or not core.endswith(_rules()["agency_ends"]):
        return None
    long_form, prefix, _, form_rules = _canonical(core)
    shared = prefix + place_name + long_form
    return BODY + code + "/" + shared, rules + form_rules


def document_key(label: str) -> str:
    """``document/`` and the folded title.

    >>> document_key("《法治政府建设实施纲要（2021一2025年）》") == document_key("法治政府建设实施纲要(2021—2025年)")
    True
    """
    return DOCUMENT + fold_title(label)


def concept_key(entity_type: str, label: str) -> tuple[str, list[str]]:
    """A mechanism's or activity's concept key (quotes, forms and data rewrites folded)."""
    name = fold(label)  # quotes folded too
    rules = [] if name == label else ["folded-form"]
    rules_data = _rules()
    if not rules_data["concept_any"].search(name):
        return _CONCEPT_TYPES[entity_type] + name, rules
    for pattern, replacement in rules_data["concept_compiled"]:
        rewritten = pattern.sub(replacement, name)
        if rewritten != name:
            rules.append(f"concept-rewrite:{name}→{rewritten}")
            name = rewritten
    return _CONCEPT_TYPES[entity_type] + name, rules


def place_key(label: str, division: Division | None) -> str | None:
    """``division/<code>`` for a place the table has and the report's context settles."""
    place = _explicit_place(fold(label), division)
    if place is None or place[2] != len(fold(label)):
        return None
    return DIVISION + place[0]


def _strip_brackets(key: str) -> str:
    return re.sub(r"\([^()]*\)$", "", key)


def _documents(entities: list[Entity]) -> dict[str, Identity]:
    out: dict[str, Identity] = {}
    full: dict[str, str] = {}  # key → entity id, for documents named in full
    short = re.compile(_rules()["document_short_titles"])
    for entity in entities:
        if entity.type != "PolicyDocument":
            continue
        key = document_key(entity.label)
        rules = [] if key[len(DOCUMENT):] == entity.label else ["folded-title"]
        inner = inner_titles("《" + entity.label + "》")
        identity = Identity(key, key[len(DOCUMENT):], rules, document_key(inner[0]) if inner else None)
        out[entity.id] = identity
        if not short.match(entity.label):
            full[key] = entity.id
    for entity_id, identity in out.items():
        if identity.key in full:
            continue
        # 《纲要》 after 《…纲要(2021-2025年)》(以下简称《纲要》): the one full title it ends.
        ends = [k for k in full if _strip_brackets(k).endswith(identity.label) and k != identity.key]
        if len(ends) == 1:
            out[entity_id] = Identity(ends[0], ends[0][len(DOCUMENT):], [f"short-title:{identity.label}"])
    return out


def identities(entities: list[Entity], division: Division | None) -> dict[str, Identity]:
    """The shared identity of each entity that has one (entity id → :class:`Identity`)."""
    out = _documents(entities)
    for entity in entities:
        if entity.type == "Agency":
            found = body_identity(entity.label, division)
            if found:
                key, rules = found
                out[entity.id] = Identity(key, key.split("/", 2)[2], rules)
        elif entity.type in _CONCEPT_TYPES:
            key, rules = concept_key(entity.type, entity.label)
            out[entity.id] = Identity(key, key.split("/", 1)[1], rules)
        elif entity.type == "Place":
            key = place_key(entity.label, division)
            if key:
                row = division_table().rows[key[len(DIVISION):]]
                out[entity.id] = Identity(key, row.name, [] if row.name == entity.label else ["division-name"])
    return out


def shared_name(key: str) -> str:
    """The name a shared key gives its node (a division's: its name in the table).

    >>> shared_name("body/410928000000/濮阳县人民法院"), shared_name("division/410928000000")
    ('濮阳县人民法院', '濮阳县')
    """
    kind, _, rest = key.partition("/")
    if kind == "body":
        return rest.split("/", 1)[1]
    if kind == "division":
        row = division_table().rows.get(rest)
        return row.name if row else rest
    return rest


def merge_rules(entity: Entity, division: Division | None) -> list[str]:
    """Why an entity's label became its shared node's (differently written) name."""
    if entity.type == "Agency":
        found = body_identity(entity.label, division)
        return found[1] if found else []
    if entity.type == "PolicyDocument":
        name = shared_name(entity.shared_key or document_key(entity.label))
        return ["folded-title"] if fold_title(entity.label) == name else [f"short-title:{fold(entity.label)}"]
    if entity.type in _CONCEPT_TYPES:
        return concept_key(entity.type, entity.label)[1]
    return ["division-name"]
