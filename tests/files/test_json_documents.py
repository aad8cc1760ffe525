"""JSON read with positions: one streaming reader marks every key and value, finds a repeated
key at its own line and column, and counts lines in time linear in the document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.files.json_documents import JsonStream, parse_json
from checker.files.reading import KEY_MARK


def located(text: str) -> tuple[object, dict[tuple[str | int, ...], tuple[int, int]]]:
    with JsonStream("doc.json", limit=1 << 30, text=text) as stream:
        return stream.located()


def test_marks_name_keys_and_values() -> None:
    value, marks = located('{\n "a": [1, {"b": true}],\n "c": null}')
    assert value == {"a": [1, {"b": True}], "c": None}
    assert marks[("a", KEY_MARK)] == (2, 2)
    assert marks[("a",)] == (2, 7)
    assert marks[("a", 1, "b")] == (2, 17)
    assert marks[("c",)] == (3, 7)
    assert marks[()] == (1, 1)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": 1, "a": 2}', "1:10"),
        ('{"x": {"k": 1,\n  "k": 2}}', "2:3"),
        ('[{"a": [{"b": 1, "b": 2}]}]', "1:18"),
    ],
)
def test_a_repeated_key_is_an_error_at_its_position(text: str, where: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_json(text, "doc.json")
    assert f"doc.json:{where}:" in str(raised.value)
    assert "duplicate key" in str(raised.value)
    with (
        JsonStream("doc.json", limit=1 << 20, text=text) as stream,
        pytest.raises(InputError) as again,
    ):
        stream.value()
    assert f"doc.json:{where}:" in str(again.value)


def naive(text: str, offset: int) -> tuple[int, int]:
    breaks = text.count("\n", 0, offset)
    return breaks + 1, offset - text.rfind("\n", 0, offset) if breaks else offset + 1


def test_where_agrees_with_counting_from_the_start_in_any_order() -> None:
    text = json.dumps({f"k{i}": [i, {"v": "x" * (i % 7)}] for i in range(300)}, indent=2)
    offsets = list(range(0, len(text), 37))
    with JsonStream("doc.json", limit=1 << 20, text=text) as stream:
        stream.peek()  # reads the text into the buffer
        for offset in offsets + offsets[::-1] + offsets:
            assert stream.where(offset) == naive(text, offset), offset


def characters_counted(resources: int, tmp_path: Path) -> int:
    """How many characters ``where`` scans to mark a template of ``resources`` resources."""
    text = json.dumps(
        {"Resources": {f"R{i}": {"Type": "T", "Tags": [i]} for i in range(resources)}}, indent=1
    )
    scanned = 0

    class Counting(JsonStream):
        def where(self, offset: int | None = None) -> tuple[int, int]:
            nonlocal scanned
            pos = self._pos if offset is None else offset
            start = self._cursor[0] if pos >= self._cursor[0] else 0
            scanned += pos - start
            return super().where(offset)

    with Counting("doc.json", limit=1 << 30, text=text) as stream:
        stream.located()
    return scanned


def test_marking_a_document_is_linear_in_its_size(tmp_path: Path) -> None:
    small, large = characters_counted(2000, tmp_path), characters_counted(4000, tmp_path)
    assert small > 0
    assert large < 2.2 * small, (small, large)
