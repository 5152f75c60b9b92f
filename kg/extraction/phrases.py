"""Names typed by their form: 《…》 titles, head phrases, quoted names, coordinated activities; the longest wins.

>>> from kg.extraction.entities import extract_entities
>>> from kg.model import ReportMeta
>>> meta = ReportMeta(id="t", source="t.txt", encoding="utf-8", sha256="")
>>> [(e.type, e.label) for e in extract_entities("开展“宪法宣传周”活动,建立诉调对接机制。", [], meta)[0]]
[('Activity', '宪法宣传周活动'), ('Mechanism', '诉调对接机制')]
"""
from __future__ import annotations

import re
from bisect import bisect_right, insort

from kg.extraction.names import (
    MAX_LABEL, QUOTE, TITLE, Candidate, TextView, fold_key, head_ends_word, is_cjk, name_lexicon, scan_left,
    verbal_head_closes,
)

__all__ = ["documents", "headed", "quoted", "titles", "coordinated", "resolve"]


def documents(tx: TextView) -> list[Candidate]:
    out = []
    for match in TITLE.finditer(tx.text):
        label = match.group(1)
        out.append(Candidate(match.start(1), match.end(1), "PolicyDocument", label, fold_key(label),
                              "title", surface=label))
    return out


def headed(tx: TextView) -> list[Candidate]:
    """Phrases typed by their head word, grown leftwards to a boundary."""
    lex, text = name_lexicon(), tx.text
    false_heads = set(lex.heads["false_heads"])
    generic = set(lex.heads["generic_labels"])
    title_spans = titles(tx)
    out = []
    for head_start, head_end, head in tx.heads():
        etype = lex.head_type[head]
        if etype == "Place":
            continue
        # agencies named inside a title count (…《某县乡镇执法大队建设方案》); other kinds do not
        title = next(((s, e) for s, e in title_spans if s <= head_start < e), None)
        if title is not None and etype != "Agency":
            continue
        word = text[tx.word_before(head_end):head_end]
        if word in false_heads:
            continue
        if head in lex.verbal:
            if not verbal_head_closes(text, head_end):
                continue
            if text.startswith(lex.work_suffix, head_end):
                head_end += len(lex.work_suffix)
        start = scan_left(tx, head_start, head_end, title[0] + 1 if title else 0)
        bare = start == head_start
        if bare and head not in lex.heads[etype].get("bare_ok", []):
            continue
        label = text[start:head_end]
        if label in generic:
            continue
        out.append(Candidate(start, head_end, etype, label, fold_key(label), f"head:{head}", surface=label))
    return out


def quoted(tx: TextView, others: list[Candidate]) -> list[Candidate]:
    """Quoted names: typed by the head after them, the list head (“甲”“乙”等活动) or the verb before."""
    lex, text = name_lexicon(), tx.text
    starting_at = {}
    for candidate in others:
        if candidate.type != "Place":
            starting_at.setdefault(candidate.start, candidate)
    quotes = [m for m in QUOTE.finditer(text) if not tx.inside(m.start(), m.end())]  # not inside 《…》
    out = []
    index = 0
    while index < len(quotes):
        group = [quotes[index]]
        while index + 1 < len(quotes) and quotes[index + 1].start() == group[-1].end():
            index += 1
            group.append(quotes[index])
        index += 1
        after = group[-1].end()
        list_end = next((w for w in lex.heads["list_ends"] if text.startswith(w, after)), None)
        if len(group) > 1 and list_end:
            after += len(list_end)
            for filler in lex.list_fillers:
                if text.startswith(filler, after):
                    after += len(filler)
        head = lex.head_re.match(text, after)
        following = starting_at.get(after)
        if head and lex.head_type[head.group(0)] != "Place" and head_ends_word(tx, head.end()):
            etype, tail_end, bare = lex.head_type[head.group(0)], head.end(), True
            if head.group(0) in lex.verbal and text.startswith(lex.work_suffix, tail_end):
                tail_end += len(lex.work_suffix)
        elif following is not None and following.start == group[-1].end():
            etype, tail_end = following.type, following.end
            # “…”主题活动 names the same thing as “…”活动
            head_word = lex.head_re.search(following.label)
            bare = bool(head_word) and following.label[:head_word.start()] in lex.heads["generic_modifiers"]
        else:
            etype, tail_end, bare = _typed_by_content_or_verb(tx, group[0]), None, True
            if etype is None:
                continue
        for quote in group:
            content = quote.group(1)
            if len(group) == 1 and tail_end is not None:
                tail = text[quote.end():tail_end]
                label = content + tail
                if len(label) > MAX_LABEL:
                    continue
                surface = text[quote.start():tail_end]
                if following is not None and following.via_pattern and not bare:
                    # “一对一”法治体检: a quoted modifier before a known name is that name
                    out.append(Candidate(quote.start(), tail_end, etype, following.label, following.key,
                                          "quoted-modifier", surface=surface, via_pattern=True))
                    continue
                key = content if bare else label
                out.append(Candidate(quote.start(), tail_end, etype, label, fold_key(key),
                                      "quoted-name", surface=surface))
            else:
                out.append(Candidate(quote.start(), quote.end(), etype, content, fold_key(content),
                                      "quoted-name", surface=quote.group(0)))
    return out


def _typed_by_content_or_verb(tx: TextView, quote: re.Match) -> str | None:
    """A quoted name with no head after it: its own last word, else an organising verb before it."""
    lex, text = name_lexicon(), tx.text
    content = quote.group(1)
    inner = [m for m in lex.head_re.finditer(content) if m.end() == len(content)]
    if inner and lex.head_type[inner[-1].group(0)] != "Place" and len(content) > len(inner[-1].group(0)):
        return lex.head_type[inner[-1].group(0)]
    if quote.end() < len(text) and is_cjk(text[quote.end()]):
        return None  # a slogan qualifying the next word (“一次办”服务)
    before = text[max(0, quote.start() - 4):quote.start()]
    if before.endswith(lex.triggers["organizes"]):
        return "Activity"
    if before.endswith(lex.triggers["establishes"]):
        return "Mechanism"
    return None


def titles(tx: TextView) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TITLE.finditer(tx.text)]


def coordinated(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Join 甲培训和乙测试 into one activity when the two heads are joined by 和/及/与."""
    coordinators = name_lexicon().coordinators
    by_start = {c.start: c for c in candidates if c.type == "Activity" and c.rule.startswith("head:")}
    out, used = [], set()
    for left in sorted(candidates, key=lambda c: (c.start, c.end)):
        if id(left) in used:
            continue
        if left.type == "Activity" and left.rule.startswith("head:"):
            for conj in coordinators:
                right = by_start.get(left.end + len(conj))
                if (right is not None and text.startswith(conj, left.end)
                        and right.end - left.start <= MAX_LABEL):
                    label = text[left.start:right.end]
                    out.append(Candidate(left.start, right.end, "Activity", label, fold_key(label),
                                          "coordinated", surface=label))
                    used.update((id(left), id(right)))
                    break
        if id(left) not in used:
            out.append(left)
    return out


def resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Longest name wins; agencies and places may sit inside a longer name, other kinds may not."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), not c.via_pattern, c.start, c.type))
    longest = max((c.end - c.start for c in candidates), default=0)
    kept: list[Candidate] = []
    kept_starts: list[tuple[int, int]] = []  # (start, index into kept), sorted, to find neighbours fast
    for candidate in ordered:
        if candidate.type != "PolicyDocument" and len(candidate.label) > MAX_LABEL:
            continue
        clash = False
        low = bisect_right(kept_starts, (candidate.start - longest, -1))
        high = bisect_right(kept_starts, (candidate.end, -1))
        for _, index in kept_starts[low:high]:
            other = kept[index]
            if candidate.end <= other.start or other.end <= candidate.start:
                continue
            same_span = (candidate.start, candidate.end) == (other.start, other.end)
            nested = other.start <= candidate.start and candidate.end <= other.end
            if same_span and candidate.type == other.type:
                clash = True
            elif nested and not same_span and (
                    (candidate.type in ("Agency", "Place") and candidate.type != other.type)
                    or (candidate.type == other.type == "Place" and other.rule == "compound")):
                continue
            else:
                clash = True
            if clash:
                break
        if not clash:
            insort(kept_starts, (candidate.start, len(kept)))
            kept.append(candidate)
    return sorted(kept, key=lambda c: (c.start, c.end, c.type))
