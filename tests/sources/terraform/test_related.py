"""Related resources declared beside the workforce in a plan or state: mapped onto the API
shapes a live scan reads, linked by the configuration's references or by known ids, unknown with
the reason where the document does not decide them, and judged as a live scan judges them."""

from __future__ import annotations

import json
from pathlib import Path

from checker.model import Record
from checker.sources.terraform import TerraformSource
from tests.conftest import NOW
from tests.helpers import after_apply, flat_results, run_cli

CASE = Path(__file__).resolve().parent / "cases" / "related"
PLAN = CASE / "plan.json"
COGNITO = "aws_sagemaker_workforce.cognito"
VPC = "aws_sagemaker_workforce.vpc"
ELSEWHERE = "aws_sagemaker_workforce.elsewhere"
RELATED_RULES = ("WF040", "WF041", "WF042", "WF050", "WF051", "WF052", "WF053", "WF054")
NETWORK_RULES = ("WF060", "WF061")


def records(path: Path = PLAN) -> dict[str, Record]:
    return {r.resource.address or "": r for r in TerraformSource(str(path)).records()}


def test_work_teams_pool_and_client_are_linked_by_the_configurations_references() -> None:
    record = records()[COGNITO]
    related = record.workforce["Related"]
    assert [team["WorkteamName"] for team in related["Workteams"]] == ["open", "restricted"]
    restricted = related["Workteams"][1]
    constraints = restricted["WorkerAccessConfiguration"]["S3Presign"]["IamPolicyConstraints"]
    assert constraints == {"SourceIp": "Enabled"}  # vpc_source_ip left out: AWS sets none
    assert "WorkerAccessConfiguration" not in related["Workteams"][0]
    member = restricted["MemberDefinitions"][0]["CognitoMemberDefinition"]
    assert member["UserPool"] == related["UserPool"]["Id"] == "${aws_cognito_user_pool.labelers.id}"
    pool = related["UserPool"]
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False}
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert pool["UserPoolTier"] == "ESSENTIALS"  # left out: what AWS gives a new pool
    assert related["UserPoolClient"]["PreventUserExistenceErrors"] == "ENABLED"
    assert set(record.related or {}) == {
        "workteams",
        "user-pool",
        "user-pool-client",
        "security-groups",
        "subnets",
    }


def test_security_groups_gather_inline_and_separate_ingress_rules() -> None:
    related = records()[VPC].workforce["Related"]
    portal, internal = related["SecurityGroups"]
    assert portal["GroupName"] == "labeling-portal"
    assert [r["CidrIp"] for p in portal["IpPermissions"] for r in p["IpRanges"]] == ["0.0.0.0/0"]
    v6 = [r["CidrIpv6"] for p in internal["IpPermissions"] for r in p["Ipv6Ranges"]]
    v4 = [r["CidrIp"] for p in internal["IpPermissions"] for r in p["IpRanges"]]
    assert (v6, v4) == (["::/0"], ["192.0.2.0/24"])
    assert [s["AvailabilityZone"] for s in related["Subnets"]] == ["eu-west-1a", "eu-west-1a"]


def test_what_the_document_does_not_declare_is_unknown_with_the_reason() -> None:
    record = records()[ELSEWHERE]
    assert "Related" not in record.workforce
    assert (
        "eu-west-1_Elsewhere is not declared in this document"
        in (record.unknown_reasons["Related.UserPool"])
    )
    assert (
        "no aws_sagemaker_workteam in this document names this workforce"
        in (record.unknown_reasons["Related.Workteams"])
    )


def test_findings_on_a_related_resource_point_at_its_block() -> None:
    record = records()[VPC]
    lines = {path: location.line for path, location in record.resource.related_locations}
    text = (CASE / "main.tf").read_text().splitlines()
    assert text[lines["Related.SecurityGroups[0]"] - 1].startswith(
        'resource "aws_security_group" "portal"'
    )
    assert text[lines["Related.Subnets[1]"] - 1].startswith('resource "aws_subnet" "b"')


def test_a_document_without_related_resources_reads_none() -> None:
    from tests.conftest import EXAMPLES

    for record in TerraformSource(str(EXAMPLES / "terraform" / "plan.json")).records():
        assert record.related is None  # its rules are not evaluated, as for a list-workforces file


def statuses(path: Path, *argv: str) -> dict[tuple[str, str], str]:
    result = run_cli("scan", "--no-config", *argv, str(path), "--format", "json", "--now", NOW)
    assert result.code in (0, 1), result.err
    return {
        (item["resource"]["name"], item["rule_id"]): item["status"]
        for item in flat_results(json.loads(result.out))
    }


def test_the_plan_gives_the_verdicts_a_scan_after_apply_gives(tmp_path: Path) -> None:
    """The same resources as a snapshot of what apply creates (ids filled in): every related
    rule has the same verdict, or is unknown on the plan where it reads an id only apply makes."""
    snapshot = tmp_path / "after-apply.json"
    snapshot.write_text(json.dumps(after_apply(records().values())))
    planned = statuses(PLAN, "--terraform")
    after = statuses(snapshot, "--input")
    compared = 0
    for (name, rule), status in planned.items():
        if rule not in RELATED_RULES + NETWORK_RULES or name == "related-elsewhere":
            continue
        assert status in (after[name, rule], "unknown"), (name, rule, status, after[name, rule])
        compared += status != "unknown"
    assert compared >= 12
    assert planned["related-cognito", "WF040"] == after["related-cognito", "WF040"] == "fail"
    assert planned["related-vpc", "WF060"] == after["related-vpc", "WF060"] == "fail"


def test_a_state_links_related_resources_by_their_ids(tmp_path: Path) -> None:
    """``terraform show -json`` of a state (every id known): linked by equal ids and names."""
    resources = [
        {
            "address": "aws_sagemaker_workforce.main",
            "mode": "managed",
            "type": "aws_sagemaker_workforce",
            "name": "main",
            "values": {
                "workforce_name": "deployed",
                "arn": "arn:aws:sagemaker:eu-west-1:111122223333:workforce/deployed",
                "cognito_config": [{"client_id": "client-1", "user_pool": "eu-west-1_Pool1"}],
                "source_ip_config": [{"cidrs": ["192.0.2.0/24"]}],
            },
        },
        {
            "address": "aws_cognito_user_pool.pool",
            "mode": "managed",
            "type": "aws_cognito_user_pool",
            "name": "pool",
            "values": {
                "id": "eu-west-1_Pool1",
                "name": "pool",
                "mfa_configuration": "ON",
                "admin_create_user_config": [{"allow_admin_create_user_only": True}],
                "password_policy": [
                    {
                        "minimum_length": 16,
                        "require_lowercase": True,
                        "require_numbers": True,
                        "require_symbols": True,
                        "require_uppercase": True,
                    }
                ],
                "user_pool_add_ons": [{"advanced_security_mode": "ENFORCED"}],
                "user_pool_tier": "PLUS",
            },
        },
        {
            "address": "aws_sagemaker_workteam.team",
            "mode": "managed",
            "type": "aws_sagemaker_workteam",
            "name": "team",
            "values": {
                "workteam_name": "team",
                "workforce_name": "deployed",
                "member_definition": [
                    {
                        "cognito_member_definition": [
                            {
                                "client_id": "client-1",
                                "user_pool": "eu-west-1_Pool1",
                                "user_group": "g",
                            }
                        ],
                        "oidc_member_definition": [],
                    }
                ],
                "notification_configuration": [{"notification_topic_arn": "arn:aws:sns:x"}],
                "worker_access_configuration": [
                    {"s3_presign": [{"iam_policy_constraints": [{"source_ip": "Enabled"}]}]}
                ],
            },
        },
    ]
    state = {"format_version": "1.0", "values": {"root_module": {"resources": resources}}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    found = statuses(path, "--terraform")
    for rule in ("WF040", "WF041", "WF042", "WF050", "WF051", "WF052", "WF053"):
        assert found["deployed", rule] == "pass", rule
    # the state declares no app client at all: not evaluated, as on a list-workforces file
    assert found["deployed", "WF054"] == "skip"


CREATED = Path(__file__).resolve().parent / "cases" / "related_created" / "plan.json"


def test_ids_only_apply_makes_still_say_which_object_they_name(tmp_path: Path) -> None:
    """A create (every pool and client new): the workforce's own pool and client ids are known
    only after apply, but its references name the objects, so WF041 is decided as after apply:
    the team that uses the workforce's pool passes, the one that uses another pool fails."""
    own = records(CREATED)["aws_sagemaker_workforce.own"]
    assert own.identity_paths == {"CognitoConfig.UserPool", "CognitoConfig.ClientId"}
    assert own.identity_paths <= own.unknown_paths
    assert own.workforce["CognitoConfig"]["UserPool"] == "${aws_cognito_user_pool.labelers.id}"
    snapshot = tmp_path / "after-apply.json"
    snapshot.write_text(json.dumps(after_apply(records(CREATED).values())))
    planned = statuses(CREATED, "--terraform")
    after = statuses(snapshot, "--input")
    assert planned["created-own", "WF041"] == after["created-own", "WF041"] == "pass"
    assert planned["created-stray", "WF041"] == after["created-stray", "WF041"] == "fail"
    assert planned["created-own", "WF036"] == "unknown"  # reads the region inside the id
