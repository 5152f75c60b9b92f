"""The README is tested against the code: its commands are the ones CI runs and the CLI has."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", text, re.S)


def test_readme_opens_with_the_two_commands():
    head = README.split("---", 1)[0]
    build, tests = _code_blocks(head)[:2]
    assert "pip install ." in build and build.rstrip().endswith("kg build")
    assert "'.[test]'" in tests and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _code_blocks(README)[1].strip()
    assert test_command in ci.splitlines()


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"`kg {command}" in README
