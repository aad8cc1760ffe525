"""Message templates: paths filled from the record (quoted and escaped), vars at load, braces."""

from __future__ import annotations

from typing import Any

import pytest

from checker.policy.display import EXPECTED, join_reasons
from checker.policy.messages import compile_message
from checker.policy.paths import PathError

VARS = {"limit": 24, "hosts": ["a.example"], "name": "x"}


def var_value(name: str) -> Any:
    if name not in VARS:
        raise ValueError(f"var {name!r} is not defined")
    return VARS[name]


def render(text: str, doc: dict[str, Any]) -> str:
    return join_reasons([compile_message(text, var_value).render(doc)])


@pytest.mark.parametrize(
    ("text", "doc", "rendered"),
    [
        ("status is {Status}", {"Status": "Failed"}, 'status is "Failed"'),
        ("{A.B} and {A.C}", {"A": {"B": 1, "C": [2]}}, "1 and [2]"),
        ("pool in {split(P, '_')[0]}", {"P": "us-east-1_x"}, 'pool in "us-east-1"'),
        ("host {url_host(U)}", {"U": "https://IDP.example.com/x"}, 'host "idp.example.com"'),
        ("region {_region}", {}, "region absent"),
        ("within ${var.limit} hours", {}, "within 24 hours"),
        ("hosts ${var.hosts}, name ${var.name?}", {}, 'hosts ["a.example"], name "x"'),
        ("braces {{like this}} stay", {}, "braces {like this} stay"),
        ("a map {{{A}}}", {"A": "v"}, 'a map {"v"}'),
        ("count {length([A, B][?@ != `null`])}", {"A": 1}, "count 1"),
        ("hash {{'k': A}}", {"A": 1}, "hash {'k': A}"),
        ("multiselect { {k: A}.k}", {"A": 1}, "multiselect 1"),  # "{{" is a brace
        ("found {A}; expected {B}", {"A": 1, "B": 2}, "found 1; expected 2"),
    ],
)
def test_templates(text: str, doc: dict[str, Any], rendered: str) -> None:
    assert render(text, doc) == rendered


@pytest.mark.parametrize(
    "hostile",
    [
        "a\x1b[31mred",
        'quote " inside',
        "line\n::error::spoofed",
        "unit\x1fseparator",
        "x" * 500,
    ],
)
def test_record_values_are_quoted_and_escaped(hostile: str) -> None:
    message = compile_message("name {N}", var_value).render({"N": hostile})
    shown = message.removeprefix("name ")
    assert shown.startswith('"')
    for raw in ("\x1b", "\n", "\x1f"):
        assert raw not in shown
    assert len(shown) <= 200


def test_a_record_value_cannot_forge_an_expectation() -> None:
    """The separator of "found; expected" is a control character show() always escapes."""
    first = compile_message("{A}", var_value).render({"A": f"x{EXPECTED}y"})
    assert EXPECTED not in first


def test_the_fields_a_template_reads() -> None:
    message = compile_message("{A.B} {split(C.D, '_')[0]} {{E}} ${var.limit}", var_value)
    assert {"A.B", "C.D"} <= message.fields
    assert not any(field.startswith("E") for field in message.fields)


@pytest.mark.parametrize(
    ("text", "error", "fragment"),
    [
        ("unclosed {A", ValueError, "unclosed '{' at character 10"),
        ("lone } brace", ValueError, "single '}' at character 6"),
        ("empty {} placeholder", ValueError, "empty placeholder"),
        ("bad {A[}", PathError, "invalid JMESPath"),
        ("bad {split(A)}", PathError, "split takes 2 arguments, got 1"),
        ("unclosed ${var.limit", ValueError, "unclosed ${var."),
        ("unknown ${var.nope}", ValueError, "var 'nope' is not defined"),
    ],
)
def test_template_mistakes(text: str, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error) as info:
        compile_message(text, var_value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("reasons", "message"),
    [
        (["a", "a", "b"], "a; b"),
        ([f"a{EXPECTED}1", f"b{EXPECTED}1", f"c{EXPECTED}2"], "a; b; expected 1; c; expected 2"),
        (["plain", f"a{EXPECTED}1"], "plain; a; expected 1"),
        ([], ""),
    ],
)
def test_join_reasons_says_each_thing_once(reasons: list[str], message: str) -> None:
    assert join_reasons(reasons) == message
