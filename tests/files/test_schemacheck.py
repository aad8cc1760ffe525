"""JSON Schema checks load jsonschema without its optional format checkers, which cost a
second of start-up where they are installed, and which none of wfcheck's schemas needs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from checker.files.schemacheck import FORMAT_CHECK_MODULES
from tests.conftest import EXAMPLES, ROOT

SCHEMAS = [
    *sorted((ROOT / "checker" / "schemas").glob("*.json")),
    ROOT / "checker" / "policy" / "schema.json",
]


def keywords(schema: Any) -> Iterator[tuple[str, Any]]:
    """Every (keyword, value) of a schema, in subschemas too (property names are not keywords)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "patternProperties", "$defs", "definitions"):
                for subschema in value.values():
                    yield from keywords(subschema)
            else:
                yield key, value
                yield from keywords(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from keywords(item)


def test_no_schema_uses_format() -> None:
    assert len(SCHEMAS) > 3
    for path in SCHEMAS:
        used = [value for key, value in keywords(json.loads(path.read_text())) if key == "format"]
        assert not used, f"{path.name} uses format {used}: import its checker in validator_for"


def test_a_scan_imports_no_format_checker() -> None:
    installed = [name for name in FORMAT_CHECK_MODULES if importlib.util.find_spec(name)]
    assert installed, "the test extra installs jsonschema's format extras: this test needs them"
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        f"code = main(['scan', {str(EXAMPLES / 'workforces.json')!r}, '-f', 'json', '-o', "
        "'/dev/null', '--quiet'])\n"
        "assert code == 1, code\n"
        "assert 'jsonschema' in sys.modules\n"
        f"loaded = sorted(set({FORMAT_CHECK_MODULES!r}) & set(sys.modules))\n"
        "print(','.join(loaded))\n"
        f"import {installed[0]}  # still importable afterwards: nothing stays blocked\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"format checkers imported: {done.stdout}"


def test_schemas_still_reject_bad_documents(tmp_path: Any) -> None:
    from tests.helpers import run_cli

    bad = tmp_path / "waivers.yaml"
    bad.write_text("waivers:\n  - rule: WF010\n    reasn: typo\n", encoding="utf-8")
    result = run_cli("validate", str(bad))
    assert result.code == 2
    assert f"{bad}:3:" in result.err
