"""``wfcheck scan --cloudformation``: exit codes, error lines, golden reports, SARIF locations,
and the OIDC client secret (and NoEcho parameters) in no output at all."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from checker.reports import WRITER_BY_NAME
from tests.conftest import EXAMPLES, NOW, ROOT
from tests.golden_files import GOLDEN_VERSION, assert_golden
from tests.helpers import CliResult, flat_results, run_cli

EXAMPLE = EXAMPLES / "cloudformation"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
CANARY = "CANARY-cfn-secret-Qw73Lp0x"
NEEDLES = (CANARY, "Qw73Lp0x")
WORKFORCE = "Resources:\n  W:\n    Type: AWS::SageMaker::Workforce\n"


def scan(monkeypatch: pytest.MonkeyPatch, *argv: str) -> CliResult:
    """``wfcheck scan`` on the CloudFormation examples from the repository root."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("checker.pipeline.__version__", GOLDEN_VERSION)
    return run_cli(
        "scan",
        "--cloudformation",
        "examples/cloudformation",
        "--var-file",
        "examples/vars.yaml",
        "--now",
        NOW,
        *argv,
    )


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [
        ("json", "cloudformation.json"),
        ("sarif", "cloudformation.sarif"),
        ("table", "cloudformation.table.txt"),
    ],
)
def test_golden_reports(monkeypatch: pytest.MonkeyPatch, fmt: str, golden: str) -> None:
    result = scan(monkeypatch, "--format", fmt, "--show-passed")
    assert result.code == 1, result.err
    # Templates give no related resources (yet): the rules needing them are named once.
    (warning,) = result.err.splitlines()
    assert warning.startswith(
        "wfcheck: warning: 10 rule(s) not evaluated, the input has no related"
    )
    assert_golden(golden, result.out)


def test_the_same_inputs_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    first = scan(monkeypatch, "--format", "sarif").out
    assert scan(monkeypatch, "--format", "sarif").out == first


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def test_sarif_points_at_the_resource_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(monkeypatch, "--format", "sarif")
    sarif = json.loads(result.out)
    errors = list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(sarif))
    assert errors == []
    nested = "cdk.out/LabelingPipelineAnnotators1A2B3C4D.nested.template.json"
    expected = {
        "labeling-stack/PrivateWorkforce": (
            "examples/cloudformation/labeling-stack.yaml",
            line_of(EXAMPLE / "labeling-stack.yaml", "  PrivateWorkforce:"),
            3,
        ),
        "vendor-stack/VendorWorkforce": (
            "examples/cloudformation/vendor-stack.template.json",
            line_of(EXAMPLE / "vendor-stack.template.json", '    "VendorWorkforce": {'),
            5,
        ),
        "LabelingPipeline/AnnotatorsNestedStackAnnotatorsNestedStackResource4A8B2C1D/Workforce": (
            f"examples/cloudformation/{nested}",
            line_of(EXAMPLE / nested, '  "Workforce": {'),
            3,
        ),
    }
    seen = {}
    for item in sarif["runs"][0]["results"]:
        (location,) = item["locations"]
        address = next(
            logical["fullyQualifiedName"]
            for logical in location["logicalLocations"]
            if "/" in logical["name"]
        )
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        if item["properties"]["path"].startswith("Related."):  # at the related resource
            client = line_of(EXAMPLE / "vendor-stack.template.json", '    "VendorClient": {')
            assert (item["ruleId"], physical["region"]["startLine"]) == ("WF054", client)
            continue
        seen[address] = (
            physical["artifactLocation"]["uri"],
            physical["region"]["startLine"],
            physical["region"]["startColumn"],
        )
    assert seen == expected


def test_github_annotations_point_at_the_template_line(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(monkeypatch, "--format", "github")
    line = line_of(EXAMPLE / "labeling-stack.yaml", "  PrivateWorkforce:")
    assert f"file=examples/cloudformation/labeling-stack.yaml,line={line}," in result.out


def test_unknown_values_do_not_fail_unless_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  Net: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n"
        "  W:\n    Type: AWS::SageMaker::Workforce\n    Properties:\n      WorkforceName: w\n"
        "      CognitoConfig: {ClientId: c, UserPool: eu-west-1_A}\n"
        "      SourceIpConfig: {Cidrs: [203.0.113.0/24]}\n"
        "      WorkforceVpcConfig:\n        VpcId: !Ref Net\n        SecurityGroupIds: [sg-1]\n"
        "        Subnets: [subnet-1, subnet-2]\n"
    )
    argv = (
        "scan",
        "--cloudformation",
        str(path),
        "--region",
        "eu-west-1",
        "--now",
        NOW,
        "--format",
        "json",
    )
    passing = run_cli(*argv)
    assert passing.code == 0, passing.out
    statuses = {r["rule_id"]: r["status"] for r in json.loads(passing.out)["results"]}
    assert statuses["WF020"] == "unknown"
    assert run_cli(*argv, "--fail-on-unknown").code == 1


def test_a_nested_stack_at_a_url_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "parent.yaml"
    path.write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties: {TemplateURL: 'https://s3.amazonaws.com/b/child.yaml'}\n"
    )
    result = run_cli("scan", "--cloudformation", str(path), "--now", NOW)
    assert result.code == 3
    assert (
        f"wfcheck: could not collect {path}: NestedStackNotRead: nested stack parent/Child"
        in result.err
    )


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("Resources:\n  W: !Reff x\n", ":2:6:", "invalid YAML: unknown tag '!Reff'"),
        (
            "Resources:\n  W: {Type: AWS::SageMaker::Workforce}\n  W: {}\n",
            ":3:3:",
            "duplicate key 'W'",
        ),
        (
            WORKFORCE + "    Properties:\n      SourceIpConfig: {Cidrs: 0.0.0.0/0}\n",
            ":5:31:",
            "t/W: SourceIpConfig.Cidrs: expected a list of strings, got a string",
        ),
        (
            WORKFORCE + "    Properties: {WorkforceName: !Ref Nope}\n",
            ":4:33:",
            "!Ref Nope: no parameter or resource named 'Nope'",
        ),
    ],
)
def test_bad_templates_exit_2_with_one_line(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    result = run_cli("scan", "--cloudformation", str(path), "--now", NOW)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"wfcheck: error: {path}{where} {message}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--cloudformation", str(EXAMPLE), "--parameter", "Env"),
            "argument --parameter: expected NAME=VALUE, got 'Env'",
        ),
        (
            ("--parameter", "Env=x"),
            "--parameter needs --cloudformation (or a cloudformation input)",
        ),
        (("--cloudformation", "nowhere.yaml"), "nowhere.yaml: no such file or directory"),
        (
            (
                "--cloudformation",
                str(EXAMPLE / "labeling-stack.yaml"),
                "--parameter",
                "Environment=staging",
            ),
            "parameter Environment: the value given by --parameter Environment is not one of "
            "its AllowedValues",
        ),
        (
            (
                "--cloudformation",
                str(EXAMPLE / "labeling-stack.yaml"),
                "--parameter",
                "Enviroment=prod",
            ),
            "--parameter Enviroment: no template declares a parameter 'Enviroment'",
        ),
    ],
)
def test_usage_errors_exit_2(argv: tuple[str, ...], message: str) -> None:
    result = run_cli("scan", *argv, "--now", NOW)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.splitlines()) == 1


def test_parameters_change_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    def statuses(*argv: str) -> dict[str, str]:
        result = run_cli(
            "scan", "--cloudformation", "examples/cloudformation/labeling-stack.yaml",
            "--var-file", "examples/vars.yaml", "--region", "eu-west-1", "--now", NOW,
            "--format", "json", *argv,
        )  # fmt: skip
        return {r["rule_id"]: r["status"] for r in json.loads(result.out)["results"]}

    monkeypatch.chdir(ROOT)
    dev = statuses()
    prod = statuses("--parameters-file", "examples/cloudformation/labeling-stack.parameters.json")
    assert (dev["WF013"], dev["WF031"], dev["WF034"]) == ("fail", "fail", "fail")
    assert (prod["WF013"], prod["WF031"], prod["WF034"]) == ("pass", "pass", "pass")
    assert statuses("--parameter", "Environment=prod") == prod


def test_validate_accepts_the_examples_and_names_a_broken_template(tmp_path: Path) -> None:
    ok = run_cli("validate", str(EXAMPLE))
    assert ok.code == 0, ok.err
    assert ok.err == "7 file(s) valid\n"
    bad = tmp_path / "bad.template.json"
    bad.write_text(
        json.dumps(
            {
                "Resources": {
                    "W": {
                        "Type": "AWS::SageMaker::Workforce",
                        "Properties": {"WorkforceName": ["x"]},
                    }
                }
            },
            indent=1,
        )
    )
    result = run_cli("validate", str(bad))
    assert result.code == 2
    assert (
        result.err
        == f"wfcheck: error: {bad}:6:22: bad/W: WorkforceName: expected a string, got a list\n"
    )
    params = tmp_path / "params.json"
    params.write_text('[{"ParameterKey": "A", "ParameterValue": 1}]')
    result = run_cli("validate", str(params))
    assert result.code == 2
    assert "expected a string value, got a number" in result.err


# --- secrets ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.DEBUG):
        yield
    assert not any(needle in caplog.text for needle in NEEDLES)


SECRET_TEMPLATE = f"""\
Parameters:
  ClientSecret: {{Type: String, NoEcho: true, Default: {CANARY}-default}}
  IssuerHost: {{Type: String, NoEcho: true}}
Resources:
  Workforce:
    Type: AWS::SageMaker::Workforce
    Properties:
      WorkforceName: secretive
      OidcConfig:
        ClientId: portal
        ClientSecret: {CANARY}-literal
        Issuer: !Sub "https://${{IssuerHost}}/"
        AuthorizationEndpoint: http://idp.example.com/authorize
        TokenEndpoint: https://idp.example.com/token
        UserInfoEndpoint: https://idp.example.com/userinfo
        LogoutEndpoint: https://idp.example.com/logout
        JwksUri: https://idp.example.com/jwks
      SourceIpConfig:
        Cidrs: [0.0.0.0/0]
  Other:
    Type: AWS::SageMaker::Workforce
    Properties:
      WorkforceName: other
      OidcConfig:
        ClientId: portal
        ClientSecret: !Ref ClientSecret
        Issuer: !Ref IssuerHost
        AuthorizationEndpoint: https://idp.example.com/authorize
        TokenEndpoint: https://idp.example.com/token
        UserInfoEndpoint: https://idp.example.com/userinfo
        LogoutEndpoint: https://idp.example.com/logout
        JwksUri: https://idp.example.com/jwks
"""


@pytest.fixture
def secret_template(tmp_path: Path) -> Path:
    path = tmp_path / "secretive.yaml"
    path.write_text(SECRET_TEMPLATE)
    return path


def secret_argv(path: Path) -> list[str]:
    params = path.parent / "params.json"
    params.write_text(
        json.dumps([{"ParameterKey": "ClientSecret", "ParameterValue": f"{CANARY}-file"}])
    )
    return [
        "scan", "--cloudformation", str(path), "--parameter", f"IssuerHost={CANARY}.example.com",
        "--parameters-file", str(params), "--now", NOW, "--region", "eu-west-1",
    ]  # fmt: skip


def assert_clean(result: CliResult, *files: Path) -> None:
    for needle in NEEDLES:
        assert needle not in result.out
        assert needle not in result.err
        for file in files:
            assert needle not in file.read_text(encoding="utf-8", errors="replace"), file


@pytest.mark.parametrize("fmt", sorted(WRITER_BY_NAME))
def test_no_format_shows_a_secret(secret_template: Path, fmt: str) -> None:
    result = run_cli(*secret_argv(secret_template), "--format", fmt, "--show-passed")
    assert result.code == 1, result.err
    assert result.out
    assert_clean(result)


def test_no_report_file_shows_a_secret(secret_template: Path, tmp_path: Path) -> None:
    files = [tmp_path / f"report.{fmt}" for fmt in sorted(WRITER_BY_NAME)]
    specs = [
        arg
        for fmt, file in zip(sorted(WRITER_BY_NAME), files)
        for arg in ("--report", f"{fmt}={file}")
    ]
    baseline = tmp_path / "baseline.json"
    result = run_cli(
        *secret_argv(secret_template),
        *specs,
        "--write-baseline",
        str(baseline),
        "--fail-on-unknown",
    )
    assert result.code == 1, result.err
    assert all(file.stat().st_size > 0 for file in [*files, baseline])
    assert_clean(result, *files, baseline)


def test_withheld_values_make_rules_unknown(secret_template: Path) -> None:
    result = run_cli(*secret_argv(secret_template), "--format", "json")
    report = json.loads(result.out)
    other = {
        r["rule_id"]: r
        for r in flat_results(report)
        if r["resource"]["address"] == "secretive/Other"
    }
    assert other["WF032"]["status"] == "unknown"
    assert other["WF032"]["message"] == (
        "depends on OidcConfig.Issuer, which is withheld: wfcheck never reads a NoEcho parameter "
        "(!Ref IssuerHost)"
    )


# (edit, whether the canary is then a name the template itself writes, which messages may show)
SECRET_ERRORS = [
    (
        lambda t: t.replace(
            "ClientId: portal\n        ClientSecret",
            f"ClientId: [{CANARY}]\n        ClientSecret",
            1,
        ),
        False,
    ),
    (
        lambda t: t.replace(
            f"ClientSecret: {CANARY}-literal",
            f"ClientSecret: {CANARY}-literal\n        Scope: {{a: {CANARY}}}",
        ),
        False,
    ),
    (lambda t: t.replace("Cidrs: [0.0.0.0/0]", f"Cidrs: {CANARY}"), False),
    (
        lambda t: t.replace(
            f"ClientSecret: {CANARY}-literal",
            f"ClientSecret: {CANARY}-literal\n        ClientSecret: {CANARY}-twice",
        ),
        False,
    ),
    (lambda t: t + f"  {CANARY}: [", False),
    (lambda t: t.replace("WorkforceName: secretive", f"WorkforceName: !Ref {CANARY}"), True),
    (lambda t: t.replace("WorkforceName: secretive", f"WorkforceName: !Reff {CANARY}"), False),
]


@pytest.mark.parametrize(
    ("edit", "names_it"),
    SECRET_ERRORS,
    ids=["list", "object", "string-for-list", "duplicate", "syntax", "ref-name", "tag"],
)
@pytest.mark.parametrize("command", ["scan", "validate"])
def test_errors_never_show_a_secret_value(
    tmp_path: Path, edit: object, names_it: bool, command: str
) -> None:
    path = tmp_path / "secretive.yaml"
    path.write_text(edit(SECRET_TEMPLATE))  # type: ignore[operator]
    argv = secret_argv(path) if command == "scan" else ["validate", str(path)]
    result = run_cli(*argv)
    assert result.code == 2, result.err
    assert result.err.startswith(f"wfcheck: error: {path}:")
    if names_it:  # the canary is a name (!Ref NAME), which is shown to say what is wrong
        assert f"!Ref {CANARY}: no parameter or resource" in result.err
    else:
        assert_clean(result)


def test_templates_only_reads_the_templates_among_the_files_given(tmp_path: Path) -> None:
    """What the wfcheck-cloudformation hook runs: every changed YAML/JSON file is given, the
    templates among them are scanned, the rest skipped; a broken template still stops."""
    template = tmp_path / "stack.yaml"
    template.write_text(
        WORKFORCE + "    Properties:\n      WorkforceName: open\n"
        "      SourceIpConfig: {Cidrs: [0.0.0.0/0]}\n"
    )
    (tmp_path / "ci.yml").write_text("on: push\n")
    (tmp_path / "package.json").write_text('{"name": "app"}\n')
    files = [str(tmp_path / name) for name in ("stack.yaml", "ci.yml", "package.json")]
    result = run_cli("scan", "--templates-only", "--format", "json", "--now", NOW, *files)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert report["summary"]["records"] == 1
    assert {r["status"] for r in flat_results(report) if r["rule_id"] == "WF011"} == {"fail"}
    without = run_cli("scan", "--templates-only", "--now", NOW, *files[1:])
    assert without.code == 0, without.err  # no template changed: nothing to gate
    (tmp_path / "broken.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    broken = run_cli("scan", "--templates-only", str(tmp_path / "broken.yaml"))
    assert broken.code == 2 and "broken.yaml:3" in broken.err
    missing = run_cli("scan", "--templates-only", str(tmp_path / "gone.yaml"))
    assert missing.code == 2 and "gone.yaml" in missing.err
    alone = run_cli("scan", "--templates-only")
    assert alone.code == 2 and "--templates-only needs --cloudformation" in alone.err
