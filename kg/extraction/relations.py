"""Relations between the entities of a report: mentions, acting by a trigger verb, where things lie.

Items ``mentions`` the entities in their span; an agency acting by a trigger
verb (``data/lexicon/entity-triggers.json``) ``organizes`` an activity,
``establishes`` a mechanism, ``issues`` a document or ``appoints`` a body in
the same clause, the report's own government being the default actor;
entities are ``locatedIn`` places.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from kg.extraction.names import QUOTE, TITLE, Candidate, NameLexicon, name_lexicon
from kg.extraction.places import rank
from kg.extraction.rules import compiled, lexicon
from kg.extraction.text import clause_ends
from kg.model import Entity, Item, Relation, Span
from kg.resources import alternation

__all__ = ["find_relations", "TARGET_RELATION"]

TARGET_RELATION = {"Activity": "organizes", "Mechanism": "establishes",
                   "PolicyDocument": "issues", "Agency": "appoints"}


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clauses (split at the marks of :data:`~kg.extraction.text.CLAUSE_MARKS`), except inside 《…》 and “…”."""
    protected = sorted([(m.start(), m.end()) for m in TITLE.finditer(text)]
                       + [(m.start(), m.end()) for m in QUOTE.finditer(text)])
    protected_starts = [start for start, _ in protected]
    out, start = [], 0
    for index in clause_ends(text):
        region = bisect_right(protected_starts, index) - 1
        if region >= 0 and index < protected[region][1]:
            continue
        if index > start:
            out.append((start, index))
        start = index + 1
    if start < len(text):
        out.append((start, len(text)))
    return out


def find_relations(text: str, items: list[Item], entities: list[Entity], government: str | None,
                   candidates: list[Candidate]) -> list[Relation]:
    """Items mention entities; an agency organizes, establishes, issues or appoints by a trigger verb."""
    lex = name_lexicon()
    relations: dict[tuple[str, str, str], Relation] = {}
    # one Span a stretch, the items' own and the mentions' text reused: many relations share them
    evidence: dict[tuple[int, int], Span] = {(m.start, m.end): Span(m.start, m.end, m.text)
                                             for e in entities for m in e.mentions}
    evidence.update(((i.span.start, i.span.end), i.span) for i in items)

    def relate(source: str, name: str, target: str, start: int, end: int) -> None:
        key = (source, name, target)
        if source != target and key not in relations:
            span = evidence.get((start, end))
            if span is None:
                span = evidence[start, end] = Span.of(text, start, end)
            relations[key] = Relation(source, name, target, span)

    mentions = sorted(((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda t: (t[0], t[1], t[2].id))
    mention_starts = [start for start, _, _ in mentions]

    def within(start: int, end: int):
        first = bisect_right(mention_starts, start - 1)
        last = bisect_right(mention_starts, end - 1)
        return [(s, e, entity) for s, e, entity in mentions[first:last] if e <= end]

    item_spans = [(i.span.start, i.span.end, i) for i in sorted(items, key=lambda i: (i.span.start, i.id))]
    item_starts = [start for start, _, _ in item_spans]
    for start, end, item in item_spans:
        for m_start, m_end, entity in within(start, end):
            relate(item.id, "mentions", entity.id, m_start, m_end)
    covered = bytearray(len(text))  # characters inside a name: a trigger verb there is part of the name
    for start, end, _ in mentions:
        covered[start:end] = b"\x01" * (end - start)
    actors_of: dict[str, list[str]] = {}
    for c_start, c_end in _clauses(text):
        inner = within(c_start, c_end)
        if not inner:
            continue
        subject = _subject(text, c_start, inner, lex)
        for s, e, entity in inner:
            relation = TARGET_RELATION.get(entity.type)
            if relation is None or (entity.type == "Agency" and entity.id == subject):
                continue
            verb = _trigger_before(text, c_start, s, lex.triggers[relation], covered)
            if verb is None:
                continue
            actor = subject or government
            if actor is None or (subject is not None and _start_of(subject, inner) > verb):
                actor = government
            if actor is None:
                continue
            relate(actor, relation, entity.id, c_start, c_end)
            if relation == "issues" and entity.issuer is None:
                entity.issuer = actor
            index = bisect_right(item_starts, s) - 1
            item = item_spans[index][2] if index >= 0 and s < item_spans[index][1] else None
            if item is not None and item.kind != "problem":
                actors_of.setdefault(item.id, []).append(actor)
    for start, end, item in item_spans:
        if item.kind == "problem":
            continue
        for actor in actors_of.get(item.id) or ([government] if government else []):
            relate(item.id, "actor", actor, start, end)
    for entity in entities:
        if entity.type == "PolicyDocument" and entity.issuer is None:
            # a title that opens with a government's name (某县人民政府关于…) was issued by it
            for m_start, m_end, agency in mentions:
                if (agency.type == "Agency" and agency.id.endswith(lex.government["key"])
                        and m_start == entity.mentions[0].start):
                    entity.issuer = agency.id
                    relate(agency.id, "issues", entity.id, m_start, entity.mentions[0].end)
                    break
    _located(text, entities, candidates, government, relate)
    return list(relations.values())


def _start_of(entity_id: str, inner) -> int:
    return next(s for s, _, entity in inner if entity.id == entity_id)


def _subject(text: str, clause_start: int, inner, lex: NameLexicon) -> str | None:
    """The agency that opens the clause (after adverbs, scope words, 由/经), if any."""
    for s, _, entity in inner:
        if entity.type == "Agency":
            lead = _lead_words().sub("", text[clause_start:s].strip())
            return None if lead else entity.id
    return None


@compiled
def _lead_words() -> re.Pattern:
    """Words that may precede a clause's subject: adverbs, scope and time words, 由/经, 一是…"""
    bounds = lexicon("entity-boundaries.json")
    words = bounds["adverbs"] + bounds["scope_words"] + bounds["enumerators"] + bounds["clause_openers"]
    return re.compile(f"(?:{alternation(words)})+")


def _trigger_before(text: str, clause_start: int, target_start: int, verbs, covered) -> int | None:
    """Position of the nearest trigger verb before the target in its clause, outside other names."""
    best = None
    for verb in verbs:
        position = text.rfind(verb, clause_start, target_start)
        while position >= 0:
            if not covered[position]:
                if best is None or position > best:
                    best = position
                break
            position = text.rfind(verb, clause_start, position)
    return best


def _located(text, entities, candidates, government, relate) -> None:
    """Entities named after a place, compound places, and lower-level places in the jurisdiction."""
    by_id = {e.id: e for e in entities}
    place_ids = {c.key: c.id for c in candidates if c.type == "Place"}
    places = [e for e in entities if e.type == "Place"]
    with_parent = set()
    for candidate in candidates:
        if candidate.type == "Place" and candidate.parent in place_ids:
            relate(candidate.id, "locatedIn", place_ids[candidate.parent], candidate.start, candidate.end)
            with_parent.add(candidate.id)
    jurisdiction = next((c for c in candidates if c.rule == "jurisdiction" and c.type == "Place"), None)
    home = by_id.get(jurisdiction.id) if jurisdiction else None
    place_at: dict[int, list[tuple[int, Entity]]] = {}
    for place in places:
        for mention in place.mentions:
            place_at.setdefault(mention.start, []).append((mention.end, place))
    for entity in entities:
        for mention in entity.mentions:
            for end, place in place_at.get(mention.start, ()):
                if place.id != entity.id and end < mention.end:
                    relate(entity.id, "locatedIn", place.id, mention.start, mention.end)
        if entity.type in ("Agency", "Mechanism", "Activity"):
            # named after a place (某县某大队), even where that name sits inside a title
            for place in places:
                if entity.label.startswith(place.label) and len(entity.label) > len(place.label):
                    relate(entity.id, "locatedIn", place.id, entity.mentions[0].start, entity.mentions[0].end)
        if home is None or entity.id == home.id:
            continue
        first = entity.mentions[0]
        if (entity.type == "Place" and entity.id not in with_parent
                and rank(entity.level) > rank(home.level) and rank(entity.level) >= rank("township")):
            # a township, street or site with no named parent lies in the report's own area
            relate(entity.id, "locatedIn", home.id, first.start, first.end)
        elif entity.type == "Agency" and (entity.id == government or entity.label[:1] == home.label[-1:]):
            # 县法院 in a county's report is that county's court
            relate(entity.id, "locatedIn", home.id, first.start, first.end)
