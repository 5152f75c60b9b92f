"""Subjects: what a quantity counts, in the report's own words, and which counts it is part of.

The words before a number (after approximation and change words are taken
off) are stripped of adverbs, scope words and verbs at the left and of
linking words at the right (``data/lexicon/quantities.json``); what is left
is the subject (``受理行政复议申请269件`` → ``行政复议申请``). A noun right after
the unit (``18家单位``) wins; a rate keeps its verb (``审查通过率``); a change
takes the subject of the quantity it changes; a count with no noun of its own
borrows the previous clause's object or, after a verb, its sibling's noun
(``受理148件,审结131件`` → ``审结`` + the noun of the 148).
"""
from __future__ import annotations

import re

from kg.extraction.items import MARKER
from kg.extraction.quantities import Lexicon, Quantity
from kg.extraction.text import CN_NUMERAL_CHARS, Layout

__all__ = ["read_subject", "strip_left", "strip_right", "object_of_last_verb", "after_subject", "split_rates"]

# A bracketed unit right after a quantity (21台(套)) is not what it counts.
_AFTER_BRACKET = re.compile(r"^(?:\([^()]{1,4}\)|（[^（）]{1,4}）)")


def read_subject(q: Quantity, before: str, left_edge: int, done: list[Quantity], folded: str,
                 layout: Layout, lex: Lexicon) -> None:
    """Set ``q``'s subject, noun, subject span and the count it is part of or changes (in place).

    ``before`` is the clause's text before the quantity, from ``left_edge``;
    ``done`` the quantities read so far.
    """
    same_sentence = []
    for p in reversed(done):  # walk back only as far as the sentence goes: linear in the report
        if p.sentence != q.sentence:
            break
        same_sentence.append(p)
    same_sentence.reverse()
    raw = before.strip()
    marker = MARKER.match(raw)  # an enumeration marker (一是新建…, (1)新建…) is no part of the subject
    raw = _own_stretch(raw[marker.end():] if marker else raw)
    if q.kind == "change":
        _change_subject(q, raw, same_sentence, lex)
    elif q.kind == "rate":
        _rate_subject(q, raw, left_edge, same_sentence, folded, layout, lex)
    else:
        _count_subject(q, raw, left_edge, done, same_sentence, folded, layout, lex)
    tidy = _own_stretch(q.subject)
    if tidy != q.subject and tidy:
        q.subject = q.noun = tidy
        q.subject_span = None


def _own_stretch(words: str) -> str:
    """Words that can be one subject: after the last closing bracket or clause mark (a bracketed remark
    ``(降幅排名全市第一)、刑事立案数`` belongs to the figure before), without an opening bracket at the end
    (``刑事立案数(同比下降…``)."""
    if not _ANY_CLOSER.search(words):
        return words.strip(_EDGES)
    cut = max(words.rfind(mark) for mark in _CLOSERS) + 1
    if cut and words[:cut].count("(") + words[:cut].count("（") < words[:cut].count(")") + words[:cut].count("）") \
            or any(mark in words[:cut] for mark in _CLAUSE):
        words = words[cut:]
    return words.strip(_EDGES)


_CLOSERS = ")）,，;；:：。"
_ANY_CLOSER = re.compile("[" + _CLOSERS + "]")
_CLAUSE = ",，;；:：。"
_EDGES = "(（)）、 ,，;；:："


def _change_subject(q: Quantity, raw: str, same_sentence: list[Quantity], lex: Lexicon) -> None:
    own, _, _ = strip_left(strip_right(raw, lex.strip_right, lex.protect_right), lex)
    base = next((p for p in reversed(same_sentence)
                 if p.kind != "change" and q.clause - p.clause <= 1), None)
    if own:
        q.subject = own
        base = next((p for p in reversed(same_sentence) if p.clause == q.clause and p.kind != "change"), None)
    elif base:
        q.subject = base.subject
    else:
        q.subject = q.change_verb
    q.change_of, q.own = base, own
    q.subject += lex.labels["year_on_year_change" if q.year_on_year else "change"]
    q.noun = q.subject


def _rate_subject(q: Quantity, raw: str, left_edge: int, same_sentence: list[Quantity], folded: str,
                  layout: Layout, lex: Lexicon) -> None:
    clause_end = layout.clause_bounds(q.clause)[1]
    words = strip_right(raw, lex.rate_links)
    words = strip_right(words, lex.strip_right, lex.protect_right)
    stripped = words
    while True:  # adverbs only: 审查通过率 keeps its verb
        m = lex.strip_left.match(stripped)
        if not m or m.group() in lex.verbs or m.end() == len(stripped):
            break
        stripped = stripped[m.end():]
    subject = stripped or after_subject(folded, q.end, clause_end, lex)
    if not subject:
        subject = same_sentence[-1].noun if same_sentence else lex.labels["rate"]
    parts = split_rates(subject, lex)
    q.subject, q.noun, q.siblings = parts[0], parts[0], parts[1:]
    if stripped:
        at = folded.rfind(stripped, left_edge, q.start)
        q.subject_span = (at, at + len(parts[0])) if at >= 0 else None


def _count_subject(q: Quantity, raw: str, left_edge: int, done: list[Quantity], same_sentence: list[Quantity],
                   folded: str, layout: Layout, lex: Lexicon) -> None:
    clause_end = layout.clause_bounds(q.clause)[1]
    words = strip_right(raw, lex.strip_right, lex.protect_right)
    own, verbs, part = strip_left(words, lex)
    if q.kind != "average":  # 每组平均配备: the whole phrase says what is averaged
        own = object_of_last_verb(own, lex)
    q.action = "".join(verbs)
    after = after_subject(folded, q.end, clause_end, lex)
    siblings = [p for p in reversed(same_sentence) if p.unit == q.unit and p.kind in ("count", "amount")
                and q.clause - p.clause <= 4]
    if part and siblings:
        q.part_of = siblings[0]
    if _bracketed_change(q, raw, done, folded, lex):
        # 刑事立案数(同比下降18.2%)为860起: the noun before the bracket, whose change the bracket states
        change = done[-1]
        q.subject = q.noun = change.own
        change.change_of = q
    elif after:
        q.subject = q.noun = after
        at = q.end + folded[q.end:clause_end].find(after)
        q.subject_span, q.consumed = (at, at + len(after)), at + len(after)
    elif own:
        q.subject = q.noun = own
        at = folded.rfind(own, left_edge, q.start)
        q.subject_span = (at, at + len(own)) if at >= 0 else None
    elif done and done[-1].clause == q.clause and (done[-1].end == q.start or (
            folded[done[-1].end:q.start].strip() in lex.conjunctions and done[-1].unit == q.unit)):
        # 19次26件: the same thing counted twice; 4.36万元、2.18万元: a second value of the same thing
        q.subject, q.noun = done[-1].subject, done[-1].noun
    elif verbs and siblings:
        # 受理148件,审结131件: parts listed one after another share the whole of the first
        base = siblings[0].part_of or siblings[0]
        q.elliptical = True
        q.part_of = q.part_of or base
        q.noun = base.noun
        q.subject = q.action + base.noun
    elif verbs and not siblings:
        # 开展…专项行动，全年抽检3000批次: the act is what is counted, unless it takes up the object of the
        # clause before (参加法律知识轮训，共培训410人次)
        borrowed = _fallback_subject(q, raw, folded, layout, lex)
        q.subject = q.noun = borrowed if set(borrowed) & set(q.action) else q.action
    else:
        q.subject = q.noun = _fallback_subject(q, raw, folded, layout, lex)
    if q.part_of is None and not q.elliptical:
        _subset_of(q, siblings)
    if q.kind == "average" and lex.average.fullmatch(q.subject) and same_sentence:
        q.subject = same_sentence[-1].noun + q.subject


def _bracketed_change(q: Quantity, raw: str, done: list[Quantity], folded: str, lex: Lexicon) -> bool:
    if not done or done[-1].kind != "change" or done[-1].clause != q.clause or not done[-1].own:
        return False
    rest = folded[done[-1].end:q.start].strip()
    words = raw.strip(_EDGES)
    return rest[:1] in ")）" and (not words or bool(lex.rate_links.fullmatch(words)))


def _subset_of(q: Quantity, siblings: list[Quantity]) -> None:
    """抽查案卷120份,优良案卷102份: a count of a qualified kind of the thing just counted is part of it."""
    if not siblings or q.clause - siblings[0].clause > 1:
        return
    whole = siblings[0]
    head = whole.noun[-2:]
    if len(head) == 2 and q.noun != whole.noun and q.noun.endswith(head) and len(q.noun) > 2 \
            and whole.value > q.value:
        q.part_of = whole


def _fallback_subject(q: Quantity, raw: str, folded: str, layout: Layout, lex: Lexicon) -> str:
    """No subject beside the number (全区合计800余人到场): borrow the previous clause's object."""
    clause_start, clause_end = layout.clause_bounds(q.clause)
    following = lex.after_stop.match(folded[q.end:clause_end].strip())
    verb = following.group() if following and following.group() in lex.verbs else ""
    if q.clause and layout.sentence(layout.clause_bounds(q.clause - 1)[0]) == q.sentence:
        start, end = layout.clause_bounds(q.clause - 1)
        previous, _, _ = strip_left(folded[start:end].strip(), lex)
        previous = object_of_last_verb(previous, lex)
        if previous:
            return previous[-16:] + verb
    return raw or q.action or verb or q.unit


# --- word helpers ------------------------------------------------------------------------------

def strip_left(words: str, lex: Lexicon) -> tuple[str, list[str], bool]:
    """Drop leading adverbs, determiners and verbs; return the rest, the verbs, and 其中."""
    verbs, part = [], False
    while words:
        m = lex.strip_left.match(words)
        if not m:
            break
        word, rest = m.group(), words[m.end():]
        if word in lex.modifiers and rest:
            break
        if word in lex.verbs:
            # a verb that begins a compound noun (调解组织) is part of the noun
            if rest and (len(rest) < 2 or rest.startswith(lex.head_nouns)):
                break
            verbs.append(word)
        elif rest and len(rest) < 2 and word not in lex.part_markers:
            break
        part = part or word in lex.part_markers
        words = rest
    return words, verbs, part


def strip_right(words: str, pattern: re.Pattern, protect: tuple[str, ...] = ()) -> str:
    """Drop trailing words that ``pattern`` matches (达, 共计, 的 …), unless the words end in ``protect``."""
    while words:
        m = pattern.search(words)
        if not m or m.start() == 0 or words.endswith(protect):
            break
        words = words[:m.start()]
    return words


def object_of_last_verb(words: str, lex: Lexicon) -> str:
    """``律师服务团为企业提供法治体检`` → ``法治体检``; ``宣讲、讲座等活动`` → ``活动``."""
    for end_word in lex.list_ends:
        if end_word in words[:-1]:
            words = words[words.rindex(end_word) + len(end_word):]
    for m in reversed(list(lex.verb_in.finditer(words))):
        rest = words[m.end():]
        # a verb before a head noun or a conjunction modifies the noun (调解组织, 废止和失效文件)
        if len(rest) >= 3 and not rest.startswith(lex.head_nouns + lex.conjunctions):
            rest, _, _ = strip_left(rest, lex)
            return rest or words
    return words


def after_subject(folded: str, start: int, end: int, lex: Lexicon) -> str:
    """The thing counted when it follows the unit (``18家单位``), up to the predicate; '' if none."""
    after = lex.after_skip.sub("", _AFTER_BRACKET.sub("", folded[start:end].strip()))  # 21台(套)…, 3-5年一轮的…
    if not after or lex.after_stop.match(after) or lex.transition_to.match(after) or after[0] in "(（":
        return ""  # a bracket after the unit holds a remark (其中…), not what is counted
    cut = lex.after_cut.search(after)
    if cut:
        after = after[:cut.start()]
    for m in lex.verb_in.finditer(after):  # the predicate begins at the first verb (单位进行…)
        if m.start() and not after[m.end():].startswith(lex.head_nouns):
            after = after[:m.start()]
            break
    digit = re.search(rf"[\d{CN_NUMERAL_CHARS[:-2]}]", after)
    if digit:  # 19次26件: the next quantity is not this one's subject
        after = after[:digit.start()]
    after = after[:16].strip(lex.after_trim)
    return after if any("\u4e00" <= ch <= "\u9fff" for ch in after) else ""


def split_rates(subject: str, lex: Lexicon) -> list[str]:
    """``办结率、满意率`` → two subjects when every part is itself a rate."""
    parts = [p for p in subject.split("、") if p]
    if len(parts) > 1 and all(p.endswith(lex.rate_suffixes) for p in parts):
        return parts
    return [subject]
