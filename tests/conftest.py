"""Shared fixtures. Synthetic reports live in tests/fixtures/, written for these tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import settings

from kg.resources import bundled_gold, bundled_report

# No example database: a failure found once must not replay on every later run from a
# file nobody sees; print_blob prints what reproduces it instead.
settings.register_profile("kg", database=None, print_blob=True)
settings.load_profile("kg")

FIXTURES = Path(__file__).parent / "fixtures"  # synthetic reports, in our own words
GOLDEN_DIR = Path(__file__).parent / "golden"  # reviewed expected outputs


@pytest.fixture(scope="session")
def bundled_text() -> str:
    return bundled_report().read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads(bundled_gold().read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def bundled_extraction():
    from kg.pipeline import extract

    return extract(bundled_report())


@pytest.fixture(scope="session")
def built_out(tmp_path_factory) -> Path:
    """One full `kg build` of the bundled report, shared by the tests that read its outputs."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("out")
    result = build(None, out)
    assert result.ok, result.failed
    return out
