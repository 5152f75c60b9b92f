"""Linking plans and measures to problems, and the gaps (kg.extraction.link), on hand-annotated fixtures and the bundled report.

Each tests/fixtures/links-*.txt is a synthetic report in its own house style,
annotated by hand in the .json beside it: the exact problems and plans, which
plan answers which problem, which measure group already works on which problem,
and the gaps (each fixture has a problem no plan answers and a plan that answers
no stated problem). Every fixture is also checked with its punctuation swapped
(ASCII ↔ full-width, same offsets) and with Windows line endings.
"""
from __future__ import annotations

import json

import pytest

from kg.extraction.link import link_items
from kg.pipeline import extract_text

from tests.conftest import FIXTURES
CASES = sorted(p.stem for p in FIXTURES.glob("links-*.txt"))

_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})
_TO_ASCII = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")"})
VARIANTS = {
    "as-written": lambda s: s,
    # Copies on the web swap one punctuation style for the other; offsets stay the same.
    "punctuation-swapped": lambda s: s.translate(_TO_ASCII) if "，" in s else s.translate(_TO_FULL),
    "crlf": lambda s: s.replace("\n", "\r\n"),
}


def _swap_like(text: str, variant: str):
    """The same transformation for a gold string as for its report (decided by the report's own text)."""
    if variant == "punctuation-swapped":
        table = _TO_ASCII if "，" in text else _TO_FULL
        return lambda s: s.translate(table)
    return VARIANTS[variant]


def load_case(name: str, variant: str):
    raw = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    change = _swap_like(raw, variant)
    text = change(raw)
    for key in ("problems", "plans", "measure_groups"):
        gold[key] = [change(s) for s in gold[key]]
    return text, gold, extract_text(text)


@pytest.fixture(scope="module", params=[(c, v) for c in CASES for v in VARIANTS], ids=lambda p: f"{p[0]}-{p[1]}")
def case(request):
    return load_case(*request.param)


def _expected_spans(text: str, strings: list[str]) -> list[tuple[int, int]]:
    spans = []
    for s in strings:
        assert text.count(s) == 1, f"annotation {s!r} must occur exactly once in its fixture"
        start = text.index(s)
        spans.append((start, start + len(s)))
    return spans


def test_fixtures_exist():
    assert len(CASES) >= 5


@pytest.mark.parametrize("kind", ["problems", "plans"])
def test_problems_and_plans_found_exactly(case, kind):
    text, gold, x = case
    items = x.problems if kind == "problems" else x.plans
    assert [(i.span.start, i.span.end) for i in items] == _expected_spans(text, gold[kind])


def test_measure_groups_found(case):
    _, gold, x = case
    groups = list(dict.fromkeys(m.group for m in x.measures))
    assert groups == gold["measure_groups"]


def test_gaps_name_exactly_the_unanswered(case):
    _, gold, x = case
    assert x.gaps.problems_without_plan == [x.problems[i].id for i in gold["problems_without_plan"]]
    assert x.gaps.plans_without_problem == [x.plans[i].id for i in gold["plans_without_problem"]]


def test_groups_without_plan(case):
    _, gold, x = case
    group_ids = list(dict.fromkeys(m.group_id for m in x.measures))
    assert x.gaps.groups_without_plan == [group_ids[i] for i in gold["groups_without_plan"]]


def test_addresses_links_match_annotation(case):
    _, gold, x = case
    predicted = {(l.source, l.target) for l in x.links if l.relation == "addresses"}
    expected = {(x.plans[p].id, x.problems[int(q)].id) for q, plans in gold["problem_plan"].items() for p in plans}
    assert predicted == expected


def test_measure_groups_work_on_the_annotated_problems(case):
    _, gold, x = case
    assert _group_problem_pairs(x) == _gold_group_pairs(x, gold["measure_group_problem"])


def test_links_are_scored_and_explained(case):
    _, _, x = case
    kinds = {i.id: i.kind for i in x.items}
    assert {l.relation for l in x.links} == {"addresses", "works_on"}
    for link in x.links:
        assert 0.0 <= link.score <= 1.0
        assert link.method and {"terms", "theme"} <= set(link.components)
        assert kinds[link.target] == "problem"
        assert kinds[link.source] == ("plan" if link.relation == "addresses" else "measure")


def test_contract_json_carries_links_and_gaps(case):
    _, _, x = case
    contract = json.loads(json.dumps(x.to_contract(), ensure_ascii=False))
    assert contract["links"] and all({"source", "target", "relation", "score"} <= set(l) for l in contract["links"])
    assert set(contract["gaps"]) >= {"problems_without_plan", "plans_without_problem"}


def test_linking_is_deterministic():
    text, _, x = load_case(CASES[0], "as-written")
    again = extract_text(text)
    assert link_items(again) == link_items(x)


def test_no_items_no_links():
    x = extract_text("这是一段没有任何标题的文字。")
    links, gaps = link_items(x)
    assert links == [] and gaps.problems_without_plan == [] and gaps.plans_without_problem == []


# --- the bundled report against data/gold -------------------------------------

def test_bundled_top_plan_is_a_gold_plan(bundled_extraction, gold):
    x = bundled_extraction
    scores = {(l.source, l.target): l.score for l in x.links if l.relation == "addresses"}
    hits = 0
    for index, gold_plans in gold["links"]["problem_plan"].items():
        problem = x.problems[int(index)].id
        ranked = sorted(x.plans, key=lambda p: -scores.get((p.id, problem), 0.0))
        hits += x.plans.index(ranked[0]) in gold_plans
    assert hits >= 7, f"top-scored plan is a gold plan for {hits} of 8 problems"


def test_bundled_every_problem_and_plan_is_linked(bundled_extraction, gold):
    # The gold gives every problem a plan and uses every plan at least once.
    answered = {int(q) for q, plans in gold["links"]["problem_plan"].items() if plans}
    used = {p for plans in gold["links"]["problem_plan"].values() for p in plans}
    x = bundled_extraction
    assert x.gaps.problems_without_plan == [x.problems[i].id for i in range(len(x.problems)) if i not in answered]
    assert x.gaps.plans_without_problem == [x.plans[i].id for i in range(len(x.plans)) if i not in used]


def test_bundled_measure_groups_agree_with_gold(bundled_extraction, gold):
    """Agreement = F1 over the (group, problem) pairs that work together, over all 5 × 8 pairs.

    F1 rather than accuracy over the 40 pairs: predicting no pair at all already
    scores 33/40 = 82.5 % accuracy, so accuracy would not be a bar.
    """
    x = bundled_extraction
    predicted = _group_problem_pairs(x)
    expected = _gold_group_pairs(x, gold["links"]["measure_group_problem"])
    true_positives = len(predicted & expected)
    f1 = 2 * true_positives / (len(predicted) + len(expected))
    assert f1 >= 0.8, f"pair F1 {f1:.2f}: predicted {sorted(predicted)}, gold {sorted(expected)}"


def _group_problem_pairs(x) -> set[tuple[str, str]]:
    group_of = {m.id: m.group_id for m in x.measures}
    return {(group_of[l.source], l.target) for l in x.links if l.relation == "works_on"}


def _gold_group_pairs(x, annotation: dict) -> set[tuple[str, str]]:
    group_ids = list(dict.fromkeys(m.group_id for m in x.measures))
    return {(group_ids[int(g)], x.problems[q].id) for g, problems in annotation.items() for q in problems}


# --- bounded work on huge texts (issue 17) ---------------------------------------------------------

def _pasted(copies: int):
    """A corpus pasted into one file: the links fixtures end to end, ``copies`` times."""
    from kg.extraction.structure import segment
    from kg.model import Extraction, ReportMeta

    one = "\n".join((FIXTURES / f"{name}.txt").read_text(encoding="utf-8") for name in CASES)
    text = "\n".join([one] * copies)
    structure = segment(text)
    meta = ReportMeta(id="pasted", source="pasted.txt", encoding="utf-8", sha256="")
    return Extraction(report=meta, text=text, sections=structure.sections, items=structure.items)


def _comparisons(extraction, monkeypatch) -> int:
    from kg.extraction import link

    calls = 0
    score = link.score_pair

    def counted(*args):
        nonlocal calls
        calls += 1
        return score(*args)

    monkeypatch.setattr(link, "score_pair", counted)
    link_items(extraction)
    monkeypatch.undo()
    return calls


def test_linking_compares_a_number_of_pairs_linear_in_the_text(monkeypatch):
    from kg.extraction.link import SHORTLIST

    small, large = _pasted(40), _pasted(160)
    counts = [_comparisons(x, monkeypatch) for x in (small, large)]
    subjects = len(large.problems) + len({m.group_id for m in large.measures if m.group_id})
    # every problem meets at most a shortlist of plans, groups and measures; every group a shortlist of plans
    assert counts[1] <= 4 * SHORTLIST * subjects, counts
    # four times the text, about four times the comparisons (all pairs would give sixteen times)
    assert counts[1] <= 5 * counts[0], counts


def test_a_pasted_corpus_still_links_each_plan_to_its_own_problem():
    """The shortlist keeps what matters: the copies of a pair a person links are linked, copy by copy."""
    extraction = _pasted(50)
    extraction.links, extraction.gaps = link_items(extraction)
    addresses = [l for l in extraction.links if l.relation == "addresses"]
    assert addresses
    by_id = {item.id: item for item in extraction.items}
    per_problem: dict[str, int] = {}
    for l in addresses:
        per_problem[l.target] = per_problem.get(l.target, 0) + 1
    assert max(per_problem.values()) <= 24  # never every copy of every plan
    # each link joins a plan and a problem of texts that read alike: the same copy's pair or one of its twins
    texts = {(by_id[l.source].span.text, by_id[l.target].span.text) for l in addresses}
    single = extract_text("\n".join((FIXTURES / f"{name}.txt").read_text(encoding="utf-8") for name in CASES))
    single_by_id = {item.id: item for item in single.items}
    expected = {(single_by_id[l.source].span.text, single_by_id[l.target].span.text)
                for l in single.links if l.relation == "addresses"}
    assert len(texts & expected) >= 0.8 * len(expected)
