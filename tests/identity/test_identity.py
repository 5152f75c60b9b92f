"""One node per body, document and concept across reports; relative names resolved; every merge explained."""
from __future__ import annotations

import pytest

from kg.identity.divisions import division_of_name
from kg.identity.identity import body_identity, concept_key, document_key, identities
from kg.model import Entity

COUNTY, CITY_COUNTY = division_of_name("河南省濮阳市濮阳县"), division_of_name("山东省聊城市冠县")


@pytest.mark.parametrize("label, key", [
    ("县法院", "body/410928000000/濮阳县人民法院"),
    ("濮阳县人民法院", "body/410928000000/濮阳县人民法院"),
    ("省司法厅", "body/410000000000/河南省司法厅"),
    ("市委", "body/410900000000/中共濮阳市委员会"),
    ("县人大常委会", "body/410928000000/濮阳县人民代表大会常务委员会"),
    ("县市场监管局", "body/410928000000/濮阳县市场监督管理局"),
    ("濮阳县市场监督管理局", "body/410928000000/濮阳县市场监督管理局"),
])
def test_relative_and_long_names_give_one_key(label, key):
    assert body_identity(label, COUNTY)[0] == key


def test_short_and_long_forms_of_the_rule_of_law_office_merge():
    short = body_identity("省委依法治省办", CITY_COUNTY)[0]
    assert short == body_identity("省委全面依法治省委员会办公室", CITY_COUNTY)[0] == body_identity("依法治省办", CITY_COUNTY)[0]
    assert short.startswith("body/370000000000/")


def test_never_across_divisions_or_levels():
    assert body_identity("省司法厅", COUNTY)[0] != body_identity("省司法厅", CITY_COUNTY)[0]
    assert body_identity("县法院", COUNTY)[0] != body_identity("市法院", COUNTY)[0]
    assert body_identity("区法院", COUNTY) is None  # a county's report has no 区 to resolve against


def test_never_two_names_that_differ_in_a_number():
    assert body_identity("县公安局第一派出所", COUNTY)[0] != body_identity("县公安局第二派出所", COUNTY)[0]


@pytest.mark.parametrize("label", ["市县法院", "司法所", "调解组织", "公安局", "政协"])
def test_names_that_do_not_say_which_body_stay_the_reports_own(label):
    assert body_identity(label, COUNTY) is None


def test_document_titles_fold_brackets_dashes_and_nesting():
    forms = ["法治政府建设实施纲要（2021—2025年）", "《法治政府建设实施纲要(2021-2025年)》", "法治政府建设实施纲要(2021一2025年)",
             "法治政府建设实施纲要（２０２１－２０２５年）"]
    assert len({document_key(f) for f in forms}) == 1


def test_a_local_plan_is_its_own_node_and_implements_the_national_one():
    plan = Entity(id="document/plan", type="PolicyDocument", label="某县贯彻落实〈法治政府建设实施纲要（2021—2025年）〉实施方案")
    national = Entity(id="document/n", type="PolicyDocument", label="法治政府建设实施纲要(2021-2025年)")
    short = Entity(id="document/s", type="PolicyDocument", label="纲要")
    found = identities([plan, national, short], COUNTY)
    assert found[plan.id].key != found[national.id].key
    assert found[plan.id].implements == found[national.id].key == found[short.id].key
    assert found[short.id].rules == ["short-title:纲要"]


def test_concepts_fold_quotes_and_wordings():
    assert concept_key("Mechanism", "府院联动工作机制")[0] == concept_key("Mechanism", "“府院联动”机制")[0]
    assert concept_key("Activity", "普法活动")[0] != concept_key("Mechanism", "普法活动")[0]
