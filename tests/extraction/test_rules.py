"""Rules as data: a bad lexicon or pattern file stops the program with one line naming the file and the line."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import kg.resources
from kg.cli import main
from kg.errors import DataError
from kg.extraction import check_rules, rules
from kg.resources import bundled_report, data_dir


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the package data that a test may break; the loaders read it instead of the real one."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setattr(kg.resources, "data_dir", lambda: copy)
    rules.clear()
    yield copy
    monkeypatch.undo()
    rules.clear()


def _replace_line(path, number: int, line: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_bundled_rules_are_well_formed():
    rules.clear()
    check_rules()


def test_a_malformed_pattern_line(data_copy):
    _replace_line(data_copy / "patterns" / "agencies.jsonl", 3, '{"label": "Agency", "pattern": "人大"')
    with pytest.raises(DataError, match=r"^data/patterns/agencies\.jsonl:3: not valid JSON"):
        check_rules()


def test_a_misspelt_type_label(data_copy):
    _replace_line(data_copy / "patterns" / "mechanisms.jsonl", 2,
                  '{"label": "Mechansim", "pattern": "一网通办", "id": "一网通办"}')
    with pytest.raises(DataError) as err:
        check_rules()
    message = str(err.value)
    assert message.startswith("data/patterns/mechanisms.jsonl:2: label 'Mechansim' is not an entity type")
    assert "Mechanism" in message  # the valid choices are listed


def test_a_pattern_without_its_id(data_copy):
    _replace_line(data_copy / "patterns" / "activities.jsonl", 1, '{"label": "Activity", "pattern": "庭审观摩"}')
    with pytest.raises(DataError, match=r"^data/patterns/activities\.jsonl:1: missing key 'id'$"):
        check_rules()


def _edit_json(path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _line_holding(path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_lexicon_without_a_required_key(data_copy):
    path = data_copy / "lexicon" / "quantities.json"
    _edit_json(path, lambda d: d.pop("change_up"))
    with pytest.raises(DataError, match=r"^data/lexicon/quantities\.json: missing key 'change_up'$"):
        check_rules()


def test_a_lexicon_value_of_the_wrong_type(data_copy):
    path = data_copy / "lexicon" / "units.json"
    _edit_json(path, lambda d: d.__setitem__("count", "件"))
    with pytest.raises(DataError) as err:
        check_rules()
    line = _line_holding(path, '"count"')
    assert str(err.value) == f"data/lexicon/units.json:{line}: count should be a list of strings"


def test_a_bad_regex_names_its_entry_and_line(data_copy):
    path = data_copy / "lexicon" / "not_metrics.json"
    _edit_json(path, lambda d: d["patterns"][2].__setitem__("regex", "(?:19|20"))
    with pytest.raises(DataError) as err:
        check_rules()
    message = str(err.value)
    line = _line_holding(path, '"(?:19|20"')
    assert message.startswith(f"data/lexicon/not_metrics.json:{line}: "
                              "patterns[2].regex is not a valid regular expression (missing ), unterminated")


def test_a_misspelt_lexicon_key(data_copy):
    path = data_copy / "lexicon" / "entity-triggers.json"
    _edit_json(path, lambda d: d.__setitem__("organises", d.pop("organizes")))
    with pytest.raises(DataError, match=r"missing key 'organizes'"):
        check_rules()


def test_a_bad_dictionary_line(data_copy):
    path = data_copy / "lexicon" / "domain_dict.txt"
    _replace_line(path, 2, "依法行政 many n")
    with pytest.raises(DataError, match=r"^data/lexicon/domain_dict\.txt:2: expected 'word \[frequency\] \[tag\]'"):
        check_rules()


def test_kg_build_names_the_data_file_not_the_report(data_copy, tmp_path):
    _replace_line(data_copy / "patterns" / "agencies.jsonl", 1,
                  '{"label": "Agncy", "pattern": "人大常委会", "id": "人大常委会"}')
    result = CliRunner().invoke(main, ["build", str(bundled_report()), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert any("data/patterns/agencies.jsonl:1: label 'Agncy' is not an entity type" in line for line in lines)
    assert "internal error" not in result.output and "please report" not in result.output
    assert "Traceback" not in result.output


def test_kg_extract_stops_on_a_bad_data_file(data_copy):
    _replace_line(data_copy / "patterns" / "agencies.jsonl", 1, "not json at all")
    result = CliRunner().invoke(main, ["extract", str(bundled_report())])
    assert result.exit_code == 2
    assert "data/patterns/agencies.jsonl:1: not valid JSON" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_year_marker_without_its_group(data_copy):
    path = data_copy / "lexicon" / "sections.json"
    _edit_json(path, lambda d: d["discourse"].__setitem__("plans_year", "(?:19|20)\\d{2}年"))
    with pytest.raises(DataError, match=r"^data/lexicon/sections\.json:\d+: discourse\.plans_year needs a group named"):
        check_rules()
