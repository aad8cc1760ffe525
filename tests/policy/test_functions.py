"""Path functions: one table serves JMESPath's interpreter and the native compiler, and every
call is checked (name, argument count, literal types) when a path compiles."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jmespath
import pytest

from checker.errors import PolicyError
from checker.policy.functions import FUNCTIONS, OPTIONS, PATH_FUNCTIONS
from checker.policy.loader import load_policies
from checker.policy.paths import PathError, compile_path
from tests.helpers import run_cli

VALUES: list[Any] = [
    "us-east-1_AbC",
    "no-separator",
    "",
    "HTTPS://IDP.Example.com:443/x",
    "not a url",
    None,
    12,
    True,
    ["a_b"],
    {"a": "b"},
    datetime(2026, 1, 1, tzinfo=timezone.utc),
]
CALLS = [
    "split(X, '_')",
    "split(X, '_')[0]",
    "split(X, '')",
    "lower(X)",
    "url_host(X)",
    "lower(split(X, '_')[1])",
    "split(X, '_')[0] || 'none'",
]


def test_the_table_is_what_jmespath_knows() -> None:
    for name in PATH_FUNCTIONS:
        assert name in FUNCTIONS.FUNCTION_TABLE
    assert OPTIONS.custom_functions is FUNCTIONS


@pytest.mark.parametrize("text", CALLS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_native_compiler_and_the_interpreter_agree(text: str, value: Any) -> None:
    """Same table, same argument type checks: the compiled closure answers as JMESPath does
    (a call with a wrong argument type makes the whole path yield nothing in both)."""
    doc = {"X": value}
    try:
        interpreted = jmespath.search(text, doc, options=OPTIONS)
    except jmespath.exceptions.JMESPathError:
        interpreted = None
    assert compile_path(text).get(doc) == interpreted


def test_split_is_implemented_once() -> None:
    split = PATH_FUNCTIONS["split"].implementation
    assert split("eu-west-1_x", "_") == ["eu-west-1", "x"]
    assert split(None, "_") is None
    assert split("a", "") is None  # Python's str.split would raise
    assert compile_path("split(X, '_')").get({"X": "a_b"}) == ["a", "b"]
    assert compile_path("[split(X, '_')][0]").get({"X": "a_b"}) == ["a", "b"]  # interpreted


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("split(WorkforceName)", "split takes 2 arguments, got 1", None),
        ("split(a, '_', 'x')", "split takes 2 arguments, got 3", None),
        ("lower()", "lower takes 1 argument, got 0", None),
        ("splt(a, '_')", "unknown function 'splt'", "did you mean 'split'?"),
        ("length(a, b)", "length takes 1 argument, got 2", None),
        ("merge()", "merge takes at least 1 argument, got 0", None),
        ("split(a, `5`)", "split argument 2 must be a string, got a number", None),
        ("starts_with(a, `true`)", "starts_with argument 2 must be a string, got a boolean", None),
        ("sort_by(a, b)", "sort_by argument 2 must be an &expression", None),
        ("length(&a)", "length argument 1 must be a string or an array or an object", None),
        ("a[?lower(b, c) == 'x']", "lower takes 1 argument, got 2", None),
    ],
)
def test_bad_calls_are_refused_when_the_path_compiles(
    text: str, message: str, hint: str | None
) -> None:
    with pytest.raises(PathError) as info:
        compile_path(text)
    assert message in str(info.value)
    assert info.value.hint == hint


@pytest.mark.parametrize(
    "text",
    ["split(a, '_')[0]", "lower(a)", "url_host(a)", "sort_by(a, &b)", "not_null(a, b, c)"],
)
def test_good_calls_compile(text: str) -> None:
    compile_path(text)


def test_a_syntax_error_is_one_line() -> None:
    with pytest.raises(PathError) as info:
        compile_path("[0][split(a)]")
    assert str(info.value) == (
        "invalid JMESPath '[0][split(a)]': Expecting: star, got: unquoted_identifier: Parse "
        'error at column 4, token "split" (UNQUOTED_IDENTIFIER)'
    )


POLICY = """\
version: 1
rules:
  - id: T1
    title: t
    severity: low
    assert:
      path: split(WorkforceName)
      op: equals
      value: x
"""


def test_a_wrong_argument_count_is_a_policy_error_at_its_line(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY)
    with pytest.raises(PolicyError) as info:
        load_policies([str(policy)])
    assert str(info.value) == (
        f"{policy}:7:13: rule T1: path 'split(WorkforceName)': split takes 2 arguments, got 1"
    )


def test_validate_reports_the_wrong_argument_count(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY)
    result = run_cli("validate", str(policy))
    assert result.code == 2
    assert result.err == (
        f"wfcheck: error: {policy}:7:13: rule T1: path 'split(WorkforceName)': split takes 2 "
        "arguments, got 1\n"
    )


def test_an_unknown_function_in_a_message_is_found_at_load(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        POLICY.replace("split(WorkforceName)", "WorkforceName")
        + "      message: 'name {lowr(WorkforceName)}'\n"
    )
    with pytest.raises(PolicyError) as info:
        load_policies([str(policy)])
    assert info.value.line == 10
    assert "unknown function 'lowr'" in str(info.value)
    assert "did you mean 'lower'?" in str(info.value)
