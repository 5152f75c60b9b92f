"""Problems and plans found exactly under each heading and enumeration style of genre-notes.md.

Small reports written for this test; each style once with full-width and once
with ASCII punctuation (the swap keeps every offset). The expected items are
what a reader marks as the problems and plans, written down by hand.
"""
from __future__ import annotations

import pytest

from kg.extraction.structure import segment

HEAD = "一、工作开展情况\n（一）强化保障。召开会议3次。\n"
CASES = {
"areas+1.lines": HEAD + "二、存在的问题\n（一）执法方面\n1.执法人员数量不足。\n2.执法装备落后。\n（二）服务方面\n1.法律援助覆盖不够。\n2.公证服务效率不高。\n三、下一步工作计划\n1.充实执法人员。\n2.更新执法装备。\n",
"di-lines": HEAD + "二、存在问题\n第一，执法人员数量不足。\n第二，执法装备落后。\n三、下步安排\n第一，充实执法人员。\n第二，更新执法装备。\n",
"paren-inline": HEAD + "二、存在问题\n（1）执法人员数量不足；（2）执法装备落后。\n三、下步安排\n（1）充实执法人员；（2）更新执法装备。\n",
"semicolon-paragraph": HEAD + "二、存在问题\n执法人员数量不足；执法装备落后；法律援助覆盖不够。\n三、下步安排\n充实执法人员；更新执法装备。\n",
"heading-body-plans": HEAD + "二、存在问题\n一是执法人员数量不足；二是执法装备落后。\n三、下步安排\n（一）充实执法人员\n通过招录补充乡镇执法人员20名。\n（二）更新执法装备\n为各执法队配齐记录仪。\n",
"qi": HEAD + "二、存在问题\n其一，执法人员数量不足；其二，执法装备落后。\n三、下步安排\n其一，充实执法人员；其二，更新执法装备。\n",
"fullwidth-digits": HEAD + "二、存在问题\n１．执法人员数量不足。\n２．执法装备落后。\n三、下步安排\n１．充实执法人员。\n２．更新执法装备。\n",
"intro-colon": HEAD + "二、存在问题\n主要表现在以下几个方面：\n一是执法人员数量不足。\n二是执法装备落后。\n三、下步安排\n一是充实执法人员。\n二是更新执法装备。\n",
"signature": HEAD + "二、存在问题\n一是执法人员数量不足；二是执法装备落后。\n三、下步安排\n一是充实执法人员。\n二是更新执法装备。\n\n青石县人民政府\n2025年3月10日\n",
"signature-paragraphs": HEAD + "二、存在问题\n执法人员数量不足。\n执法装备落后。\n三、下步安排\n充实执法人员。\n更新执法装备。\n\n青石县司法局\n2025年3月10日\n",
"sentences": HEAD + "二、存在问题\n执法人员数量不足。执法装备落后。法律援助覆盖不够。\n三、下步安排\n充实执法人员。更新执法装备。\n",
"extra-section-after": HEAD + "二、存在问题\n一是执法人员数量不足；二是执法装备落后。\n三、下步安排\n一是充实执法人员；二是更新执法装备。\n四、党政主要负责人履行推进法治建设第一责任人职责情况\n县长带头学法。\n",
"causes-line-items": HEAD + "二、存在问题\n1.执法人员数量不足。\n2.执法装备落后。究其原因，经费保障不足。\n三、下步安排\n1.充实执法人员。\n2.更新执法装备。\n",
"ascii-paren-heading-nodot": HEAD.replace("（一）","(一)") + "二、存在的问题\n(一)执法人员数量不足。县乡两级均缺编。\n(二)执法装备落后。记录仪老化。\n三、2025年工作打算\n(一)充实执法人员。计划招录20名。\n(二)更新执法装备。采购记录仪。\n",
}
TWO_PROBLEMS = ["执法人员数量不足", "执法装备落后"]
TWO_PLANS = ["充实执法人员", "更新执法装备"]
EXPECTED = {
    "areas+1.lines": (['执法人员数量不足', '执法装备落后', '法律援助覆盖不够', '公证服务效率不高'], ['充实执法人员', '更新执法装备']),
    "di-lines": (TWO_PROBLEMS, TWO_PLANS),
    "paren-inline": (TWO_PROBLEMS, TWO_PLANS),
    "qi": (TWO_PROBLEMS, TWO_PLANS),
    "fullwidth-digits": (TWO_PROBLEMS, TWO_PLANS),
    "intro-colon": (TWO_PROBLEMS, TWO_PLANS),
    "signature": (TWO_PROBLEMS, TWO_PLANS),
    "signature-paragraphs": (TWO_PROBLEMS, TWO_PLANS),
    "extra-section-after": (TWO_PROBLEMS, TWO_PLANS),
    "causes-line-items": (TWO_PROBLEMS, TWO_PLANS),
    "semicolon-paragraph": (['执法人员数量不足', '执法装备落后', '法律援助覆盖不够'], ['充实执法人员', '更新执法装备']),
    "sentences": (['执法人员数量不足', '执法装备落后', '法律援助覆盖不够'], ['充实执法人员', '更新执法装备']),
    "heading-body-plans": (['执法人员数量不足', '执法装备落后'], ['充实执法人员\n通过招录补充乡镇执法人员20名', '更新执法装备\n为各执法队配齐记录仪']),
    "ascii-paren-heading-nodot": (['执法人员数量不足。县乡两级均缺编', '执法装备落后。记录仪老化'], ['充实执法人员。计划招录20名', '更新执法装备。采购记录仪']),
}
_TO_ASCII = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")"})
_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


@pytest.mark.parametrize("punctuation", ["as-written", "swapped"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_problems_and_plans_exactly(name, punctuation):
    text = CASES[name]
    problems, plans = EXPECTED[name]
    if punctuation == "swapped":
        table = _TO_ASCII if "（" in text or "，" in text else _TO_FULL
        text, problems, plans = text.translate(table), [p.translate(table) for p in problems], [p.translate(table) for p in plans]
    items = segment(text).items
    for kind, expected in (("problem", problems), ("plan", plans)):
        found = [(i.span.start, i.span.end) for i in items if i.kind == kind]
        spans = []
        for s in expected:
            assert text.count(s) == 1, s
            spans.append((text.index(s), text.index(s) + len(s)))
        assert found == spans, (kind, [i.span.text for i in items if i.kind == kind])
