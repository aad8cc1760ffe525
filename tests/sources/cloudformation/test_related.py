"""Related resources declared in the same template as the workforce: linked by Ref and GetAtt,
resolved with the stack's parameters, judged as the deployed resources would be."""

from __future__ import annotations

import json
from pathlib import Path

from checker.model import Record
from checker.sources.cloudformation import CloudFormationSource
from tests.conftest import NOW
from tests.helpers import after_apply, flat_results, run_cli

TEMPLATE = Path(__file__).resolve().parent / "related" / "labeling-related.yaml"
COGNITO = "labeling-related/CognitoWorkforce"
VPC = "labeling-related/VpcWorkforce"
RULES = ("WF040", "WF041", "WF042", "WF050", "WF051", "WF052", "WF053", "WF054", "WF060", "WF061")


def records(*parameters: str) -> dict[str, Record]:
    from checker.sources.cloudformation import cloudformation_sources

    sources = cloudformation_sources([str(TEMPLATE)], parameters=parameters, region="eu-west-1")
    return {r.resource.address or "": r for s in sources for r in s.records()}


def test_pool_client_and_teams_are_linked_by_ref() -> None:
    related = records()[COGNITO].workforce["Related"]
    assert [team["WorkteamName"] for team in related["Workteams"]] == ["notified"]
    assert "WorkerAccessConfiguration" not in related["Workteams"][0]  # CFN cannot set it
    member = related["Workteams"][0]["MemberDefinitions"][0]["CognitoMemberDefinition"]
    assert member == {"UserPool": "!Ref Pool", "UserGroup": "labelers", "ClientId": "!Ref Client"}
    assert related["UserPool"]["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    assert related["UserPool"]["UserPoolTier"] == "ESSENTIALS"
    assert related["UserPoolClient"]["PreventUserExistenceErrors"] == "ENABLED"


def test_groups_take_their_separate_ingress_resources_and_parameters() -> None:
    related = records("OfficeCidr=0.0.0.0/0", "ZoneB=eu-west-1a")[VPC].workforce["Related"]
    (group,) = related["SecurityGroups"]
    ranges = [r["CidrIp"] for p in group["IpPermissions"] for r in p["IpRanges"]]
    v6 = [r["CidrIpv6"] for p in group["IpPermissions"] for r in p["Ipv6Ranges"]]
    assert (ranges, v6) == (["0.0.0.0/0"], ["::/0"])
    assert [s["AvailabilityZone"] for s in related["Subnets"]] == ["eu-west-1a", "eu-west-1a"]


def test_findings_on_related_resources_point_at_their_template_lines() -> None:
    record = records()[VPC]
    lines = {path: location.line for path, location in record.resource.related_locations}
    text = TEMPLATE.read_text().splitlines()
    assert text[lines["Related.SecurityGroups[0]"] - 1].strip() == "PortalGroup:"
    assert text[lines["Related.Subnets[1]"] - 1].strip() == "SubnetB:"


def test_a_team_the_template_does_not_declare_is_unknown_with_the_reason() -> None:
    record = records()[VPC]
    assert (
        "no AWS::SageMaker::Workteam in this template names this workforce"
        in (record.unknown_reasons["Related.Workteams"])
    )


def test_a_template_without_related_resources_reads_none(tmp_path: Path) -> None:
    template = tmp_path / "alone.yaml"
    template.write_text(
        "Resources:\n  W:\n    Type: AWS::SageMaker::Workforce\n    Properties:\n"
        "      WorkforceName: alone\n      CognitoConfig: {UserPool: eu-west-1_X, ClientId: c}\n"
    )
    (record,) = CloudFormationSource(str(template)).records()
    assert record.related is None  # its rules are not evaluated, as for a list-workforces file


def statuses(*argv: str) -> dict[tuple[str, str], str]:
    result = run_cli("scan", "--no-config", *argv, "--format", "json", "--now", NOW)
    assert result.code in (0, 1), result.err
    return {
        (item["resource"]["name"], item["rule_id"]): item["status"]
        for item in flat_results(json.loads(result.out))
    }


def test_the_template_gives_the_verdicts_the_deployed_stack_gives(tmp_path: Path) -> None:
    snapshot = tmp_path / "deployed.json"
    snapshot.write_text(json.dumps(after_apply(records().values())))
    template = statuses("--cloudformation", str(TEMPLATE), "--region", "eu-west-1")
    deployed = statuses("--input", str(snapshot))
    compared = 0
    for (name, rule), status in template.items():
        if rule in RULES:
            assert status in (deployed[name, rule], "unknown"), (name, rule, status)
            compared += status != "unknown"
    assert compared >= 12
    assert template["related-cognito", "WF040"] == "fail"
    assert template["related-vpc", "WF060"] == deployed["related-vpc", "WF060"] == "fail"


def test_ids_assigned_at_deploy_still_say_which_resource_they_name(tmp_path: Path) -> None:
    """The workforce's own pool and client are ``!Ref`` (ids only deploy assigns), yet WF041 is
    decided as on the deployed stack: the team using them passes, a team using another pool of
    the template fails; WF036, which reads the region inside the id, stays unknown."""
    record = records()[COGNITO]
    assert record.identity_paths == {"CognitoConfig.UserPool", "CognitoConfig.ClientId"}
    assert record.workforce["CognitoConfig"] == {"UserPool": "!Ref Pool", "ClientId": "!Ref Client"}
    template = statuses("--cloudformation", str(TEMPLATE), "--region", "eu-west-1")
    assert template["related-cognito", "WF041"] == "pass"
    assert template["related-cognito", "WF036"] == "unknown"
    text = TEMPLATE.read_text(encoding="utf-8")
    other = (
        "  Other:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      UserPoolName: other\n"
    )
    stray = text.replace("Resources:\n", "Resources:\n" + other, 1).replace(
        "            CognitoUserPool: !Ref Pool", "            CognitoUserPool: !Ref Other"
    )
    assert stray != text
    variant = tmp_path / "stray.yaml"
    variant.write_text(stray, encoding="utf-8")
    found = statuses("--cloudformation", str(variant), "--region", "eu-west-1")
    assert found["related-cognito", "WF041"] == "fail"
