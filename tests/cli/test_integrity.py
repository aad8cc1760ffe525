"""Gate integrity (issue 9): the files a run reads cannot switch it off, fail it open, overwrite
the evidence, or write lines a terminal or a CI runner would take for its own."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, NOW
from tests.helpers import flat_results, run_cli

WORKFORCES = str(EXAMPLES / "workforces.json")
FAILING = {"WorkforceName": "open", "Status": "Active", "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]}}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout being scanned, as the working directory, with one failing workforce."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wf.json").write_text(json.dumps([FAILING]))
    return tmp_path


# --- a discovered config file -------------------------------------------------------------------


def test_a_config_that_weakens_the_gate_is_announced(repo: Path) -> None:
    write(repo / ".wfcheck.yaml", "soft_fail: true\ndisable: ['*']\n")
    result = run_cli("scan", "wf.json")
    assert result.code == 0  # the file may do that, but never silently:
    assert result.err.splitlines()[0] == (
        "wfcheck: using config .wfcheck.yaml (discovered); it sets: soft_fail, skip_rules"
    )
    report = json.loads(run_cli("scan", "wf.json", "--format", "json").out)
    assert report["configuration"]["file"] == ".wfcheck.yaml"
    assert report["configuration"]["found"] == "discovered"
    assert report["configuration"]["options"]["soft_fail"] == {
        "value": True,
        "origin": ".wfcheck.yaml:1",
    }
    sarif = json.loads(run_cli("scan", "wf.json", "--format", "sarif").out)
    recorded = sarif["runs"][0]["properties"]["configuration"]
    assert recorded["options"]["skip_rules"]["origin"] == ".wfcheck.yaml:2"
    html = run_cli("scan", "wf.json", "--format", "html").out
    assert "config file <code>.wfcheck.yaml</code> (discovered)" in html
    quiet = run_cli("scan", "wf.json", "--quiet")
    assert quiet.err.startswith("wfcheck: using config .wfcheck.yaml")  # --quiet keeps it


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("endpoint_url: http://collector.example.com\n", "endpoint_url"),
        ("sts_endpoint_url: http://collector.example.com\n", "sts_endpoint_url"),
        ("securityhub_endpoint_url: http://collector.example.com\n", "securityhub_endpoint_url"),
        ("securityhub_import: true\n", "securityhub_import"),
        ("output: ../../outside.json\n", "output"),
        ("reports: [html=/tmp/elsewhere.html]\n", "reports"),
        ("write_baseline: ../baseline.json\n", "write_baseline"),
        ("role_arn: arn:aws:iam::123456789012:role/theirs\n", "role_arn"),
        ("profile: theirs\n", "profile"),
        ("inputs: [clean.json]\n", "inputs"),
        ("commands:\n  fetch:\n    output: ../../x.json\n", "output"),
    ],
)
def test_a_discovered_config_may_not_redirect_data_or_write_files(
    repo: Path, text: str, key: str
) -> None:
    write(repo / ".wfcheck.yaml", text)
    result = run_cli("scan", "wf.json")
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(
        f"wfcheck: error: .wfcheck.yaml:{text.count(chr(10))}:"
        if "commands" in text
        else "wfcheck: error: .wfcheck.yaml:1:1:"
    )
    assert f"{key!r} cannot be set by a discovered config file" in result.err
    assert "--config .wfcheck.yaml" in result.err  # the way to trust it
    assert len(result.err.splitlines()) == 1


def test_a_named_config_is_trusted(repo: Path) -> None:
    write(repo / "ci" / "wfcheck.yaml", "output: ../out/report.json\nformat: json\n")
    (repo / "out").mkdir()
    result = run_cli("scan", "wf.json", "--config", "ci/wfcheck.yaml")
    assert result.code == 1
    assert json.loads((repo / "out" / "report.json").read_text())["summary"]["fail"] > 0
    assert "(--config); it sets: output, format" in result.err


def test_the_command_line_re_enables_a_rule_the_file_disables(repo: Path) -> None:
    write(repo / ".wfcheck.yaml", "disable: ['*']\n")
    assert run_cli("scan", "wf.json").code == 0
    result = run_cli("scan", "wf.json", "--rule", "WF011", "--format", "json")
    assert result.code == 1
    assert [r["rule_id"] for r in json.loads(result.out)["results"]] == ["WF011"]


def test_no_config_and_its_environment_variable(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / ".wfcheck.yaml", "soft_fail: true\n")
    assert run_cli("scan", "wf.json").code == 0
    assert run_cli("scan", "wf.json", "--no-config").code == 1
    monkeypatch.setenv("WFCHECK_NO_CONFIG", "1")
    result = run_cli("scan", "wf.json")
    assert result.code == 1
    assert "using config" not in result.err


# --- outputs never overwrite inputs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "label", "victim"),
    [
        (["--output", "wf.json"], "--output", "--input wf.json"),
        (["--output", "./sub/../wf.json"], "--output", "--input wf.json"),
        (["--report", "sarif=wf.json"], "--report sarif", "--input wf.json"),
        (["--write-baseline", "wf.json"], "--write-baseline", "--input wf.json"),
        (["--output", "policy.yaml", "--policy", "policy.yaml"], "--output", "--policy"),
        (["--output", "link.json"], "--output", "--input wf.json"),
        (["--output", "policies/p.yaml", "--policy", "policies"], "--output", "--policy"),
        (["--output", "vars.yaml", "--var-file", "vars.yaml"], "--output", "--var-file"),
        (["--output", "w.yaml", "--waivers", "w.yaml"], "--output", "--waivers"),
    ],
)
def test_no_output_may_overwrite_an_input(
    repo: Path, argv: list[str], label: str, victim: str
) -> None:
    (repo / "sub").mkdir()
    (repo / "link.json").symlink_to(repo / "wf.json")
    (repo / "policies").mkdir()
    shutil_copy = (EXAMPLES / "policies" / "tagging.yaml").read_text()
    for name in ("policy.yaml", "policies/p.yaml"):
        (repo / name).write_text(shutil_copy)
    (repo / "vars.yaml").write_text("{}\n")
    write(
        repo / "w.yaml",
        "waivers:\n  - {rule: WF011, name: open, reason: r, owner: o, expires: 2026-12-31}\n",
    )
    before = (repo / "wf.json").read_bytes()
    result = run_cli("scan", "-i", "wf.json", "--now", NOW, *argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"wfcheck: error: {label} ")
    assert f"would overwrite {victim}" in result.err
    assert (repo / "wf.json").read_bytes() == before


def test_the_step_summary_may_not_be_an_input(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(repo / "wf.json"))
    result = run_cli("scan", "wf.json", "--format", "github")
    assert result.code == 2
    assert "$GITHUB_STEP_SUMMARY" in result.err and "would overwrite --input" in result.err


def test_diff_output_may_not_be_one_of_its_sides(repo: Path) -> None:
    (repo / "new.json").write_text(json.dumps([FAILING]))
    result = run_cli("diff", "wf.json", "new.json", "--output", "new.json")
    assert result.code == 2
    assert "would overwrite NEW new.json" in result.err


def test_output_folders_are_checked_or_created_up_front(repo: Path) -> None:
    missing = run_cli("scan", "wf.json", "--report", "json=out/r.json")
    assert missing.code == 2
    assert "folder out does not exist" in missing.err
    created = run_cli("scan", "wf.json", "--report", "json=out/r.json", "--create-output-dirs")
    assert created.code == 1
    assert json.loads((repo / "out" / "r.json").read_text())["summary"]["fail"] > 0


# --- waivers are not a blank cheque ------------------------------------------------------------


def waivers(repo: Path, rule: str, selector: str, expires: str) -> str:
    write(
        repo / "waivers.yaml",
        f"waivers:\n  - rule: '{rule}'\n    {selector}\n    reason: r\n    owner: o\n"
        f"    expires: {expires}\n",
    )
    return "waivers.yaml"


def test_a_blanket_waiver_is_refused_unless_allowed(repo: Path) -> None:
    path = waivers(repo, "*", "name: '*'", "2026-12-31")
    result = run_cli("scan", "wf.json", "--waivers", path, "--now", NOW)
    assert result.code == 2
    assert result.err.startswith("wfcheck: error: waivers.yaml:2:5: waivers[0]: rule '*' on name")
    assert "--allow-broad-waivers" in result.err
    allowed = run_cli("scan", "wf.json", "--waivers", path, "--now", NOW, "--allow-broad-waivers")
    assert allowed.code == 0
    account = waivers(repo, "**", "account: '*'\n    region: '*'", "2026-12-31")
    assert run_cli("scan", "wf.json", "--waivers", account, "--now", NOW).code == 2
    narrow = waivers(repo, "WF01*", "name: '*'", "2026-12-31")
    assert run_cli("scan", "wf.json", "--waivers", narrow, "--now", NOW).code in (0, 1)


def test_waivers_longer_than_a_year_are_refused_by_default(repo: Path) -> None:
    path = waivers(repo, "WF011", "name: open", "9000-12-31")
    result = run_cli("scan", "wf.json", "--waivers", path, "--now", NOW)
    assert result.code == 2
    assert "expires 9000-12-31, more than 365 day(s)" in result.err
    far = waivers(repo, "WF011", "name: open", "9999-12-31")
    raised = run_cli(
        "scan", "wf.json", "--waivers", far, "--now", NOW, "--max-waiver-days", "3000000",
        "--rule", "WF011", "--format", "json",
    )  # fmt: skip
    assert raised.code == 0, raised.err  # no OverflowError: 9999-12-31 is a valid date
    assert json.loads(raised.out)["results"][0]["status"] == "waived"


def test_each_waiver_says_how_many_results_it_muted(repo: Path) -> None:
    path = waivers(repo, "WF01*", "name: open", "2026-12-31")
    report = json.loads(
        run_cli("scan", "wf.json", "--waivers", path, "--now", NOW, "--format", "json").out
    )
    waived = sum(1 for r in flat_results(report) if r["status"] == "waived")
    assert waived >= 2
    assert (
        f"waiver waivers.yaml:2 (WF01* on name open) muted {waived} result(s)" in (report["notes"])
    )


# --- text from data never reaches stderr raw ---------------------------------------------------

HOSTILE = "x\x1b[2J\x07\n::error file=a.py::spoofed\r\n::stop-commands::t\u202e"


def test_snapshot_errors_and_file_names_are_one_safe_line(repo: Path) -> None:
    snapshot = {
        "schema_version": 1,
        "records": [{"account": "1", "region": "r", "workforce": FAILING}],
        "errors": [{"account": "1", "region": "r", "code": HOSTILE, "message": HOSTILE}],
    }
    (repo / "snap.json").write_text(json.dumps(snapshot))
    result = run_cli("scan", "snap.json")
    assert result.code == 3
    for line in result.err.splitlines():
        assert line.startswith("wfcheck: "), line
        assert not any(ch in line for ch in "\x1b\x07\r\u202e")
    bad_name = repo / f"bad{HOSTILE.replace(chr(47), '')}.json"
    bad_name.write_text("{")
    broken = run_cli("scan", str(bad_name.name))
    assert broken.code == 2
    assert len(broken.err.splitlines()) == 1
    assert "\x1b" not in broken.err and "\n::" not in broken.err


def test_a_duplicate_json_key_is_exit_2_at_its_line(repo: Path) -> None:
    (repo / "dup.json").write_text(
        '[{"WorkforceName": "a",\n  "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"],\n'
        '                     "Cidrs": ["10.0.0.0/8"]}}]'
    )
    result = run_cli("scan", "dup.json")
    assert result.code == 2
    assert result.err == (
        'wfcheck: error: dup.json:3:22: invalid JSON: duplicate key "Cidrs": only one value '
        "per key is allowed\n"
    )


def test_waiver_fields_and_terraform_addresses_reach_stderr_as_safe_lines(repo: Path) -> None:
    write(
        repo / "w.yaml",
        'waivers:\n  - rule: WF011\n    name: "open\\n::error::spoofed\\u001b[2J"\n'
        '    reason: "r\\n::stop-commands::x"\n    owner: o\n    expires: 2026-11-01\n',
    )
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": 'aws_sagemaker_workforce.x["\\n::error::a\\u001b]0;t\\u0007"]',
                "mode": "managed",
                "type": "aws_sagemaker_workforce",
                "name": "x",
                "change": {"actions": ["frobnicate"], "after": {}},
            }
        ],
    }
    (repo / "plan.json").write_text(json.dumps(plan))
    for argv in (
        ["scan", "wf.json", "--waivers", "w.yaml", "--now", NOW],  # expired: warned about
        ["scan", "plan.json"],  # an unknown action: exit 2 naming the address
    ):
        result = run_cli(*argv)
        assert result.err, argv
        for line in result.err.splitlines():
            assert line.startswith("wfcheck: "), (argv, line)
            assert not any(ch in line for ch in "\x1b\x07\r"), (argv, line)
