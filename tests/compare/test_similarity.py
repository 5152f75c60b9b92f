"""The features items are compared by: the entities named inside each item, found by position."""
from __future__ import annotations

from kg.compare.similarity import _ENTITY_TYPES, _entity_key, item_features

from tests.fixtures.comparisons import corpus


def test_an_item_holds_the_entities_mentioned_within_it():
    """Against the plain definition: every mention of every entity looked at for every item."""
    named = 0
    for extraction, kind in ((x, kind) for x in corpus.extractions() for kind in ("measures", "problems", "plans")):
        features = item_features(extraction)
        for item in extraction[kind]:
            within = {_entity_key(e): e["label"] for e in extraction["entities"] if e["type"] in _ENTITY_TYPES
                      for m in sorted(e["mentions"], key=lambda m: (m["start"], m["end"]))
                      if item["start"] <= m["start"] and m["end"] <= item["end"]}
            assert features[item["id"]].entities == within, item["id"]
            named += bool(within)
    assert named >= 10
