"""A template and the live record it deploys get the same verdict from every bundled rule.

Only rules about what the service alone knows (Status, FailureReason, dates) may differ, as for
Terraform plans. The workforces are ones CloudFormation accepts (cfn-lint checks the fixed
ones); hypothesis also writes each value through parameters, --parameter, Fn::Sub, Fn::Join,
Fn::Split, Fn::Select, Fn::If and Fn::FindInMap, which must not change any verdict.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW
from tests.helpers import flat_results, run_cli
from tests.system.test_same_verdict import VARS, plan_cannot_know

ACCOUNT = "111122223333"
HTTPS = "https://"

FIXED: dict[str, tuple[str, dict[str, Any]]] = {
    "cognito-vpc": (
        "eu-west-1",
        {
            "WorkforceName": "cognito-vpc",
            "SourceIpConfig": {"Cidrs": ["10.1.0.0/16", "203.0.113.0/24"]},
            "CognitoConfig": {"UserPool": "eu-west-1_AbC123xyz", "ClientId": "client1"},
            "WorkforceVpcConfig": {
                "VpcId": "vpc-0123456789abcdef0",
                "SecurityGroupIds": ["sg-0123456789abcdef0"],
                "Subnets": ["subnet-0a1b2c3d", "subnet-0a1b2c3e"],
            },
        },
    ),
    "oidc-open": (
        "us-east-1",
        {
            "WorkforceName": "oidc-open",
            "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]},
            "OidcConfig": {
                "ClientId": "portal",
                "Issuer": "https://idp.other.example",
                "AuthorizationEndpoint": "https://idp.other.example/authorize",
                "TokenEndpoint": "https://tokens.elsewhere.example/token",
                "UserInfoEndpoint": "https://idp.other.example/userinfo",
                "LogoutEndpoint": "https://idp.other.example/logout",
                "JwksUri": "https://idp.other.example/jwks",
                "Scope": "email profile",
                "AuthenticationRequestExtraParams": {"prompt": "login"},
            },
        },
    ),
    "oidc-vpc": (
        "eu-west-1",
        {
            "WorkforceName": "oidc-vpc",
            "SourceIpConfig": {"Cidrs": ["10.1.0.0/16", "10.1.0.0/24", "198.51.100.0/24"]},
            "OidcConfig": {
                "ClientId": "portal",
                "Issuer": "https://login.example.com",
                "AuthorizationEndpoint": "https://login.example.com/authorize",
                "TokenEndpoint": "https://login.example.com/token",
                "UserInfoEndpoint": "https://login.example.com/userinfo",
                "LogoutEndpoint": "https://login.example.com/logout",
                "JwksUri": "https://login.example.com/jwks",
                "Scope": "openid email",
            },
            "WorkforceVpcConfig": {
                "VpcId": "vpc-0fff0fff",
                "SecurityGroupIds": ["sg-0a1b2c3d"],
                "Subnets": ["subnet-0a1b2c3d"],
            },
        },
    ),
    "cognito-unrestricted": (
        "eu-west-1",
        {
            "WorkforceName": "cognito-unrestricted",
            "SourceIpConfig": {"Cidrs": []},
            "CognitoConfig": {"UserPool": "us-west-2_Other", "ClientId": "client2"},
        },
    ),
}


def statuses(*argv: str) -> dict[str, str]:
    overrides = [arg for var in VARS for arg in ("--var", var)]
    result = run_cli("scan", *argv, *overrides, "--format", "json", "--now", NOW)
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    assert report["summary"]["records"] == 1
    return {r["rule_id"]: r["status"] for r in flat_results(report)}


def live_statuses(folder: Path, region: str, workforce: dict[str, Any]) -> dict[str, str]:
    arn = f"arn:aws:sagemaker:{region}:{ACCOUNT}:workforce/{workforce['WorkforceName']}"
    path = folder / "api.json"
    path.write_text(json.dumps({"Workforce": {**workforce, "WorkforceArn": arn}}))
    return statuses("--input", str(path))


def template_statuses(
    folder: Path, region: str, template: dict[str, Any], given: dict[str, str], as_yaml: bool
) -> dict[str, str]:
    path = folder / ("workforce.yaml" if as_yaml else "workforce.template.json")
    path.write_text(
        yaml.safe_dump(template, sort_keys=False) if as_yaml else json.dumps(template, indent=1)
    )
    options = [arg for name, value in given.items() for arg in ("--parameter", f"{name}={value}")]
    return statuses("--cloudformation", str(path), "--region", region, *options)


def plain_template(workforce: dict[str, Any]) -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Workforce": {"Type": "AWS::SageMaker::Workforce", "Properties": workforce}},
    }


def assert_same(live: dict[str, str], from_template: dict[str, str]) -> None:
    compared = sorted(set(live) - plan_cannot_know())
    assert len(compared) >= 15
    assert {r: from_template[r] for r in compared} == {r: live[r] for r in compared}
    assert "unknown" not in from_template.values()


@pytest.mark.parametrize("name", sorted(FIXED))
def test_same_verdict_from_the_api_record_and_the_template(tmp_path: Path, name: str) -> None:
    region, workforce = FIXED[name]
    template = plain_template(workforce)
    path = tmp_path / "workforce.template.json"
    path.write_text(json.dumps(template, indent=1))
    assert [m.rule.id for m in lint_file(path, config=ManualArgs(regions=[region]))] == []
    live = live_statuses(tmp_path, region, workforce)
    assert_same(live, template_statuses(tmp_path, region, template, {}, as_yaml=False))
    assert_same(live, template_statuses(tmp_path, region, template, {}, as_yaml=True))


def test_the_fixed_cases_exercise_both_verdicts(tmp_path: Path) -> None:
    seen: dict[str, set[str]] = {}
    for region, workforce in FIXED.values():
        for rule, status in template_statuses(
            tmp_path, region, plain_template(workforce), {}, False
        ).items():
            seen.setdefault(rule, set()).add(status)
    compared = set(seen) - plan_cannot_know()
    assert sum(1 for rule in compared if {"pass", "fail"} <= seen[rule]) >= 10


# --- the same values, written through intrinsic functions ---------------------------------------


class Writer:
    """Writes values as a template would, through parameters and functions hypothesis picks."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.parameters: dict[str, Any] = {}
        self.given: dict[str, str] = {}
        self.mappings: dict[str, Any] = {}

    def parameter(self, value: str, kind: str = "String") -> dict[str, Any]:
        name = f"P{len(self.parameters)}"
        if self.draw(st.booleans()):
            self.parameters[name] = {"Type": kind, "Default": value}
        else:
            self.parameters[name] = {"Type": kind}
            self.given[name] = value
        return {"Ref": name}

    def string(self, value: str) -> Any:
        way = self.draw(st.sampled_from(["literal", "ref", "sub", "join", "if", "map", "select"]))
        if way == "ref":
            return self.parameter(value)
        if way == "sub":
            cut = self.draw(st.integers(0, len(value)))
            return {
                "Fn::Sub": [
                    value[:cut].replace("$", "${!") + "${X}",
                    {"X": self.parameter(value[cut:])},
                ]
            }
        if way == "join":
            cut = self.draw(st.integers(0, len(value)))
            return {"Fn::Join": ["", [value[:cut], self.string(value[cut:])]]}
        if way == "if":
            return {"Fn::If": ["Always", self.string(value), "decoy"]}
        if way == "map":
            key = f"K{len(self.mappings)}"
            self.mappings[key] = {"Value": value}
            return {"Fn::FindInMap": ["Values", key, "Value"]}
        if way == "select":
            return {"Fn::Select": [1, ["decoy", self.string(value)]]}
        return value

    def strings(self, values: list[str]) -> Any:
        ways = ["literal", "items", "if"]
        if values:
            ways += ["list-parameter", "split"]
        way = self.draw(st.sampled_from(ways))
        if way == "items":
            return [self.string(value) for value in values]
        if way == "if":
            return {"Fn::If": ["Never", ["decoy"], self.strings(values)]}
        if way == "list-parameter":
            return self.parameter(",".join(values), "CommaDelimitedList")
        if way == "split":
            return {"Fn::Split": ["|", self.string("|".join(values))]}
        return list(values)

    def workforce(self, workforce: dict[str, Any]) -> dict[str, Any]:
        written: dict[str, Any] = {}
        for key, value in workforce.items():
            if isinstance(value, str):
                written[key] = self.string(value)
            elif isinstance(value, list):
                written[key] = self.strings(value)
            else:
                written[key] = self.workforce(value)
        return written

    def template(self, workforce: dict[str, Any]) -> dict[str, Any]:
        template = plain_template(self.workforce(workforce))
        template["Conditions"] = {
            "Always": {"Fn::Equals": ["same", "same"]},
            "Never": {"Fn::Not": [{"Condition": "Always"}]},
        }
        if self.parameters:
            template["Parameters"] = self.parameters
        if self.mappings:
            template["Mappings"] = {"Values": self.mappings}
        return template


CIDRS = [
    "10.1.0.0/16",
    "203.0.113.0/24",
    "0.0.0.0/0",
    "10.0.0.0/8",
    "198.51.100.0/24",
    "10.1.2.0/24",
]
HOSTS = ["login.example.com", "idp.other.example"]
SUBNETS = ["subnet-0a1b2c3d", "subnet-0a1b2c3e", "subnet-0a1b2c3f"]


@st.composite
def workforces(draw: Any) -> tuple[str, dict[str, Any]]:
    region = draw(st.sampled_from(["eu-west-1", "us-east-1"]))
    workforce: dict[str, Any] = {
        "WorkforceName": draw(st.sampled_from(["labeling", "vendor-a"])),
        "SourceIpConfig": {
            "Cidrs": draw(st.lists(st.sampled_from(CIDRS), max_size=4, unique=True))
        },
    }
    if draw(st.booleans()):
        workforce["CognitoConfig"] = {
            "ClientId": "client1",
            "UserPool": draw(st.sampled_from(["eu-west-1_AbC123xyz", "us-east-1_Other1"])),
        }
    else:
        issuer = draw(st.sampled_from(HOSTS))
        oidc = {"ClientId": "portal", "Issuer": HTTPS + issuer}
        for endpoint in (
            "AuthorizationEndpoint",
            "TokenEndpoint",
            "UserInfoEndpoint",
            "LogoutEndpoint",
            "JwksUri",
        ):
            oidc[endpoint] = f"{HTTPS}{draw(st.sampled_from(HOSTS))}/{endpoint.lower()}"
        scope = draw(st.sampled_from([None, "openid email", "email profile"]))
        if scope:
            oidc["Scope"] = scope
        workforce["OidcConfig"] = oidc
    if draw(st.booleans()):
        workforce["WorkforceVpcConfig"] = {
            "VpcId": draw(st.sampled_from(["vpc-0123456789abcdef0", "vpc-0fff0fff"])),
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "Subnets": draw(st.lists(st.sampled_from(SUBNETS), min_size=1, unique=True)),
        }
    return region, workforce


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=workforces(), data=st.data(), as_yaml=st.booleans())
def test_values_written_through_functions_keep_the_verdict(
    case: tuple[str, dict[str, Any]], data: st.DataObject, as_yaml: bool
) -> None:
    region, workforce = case
    writer = Writer(data.draw)
    template = writer.template(workforce)
    with tempfile.TemporaryDirectory() as folder:
        live = live_statuses(Path(folder), region, workforce)
        assert_same(live, template_statuses(Path(folder), region, template, writer.given, as_yaml))
