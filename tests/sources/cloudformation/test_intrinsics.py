"""Intrinsic functions, parameters, conditions and pseudo parameters: what each resolves to.

Each case writes one expression as a Workforce property in a small template and reads back what
the resolver makes of it: a value, or the reason it is unknown (``!GetAtt``, imports, SSM and
NoEcho parameters, dynamic references ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.sources.cloudformation.intrinsics import (
    FROM_SSM,
    NO_ECHO,
    NO_VALUE,
    Resolver,
    Unresolved,
)
from checker.sources.cloudformation.parameters import GivenValue, parameter_values
from checker.sources.cloudformation.source import StackSpec, pseudo_parameters
from checker.sources.cloudformation.template import load_template

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
  Cidrs: {Type: CommaDelimitedList, Default: "10.0.0.0/16, 10.1.0.0/16"}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1,subnet-2"}
  Count: {Type: Number, Default: 2}
  Missing: {Type: String}
  Secret: {Type: String, NoEcho: true, Default: hunter2}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /corp/cidr}
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  IsProd: !Equals [prod, !Ref Env]
  DevOrProd: !Or [!Condition IsDev, !Condition IsProd]
  DevAndProd: !And [!Condition IsDev, !Condition IsProd]
  NotDev: !Not [!Condition IsDev]
  Undecided: !Equals [!Ref Missing, x]
  UndecidedOrDev: !Or [!Condition Undecided, !Condition IsDev]
  UndecidedAndProd: !And [!Condition Undecided, !Condition IsProd]
  InRegion: !Equals [!Ref "AWS::Region", eu-west-1]
Mappings:
  Hosts:
    dev: {Host: dev.example.com, Cidrs: [10.2.0.0/16, 10.3.0.0/16]}
    prod: {Host: example.com}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Workforce:
    Type: AWS::SageMaker::Workforce
    Properties:
      Value: {expression}
"""

DEPLOY = "known only at deploy time"

CASES: list[tuple[str, str, Any]] = [
    # (case, expression, resolved value or the rendered reason it is unknown)
    ("literal string", "plain", "plain"),
    ("literal list", "[a, b]", ["a", "b"]),
    ("number stays a number", "5", 5),
    ("Ref parameter default", "!Ref Env", "dev"),
    ("Ref long form", "{Ref: Env}", "dev"),
    ("Ref Number parameter", "!Ref Count", "2"),
    ("Ref CommaDelimitedList is a trimmed list", "!Ref Cidrs", ["10.0.0.0/16", "10.1.0.0/16"]),
    ("Ref List<> parameter", "!Ref Subnets", ["subnet-1", "subnet-2"]),
    (
        "Ref parameter without value",
        "!Ref Missing",
        "a parameter without a value (!Ref Missing; give --parameter Missing=VALUE)",
    ),
    ("Ref NoEcho parameter", "!Ref Secret", f"{NO_ECHO} (!Ref Secret)"),
    ("Ref SSM parameter", "!Ref FromSsm", f"{FROM_SSM} (!Ref FromSsm)"),
    ("Ref resource", "!Ref Pool", f"{DEPLOY} (!Ref Pool)"),
    ("Ref region given", "!Ref AWS::Region", "eu-west-1"),
    ("Ref account unknown", "!Ref AWS::AccountId", f"{DEPLOY} (!Ref AWS::AccountId)"),
    ("Ref partition", "!Ref AWS::Partition", "aws"),
    ("Ref URL suffix", "!Ref AWS::URLSuffix", "amazonaws.com"),
    ("Ref stack name of a template", "!Ref AWS::StackName", f"{DEPLOY} (!Ref AWS::StackName)"),
    ("GetAtt dotted", "!GetAtt Pool.Arn", f"{DEPLOY} (!GetAtt Pool.Arn)"),
    ("GetAtt list", "!GetAtt [Pool, ProviderURL]", f"{DEPLOY} (!GetAtt Pool.ProviderURL)"),
    ("GetAtt long form", "{Fn::GetAtt: [Pool, Arn]}", f"{DEPLOY} (!GetAtt Pool.Arn)"),
    ("ImportValue", "!ImportValue network-VpcId", f"{DEPLOY} (!ImportValue network-VpcId)"),
    (
        "ImportValue of a Sub",
        '!ImportValue {"Fn::Sub": "${Env}-vpc"}',
        f"{DEPLOY} (!ImportValue !Sub ${{Env}}-vpc)",
    ),
    ("GetAZs", "!GetAZs ''", f"{DEPLOY} (!GetAZs '')"),
    ("Sub parameter", '!Sub "wf-${Env}"', "wf-dev"),
    ("Sub pseudo parameter", '!Sub "${AWS::Region}-wf"', "eu-west-1-wf"),
    ("Sub variables", '!Sub ["${A}-${Env}", {A: !Ref Count}]', "2-dev"),
    ("Sub literal dollar", '!Sub "${!Literal}-${Env}"', "${Literal}-dev"),
    ("Sub GetAtt", '!Sub "${Pool.Arn}/x"', f"{DEPLOY} (${{Pool.Arn}})"),
    (
        "Sub unresolved parameter",
        '!Sub "https://${Missing}/"',
        "a parameter without a value (${Missing}; give --parameter Missing=VALUE)",
    ),
    ("Join", '!Join ["-", [a, !Ref Env, !Ref Count]]', "a-dev-2"),
    ("Join a list parameter", '!Join [",", !Ref Cidrs]', "10.0.0.0/16,10.1.0.0/16"),
    ("Join, an unknown item", '!Join ["", [a, !GetAtt Pool.Arn]]', f"{DEPLOY} (!GetAtt Pool.Arn)"),
    ("Select", "!Select [1, [a, b, c]]", "b"),
    ("Select string index", '!Select ["0", !Ref Cidrs]', "10.0.0.0/16"),
    ("Select a known item beside an unknown one", "!Select [0, [a, !GetAtt Pool.Arn]]", "a"),
    ("Split", '!Split [",", "a,b,,c"]', ["a", "b", "", "c"]),
    ("Select of Split", '!Select [2, !Split ["/", "x/y/z"]]', "z"),
    ("Split unknown", '!Split [",", !ImportValue subnets]', f"{DEPLOY} (!ImportValue subnets)"),
    ("FindInMap", "!FindInMap [Hosts, !Ref Env, Host]", "dev.example.com"),
    ("FindInMap list", "!FindInMap [Hosts, dev, Cidrs]", ["10.2.0.0/16", "10.3.0.0/16"]),
    ("FindInMap default", "!FindInMap [Hosts, prod, Cidrs, {DefaultValue: none}]", "none"),
    (
        "FindInMap on an unknown key",
        "!FindInMap [Hosts, !Ref Missing, Host]",
        "a parameter without a value (!Ref Missing; give --parameter Missing=VALUE)",
    ),
    ("If true", "!If [IsDev, yes-dev, no-dev]", "yes-dev"),
    ("If false", "!If [IsProd, yes-prod, no-prod]", "no-prod"),
    ("If Or", "!If [DevOrProd, either, neither]", "either"),
    ("If And", "!If [DevAndProd, both, not-both]", "not-both"),
    ("If Not", "!If [NotDev, not-dev, dev]", "dev"),
    ("If Or decided by its known part", "!If [UndecidedOrDev, t, f]", "t"),
    ("If And decided by its known part", "!If [UndecidedAndProd, t, f]", "f"),
    (
        "If undecided",
        "!If [Undecided, t, f]",
        "a parameter without a value (!Ref Missing, in condition Undecided; "
        "give --parameter Missing=VALUE)",
    ),
    ("If undecided, same both ways", "!If [Undecided, same, same]", "same"),
    ("If on the region", "!If [InRegion, in, out]", "in"),
    ("NoValue removes the property", "!Ref AWS::NoValue", NO_VALUE),
    ("NoValue removes a list item", "[a, !If [IsProd, b, !Ref AWS::NoValue], c]", ["a", "c"]),
    ("Base64", '!Base64 "wf-${Env}"', "d2YtJHtFbnZ9"),
    ("Base64 of Sub", '!Base64 {"Fn::Sub": "wf-${Env}"}', "d2YtZGV2"),
    ("Cidr", '!Cidr ["10.0.0.0/16", 3, 8]', ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
    ("Cidr strings", '!Cidr ["192.168.0.0/24", "2", "6"]', ["192.168.0.0/26", "192.168.0.64/26"]),
    ("Cidr IPv6", '!Cidr ["2001:db8::/56", 2, 64]', ["2001:db8::/64", "2001:db8:0:1::/64"]),
    (
        "Transform",
        '{"Fn::Transform": {Name: AWS::Include, Parameters: {Location: s3://b/k}}}',
        "expanded by a macro at deploy time (Fn::Transform AWS::Include)",
    ),
    (
        "Transform short form",
        "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
        "expanded by a macro at deploy time (Fn::Transform AWS::Include)",
    ),
    ("Length", "{Fn::Length: [a, b, c]}", 3),
    ("Length of a parameter", "{Fn::Length: !Ref Cidrs}", 2),
    (
        "dynamic reference",
        "'{{resolve:ssm:/corp/cidr}}'",
        "resolved from a dynamic reference at deploy time ({{resolve:ssm:/corp/cidr}})",
    ),
    (
        "dynamic reference in Sub",
        "!Sub '{{resolve:ssm:/corp/${Env}}}'",
        "resolved from a dynamic reference at deploy time ({{resolve:ssm:/corp/dev}})",
    ),
    ("nested functions", '!Select [0, !Split [",", !Join [",", !Ref Cidrs]]]', "10.0.0.0/16"),
]


def resolve(
    tmp_path: Path,
    expression: str,
    given: dict[str, str] | None = None,
    region: str | None = "eu-west-1",
    account: str | None = None,
    suffix: str = ".yaml",
) -> Any:
    path = tmp_path / f"template{suffix}"
    path.write_text(HEAD.replace("{expression}", expression))
    doc = load_template(str(path))
    values = parameter_values(
        doc, {key: GivenValue(value, f"--parameter {key}") for key, value in (given or {}).items()}
    )
    spec = StackSpec("stack", path, account, region, None)
    resolver = Resolver(doc, parameters=values, pseudo=pseudo_parameters(spec))
    where = ("Resources", "Workforce", "Properties", "Value")
    value = resolver.resolve(doc.data["Resources"]["Workforce"]["Properties"]["Value"], where)
    return value.render() if isinstance(value, Unresolved) else value


@pytest.mark.parametrize(("case", "expression", "expected"), CASES, ids=[c[0] for c in CASES])
def test_intrinsic(tmp_path: Path, case: str, expression: str, expected: Any) -> None:
    assert resolve(tmp_path, expression) == expected


def test_every_short_form_tag_is_covered() -> None:
    from checker.sources.cloudformation.template import SHORT_FORMS

    written = " ".join(expression for _, expression, _ in CASES) + HEAD
    assert [tag for tag in SHORT_FORMS if tag not in written] == []


@pytest.mark.parametrize(
    ("given", "expression", "expected"),
    [
        ({"Env": "prod"}, "!If [IsProd, p, d]", "p"),
        ({"Env": "prod"}, "!FindInMap [Hosts, !Ref Env, Host]", "example.com"),
        ({"Missing": "x"}, "!If [Undecided, t, f]", "t"),
        ({"Missing": "given"}, '!Sub "https://${Missing}/"', "https://given/"),
        ({"Cidrs": " 10.9.0.0/16 ,10.8.0.0/16"}, "!Ref Cidrs", ["10.9.0.0/16", "10.8.0.0/16"]),
        # a given value is not read for a NoEcho parameter, nor taken as an SSM value
        ({"Secret": "s3cr3t"}, "!Ref Secret", f"{NO_ECHO} (!Ref Secret)"),
        ({"FromSsm": "/other"}, "!Ref FromSsm", f"{FROM_SSM} (!Ref FromSsm)"),
    ],
)
def test_given_parameters_win_over_defaults(
    tmp_path: Path, given: dict[str, str], expression: str, expected: Any
) -> None:
    assert resolve(tmp_path, expression, given) == expected


@pytest.mark.parametrize(
    ("region", "account", "expression", "expected"),
    [
        (None, None, "!Ref AWS::Region", f"{DEPLOY} (!Ref AWS::Region; give --region)"),
        (None, None, '!Sub "${AWS::Region}"', f"{DEPLOY} (${{AWS::Region}}; give --region)"),
        (None, None, "!Ref AWS::Partition", f"{DEPLOY} (!Ref AWS::Partition)"),
        ("cn-north-1", None, "!Ref AWS::Partition", "aws-cn"),
        ("cn-north-1", None, "!Ref AWS::URLSuffix", "amazonaws.com.cn"),
        ("us-gov-west-1", None, "!Ref AWS::Partition", "aws-us-gov"),
        (
            "eu-west-1",
            "111122223333",
            '!Sub "arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}"',
            "arn:aws:x:eu-west-1:111122223333",
        ),
        ("eu-west-1", None, "!Ref AWS::StackId", f"{DEPLOY} (!Ref AWS::StackId)"),
        ("eu-west-1", None, "!Ref AWS::NotificationARNs", f"{DEPLOY} (!Ref AWS::NotificationARNs)"),
    ],
)
def test_pseudo_parameters(
    tmp_path: Path, region: str | None, account: str | None, expression: str, expected: Any
) -> None:
    assert resolve(tmp_path, expression, region=region, account=account) == expected


ERRORS = [
    ("Ref to nothing", "!Ref Nowhere", "!Ref Nowhere: no parameter or resource named 'Nowhere'"),
    ("Ref to a list", "!Ref [a]", "Ref: expected a name, got a list"),
    ("GetAtt to nothing", "!GetAtt Nowhere.Arn", "Fn::GetAtt: no resource named 'Nowhere'"),
    ("GetAtt malformed", "!GetAtt Pool", "Fn::GetAtt: expected [LogicalId, Attribute]"),
    ("Sub unknown variable", '!Sub "${Nope}"', "Fn::Sub: ${Nope} names no parameter"),
    ("Sub list variable", '!Sub "${Cidrs}"', "Fn::Sub: ${Cidrs} is a list, not a string"),
    ("Sub malformed", "!Sub [a, b, c]", "Fn::Sub: expected a string or [string, {variables}]"),
    ("Join malformed", "!Join [a]", "Fn::Join: expected a list of 2 arguments"),
    ("Join of a string", '!Join [",", abc]', "Fn::Join: expected a list, got a string"),
    ("Join of objects", '!Join [",", [{a: b}]]', "Fn::Join: expected strings, got an object"),
    ("Select out of range", "!Select [3, [a]]", "Fn::Select: index 3 is out of range for a list"),
    ("Select negative", "!Select [-1, [a]]", "Fn::Select: the index must be a whole number"),
    ("Split empty delimiter", '!Split ["", a]', "Fn::Split: the delimiter must be a non-empty"),
    ("FindInMap missing key", "!FindInMap [Hosts, test, Host]", "Hosts/test is not in Mappings"),
    ("FindInMap malformed", "!FindInMap [Hosts]", "Fn::FindInMap: expected [MapName"),
    ("If unknown condition", "!If [Nope, a, b]", "no condition named 'Nope' in Conditions"),
    ("If malformed", "!If [IsDev, a]", "Fn::If: expected a list of 3 arguments"),
    ("condition function as a value", "!Equals [a, b]", "Fn::Equals is a condition function"),
    ("unknown function", "{Fn::Nope: x}", "unknown intrinsic function Fn::Nope"),
    ("Cidr not a CIDR", '!Cidr ["nope", 2, 8]', "Fn::Cidr: the IP block is not a CIDR"),
    ("Cidr too many", '!Cidr ["10.0.0.0/24", 5, 7]', "Fn::Cidr: the block holds fewer than 5"),
    ("Cidr bits too many", '!Cidr ["10.0.0.0/24", 1, 9]', "cannot cut 1 subnet(s) of 9 host bits"),
]


@pytest.mark.parametrize(("case", "expression", "message"), ERRORS, ids=[c[0] for c in ERRORS])
def test_malformed_intrinsics_are_errors_at_their_line(
    tmp_path: Path, case: str, expression: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        resolve(tmp_path, expression)
    text = str(caught.value)
    assert message in text
    line = HEAD.splitlines().index("      Value: {expression}") + 1
    assert text.startswith(f"{tmp_path / 'template.yaml'}:{line}:"), text


def test_a_condition_that_depends_on_itself_is_an_error(tmp_path: Path) -> None:
    head = HEAD.replace("  IsDev: !Equals [!Ref Env, dev]", "  IsDev: !Not [!Condition NotDev]")
    path = tmp_path / "loop.yaml"
    path.write_text(head.replace("{expression}", "!If [IsDev, a, b]"))
    doc = load_template(str(path))
    resolver = Resolver(doc, parameters=parameter_values(doc, {}), pseudo={})
    with pytest.raises(InputError, match="depends on itself"):
        resolver.resolve(doc.data["Resources"]["Workforce"]["Properties"]["Value"], ())


def test_json_long_forms_resolve_like_yaml_short_forms(tmp_path: Path) -> None:
    import json

    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Conditions": {"IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]}},
        "Resources": {
            "Workforce": {
                "Type": "AWS::SageMaker::Workforce",
                "Properties": {
                    "Value": {
                        "Fn::If": [
                            "IsDev",
                            {
                                "Fn::Join": [
                                    "-",
                                    [
                                        {"Fn::Sub": "${Env}"},
                                        {"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]},
                                    ],
                                ]
                            },
                            "prod",
                        ]
                    }
                },
            }
        },
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template, indent=1))
    doc = load_template(str(path))
    resolver = Resolver(doc, parameters=parameter_values(doc, {}), pseudo={})
    value = template["Resources"]["Workforce"]["Properties"]["Value"]
    assert resolver.resolve(value, ()) == "dev-b"
