"""``kg evaluate``: scores per category, agreeing with the shared referee on metrics."""
from __future__ import annotations

import importlib.util
import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.evaluate import evaluate, format_scores, score_metrics
from kg.extraction.metrics import extract_metrics
from kg.resources import bundled_gold, bundled_report

from tests.conftest import FIXTURES
REFEREE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score.py"


@pytest.fixture(scope="module")
def referee():
    """../shared/tools/score.py, loaded by path: it sits beside the clone in CI, never imported at run time."""
    if not REFEREE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the shared referee {REFEREE} is not beside this clone")
        pytest.skip(f"the shared referee {REFEREE} is not beside this clone")
    spec = importlib.util.spec_from_file_location("shared_score", REFEREE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _perturbed(predicted: list[dict], seed: int) -> list[dict]:
    """Predictions with the mistakes a scorer must count: drops, wrong values, shifted spans, duplicates."""
    rng = random.Random(seed)
    out = []
    for p in predicted:
        roll = rng.random()
        if roll < 0.1:
            continue
        p = dict(p)
        if roll < 0.2:
            p["value"] = float(p["value"]) + 1
        elif roll < 0.3:
            p["start"], p["end"] = p["start"] + 40, p["end"] + 40
        elif roll < 0.35:
            p["approx"] = not p.get("approx")
        elif roll < 0.4:
            p["subject"] = ""
        elif roll < 0.45:
            out.append(dict(p, subject="duplicate"))
        elif roll < 0.5:
            p["unit"] = "万" + p["unit"]
            p["value"] = float(p["value"]) / 10000
        out.append(p)
    return out


def _cases():
    gold = json.loads(bundled_gold().read_text(encoding="utf-8"))
    text = bundled_report().read_text(encoding="utf-8")
    yield "bundled", text, gold
    for name in ("metrics-county", "metrics-bureau"):
        yield (name, (FIXTURES / f"{name}.txt").read_text(encoding="utf-8"),
               json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("seed", range(6))
def test_metric_scores_agree_with_the_referee(referee, seed):
    for _, text, gold in _cases():
        metrics, _ = extract_metrics(text, [])
        predicted = [{"start": m.span.start, "end": m.span.end, "text": m.span.text, "value": m.value,
                      "unit": m.unit, "approx": m.approx, "subject": m.subject} for m in metrics]
        if seed:
            predicted = _perturbed(predicted, seed)
        optional = gold.get("optional_metrics", [])
        theirs = referee.score_metrics(predicted, gold["metrics"], optional)
        ours = score_metrics(predicted, gold["metrics"], optional)
        assert (ours["tp"], ours["fp"], ours["fn"]) == (theirs["tp"], len(theirs["fp"]), len(theirs["fn"]))
        assert round(ours["approx_accuracy"] * ours["tp"]) == theirs["approx_ok"]
        assert ours["subject_f1"] == pytest.approx(theirs["subject_f1"])


def test_report_and_its_json_score_alike(tmp_path):
    from kg.pipeline import extract

    contract = extract(bundled_report()).to_contract()
    saved = tmp_path / "x.json"
    saved.write_text(json.dumps(contract, ensure_ascii=False), encoding="utf-8")
    from_report = evaluate(bundled_report(), bundled_gold())
    from_json = evaluate(saved, bundled_gold())
    assert from_report == from_json
    assert set(from_json) == {"metrics", "entities", "problems", "plans"}
    assert from_json["metrics"]["precision"] >= 0.98 and from_json["metrics"]["recall"] >= 0.98


def _gold(tmp_path, **keys) -> Path:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"metrics": [], **keys}, ensure_ascii=False), encoding="utf-8")
    return path


def _prediction(tmp_path, **keys) -> Path:
    path = tmp_path / "pred.json"
    path.write_text(json.dumps({"metrics": [], **keys}, ensure_ascii=False), encoding="utf-8")
    return path


def test_entities_scored_by_type_and_containment(tmp_path):
    gold = _gold(tmp_path, agencies=["司法局", "县法院"], places=["青禾县"])
    prediction = _prediction(tmp_path, entities=[
        {"type": "Agency", "label": "县司法局"},  # contains a gold label: counts
        {"type": "Agency", "label": "法院"},  # shorter than the gold label: does not
        {"type": "Place", "label": "司法局"},  # right label, wrong type: does not
    ])
    scores = evaluate(prediction, gold)["entities"]
    agency, place = scores["by_type"]["Agency"], scores["by_type"]["Place"]
    assert (agency["precision"], agency["recall"]) == (0.5, 0.5)
    assert agency["missing"] == ["县法院"]
    assert (place["precision"], place["recall"]) == (0.0, 0.0)
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == pytest.approx(1 / 3)


def test_problems_and_plans_by_contained_text(tmp_path):
    gold = _gold(tmp_path, problems=[{"text": "执法力量不足", "area": 0}, {"text": "宣传形式单一", "area": 0}],
                 plans=["加强培训"])
    prediction = _prediction(tmp_path,
                             problems=[{"text": "一是执法力量不足,宣传形式单一"}, {"text": "队伍老化"}],
                             plans=[{"text": "加强培训,提升能力"}])
    scores = evaluate(prediction, gold)
    # one predicted item answers one gold problem only
    assert (scores["problems"]["tp"], scores["problems"]["fp"], scores["problems"]["fn"]) == (1, 1, 1)
    assert scores["problems"]["missing"] == ["宣传形式单一"]
    assert scores["plans"]["f1"] == 1.0


def test_format_scores_names_every_category_and_the_misses(tmp_path):
    gold = _gold(tmp_path, metrics=[{"text": "62件", "start": 10, "end": 13, "value": 62, "unit": "件",
                                     "approx": False, "subject": "案件"}])
    text = format_scores(evaluate(_prediction(tmp_path), gold))
    for word in ("metrics", "entities", "Agency", "problems", "plans", "missing metric: 62件 = 62 件"):
        assert word in text


@pytest.mark.parametrize("content,message", [
    (None, "gold file not found"),
    ("{not json", "not valid UTF-8 JSON"),
    ("[1, 2]", "must be a JSON object"),
])
def test_bad_gold_is_one_clear_error(tmp_path, content, message):
    gold = tmp_path / "gold.json"
    if content is not None:
        gold.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        evaluate(_prediction(tmp_path), gold)
    assert str(gold) in str(err.value)


def test_prediction_json_without_metrics_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"entities": []}', encoding="utf-8")
    with pytest.raises(InputError, match="no 'metrics' list"):
        evaluate(bad, _gold(tmp_path))


def _without_offsets(gold: dict) -> dict:
    strip = lambda items: [{k: v for k, v in item.items() if k not in ("start", "end")} for item in items]
    return dict(gold, metrics=strip(gold["metrics"]), optional_metrics=strip(gold["optional_metrics"]))


def test_gold_without_offsets_scores_the_extraction_json_like_the_report(tmp_path):
    """Gold metrics given only by their text are found in the text the JSON of `kg extract` quotes."""
    from kg.pipeline import extract

    saved = tmp_path / "x.json"
    saved.write_text(json.dumps(extract(bundled_report()).to_contract(), ensure_ascii=False), encoding="utf-8")
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(_without_offsets(json.loads(bundled_gold().read_text(encoding="utf-8"))),
                               ensure_ascii=False), encoding="utf-8")
    from_json, from_report = evaluate(saved, gold), evaluate(bundled_report(), gold)
    assert from_json == from_report
    assert from_json["metrics"]["tp"] == 55 and from_json["metrics"]["fn"] == 0
    result = CliRunner().invoke(main, ["evaluate", str(saved), str(gold)])
    assert result.exit_code == 0 and result.output.startswith("category"), result.output


def test_a_gold_metric_outside_what_the_json_quotes_is_missed(tmp_path):
    gold = _gold(tmp_path, metrics=[{"text": "62件", "value": 62, "unit": "件"}])
    prediction = _prediction(tmp_path, metrics=[{"start": 0, "end": 3, "text": "12次", "value": 12, "unit": "次"}])
    scores = evaluate(prediction, gold)["metrics"]
    assert (scores["tp"], scores["fp"], scores["fn"]) == (0, 1, 1)


def test_cli_prints_the_table_and_fails_cleanly(tmp_path):
    runner = CliRunner()
    gold = _gold(tmp_path)
    ok = runner.invoke(main, ["evaluate", str(_prediction(tmp_path)), str(gold)])
    assert ok.exit_code == 0 and ok.output.startswith("category")
    as_json = runner.invoke(main, ["evaluate", "--json", str(_prediction(tmp_path)), str(gold)])
    assert json.loads(as_json.output)["metrics"]["tp"] == 0
    missing = runner.invoke(main, ["evaluate", str(_prediction(tmp_path)), str(tmp_path / "nope.json")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    assert "nope.json" in missing.output and len(missing.output.strip().splitlines()) == 1


@pytest.mark.parametrize("gold", [{"agencies": 3}, {"metrics": [{"text": "x"}]}, {"plans": [1, 2]}])
def test_gold_of_the_wrong_shape_is_one_clear_error(tmp_path, gold):
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(InputError, match="gold"):
        evaluate(bundled_report(), path)
