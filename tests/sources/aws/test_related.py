"""Related resources read live (checker/sources/aws/related.py), end to end: real boto3
(paginators, SigV4 signer, retry handler, JSON and EC2 query/XML parsers) against the loopback
server in tests/aws_server.py, whose answers come from the records of
policies/tests/records/related.json (one workforce per region of account 111111111111)."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checker.related import IAM_ACTIONS, KINDS, MEMBER
from tests.aws_server import CLIENT_SECRET, RELATED_ACTIONS, FakeAws, live_args
from tests.conftest import NOW, ROOT
from tests.helpers import CliResult, flat_results, run_cli

RECORDS = ROOT / "policies" / "tests" / "records" / "related.json"
ACCOUNT = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/wfcheck-audit"

#: The rules that read each kind (policies/related.yaml): the spec the engine's gating follows.
RULES_BY_KIND = {
    "workteams": ("WF040", "WF041", "WF042"),
    "user-pool": ("WF050", "WF051", "WF052", "WF053"),
    "user-pool-client": ("WF054",),
    "security-groups": ("WF060",),
    "subnets": ("WF061",),
    "vpc-endpoint": ("WF062",),
}
RELATED_RULES = tuple(rule for rules in RULES_BY_KIND.values() for rule in rules)
KIND_OF_ACTION = {
    action.split(":", 1)[1]: kind for kind, actions in IAM_ACTIONS.items() for action in actions
}
NOT_RELATED = frozenset({"ListWorkforces", "AssumeRole"})


def workforces() -> list[dict[str, Any]]:
    return list(json.loads(RECORDS.read_text())["Workforces"])


def where(item: dict[str, Any]) -> tuple[str, str]:
    """(account, region) of a workforce, from its ARN."""
    _, _, _, region, account, _ = item["WorkforceArn"].split(":", 5)
    return account, region


def estate(items: list[dict[str, Any]] | None = None) -> dict[tuple[str, str], list[Any]]:
    """The records split per account x region, as FakeAws serves them."""
    units: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in workforces() if items is None else items:
        units.setdefault(where(item), []).append(item)
    return units


REGIONS = sorted({where(item)[1] for item in workforces()})


def live(fake: FakeAws, *extra: str, regions: list[str] = REGIONS) -> list[str]:
    region_args = [arg for region in regions for arg in ("--region", region)]
    return [*live_args(fake), "--role-arn", ROLE, *region_args, *extra]


def scan(fake: FakeAws, *extra: str, regions: list[str] = REGIONS) -> CliResult:
    return run_cli("scan", "--format", "json", "--now", NOW, *live(fake, *extra, regions=regions))


def verdicts(report: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """(rule, workforce) -> (status, message)."""
    return {
        (result["rule_id"], result["resource"]["name"]): (result["status"], result["message"])
        for result in flat_results(report)
    }


def related_calls(fake: FakeAws) -> Counter[tuple[str, str]]:
    """(action, region) -> requests, for the related-resource actions only."""
    return Counter(
        (call.action, call.region) for call in fake.calls if call.action in KIND_OF_ACTION
    )


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry decisions stay botocore's; only the sleep between attempts is removed."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.0)


def test_the_records_exercise_every_kind() -> None:
    """The fixture the tests below rely on: every kind is present, and WF0xx both pass and fail
    somewhere (so a same-verdict comparison can tell a broken read from a good one)."""
    members = {key for item in workforces() for key in item[MEMBER]}
    assert members == set(KINDS.values())
    assert len(REGIONS) == len(workforces()) == 4


# --- (a) live == snapshot == file ---------------------------------------------------------


def _without_configuration(text: str, source: str) -> str:
    """The report with the one thing that must differ between sources normalized: the
    source's name, and the options that chose it (the ``configuration`` line)."""
    text = text.replace(json.dumps(source), '"aws"')
    return re.sub(r'^  "configuration": .*\n', "", text, flags=re.M)


def test_live_snapshot_and_file_give_the_same_report(start: Any, tmp_path: Path) -> None:
    fake = start(workforces=estate())
    snapshot = tmp_path / "snapshot.json"
    online = scan(fake)
    fetched = run_cli("fetch", "--now", NOW, *live(fake), "--output", str(snapshot))
    assert fetched.code == 0, fetched.err
    offline = run_cli("scan", "--format", "json", "--now", NOW, "--input", str(snapshot))
    from_file = run_cli("scan", "--format", "json", "--now", NOW, "--input", str(RECORDS))

    assert online.code == offline.code == from_file.code == 1  # related-bad fails
    live_report = json.loads(online.out)
    assert live_report["errors"] == []
    # byte for byte, but for the source's name and the options naming it
    assert _without_configuration(offline.out, str(snapshot)) == _without_configuration(
        online.out, "aws"
    )
    # a file lists one unit, not one per region; the results and resources are the same bytes
    file_report = json.loads(from_file.out)
    for part in ("results", "summary", "rules"):
        assert json.dumps(file_report[part]) == json.dumps(live_report[part]), part
    live_verdicts = verdicts(live_report)
    assert live_verdicts == verdicts(file_report) == verdicts(json.loads(offline.out))

    # and the comparison is not vacuous: the related rules were evaluated, both ways
    assert live_verdicts[("WF050", "related-good")][0] == "pass"
    assert live_verdicts[("WF050", "related-bad")][0] == "fail"
    assert live_verdicts[("WF060", "related-bad")][0] == "fail"
    statuses = {live_verdicts[(rule, "related-good")][0] for rule in RELATED_RULES}
    assert statuses == {"pass"}
    assert "no related resources" not in online.err


def test_the_snapshot_keeps_what_was_read(start: Any, tmp_path: Path) -> None:
    fake = start(workforces=estate())
    fetched = run_cli("fetch", "--now", NOW, *live(fake))
    assert fetched.code == 0, fetched.err
    snapshot = json.loads(fetched.out)
    by_name = {entry["workforce"]["WorkforceName"]: entry for entry in snapshot["records"]}
    for item in workforces():
        entry = by_name[item["WorkforceName"]]
        assert entry["related"] == dict.fromkeys(sorted(KINDS))  # every kind read, no error
        kept = entry["workforce"][MEMBER]
        wanted = item[MEMBER]
        # what the workforce uses is kept (the OIDC one has no pool; no VPC, no EC2 resources)
        if "CognitoConfig" in item:
            assert kept["UserPool"]["Id"] == wanted["UserPool"]["Id"]
            assert kept["UserPool"]["MfaConfig"] == wanted["UserPool"]["MfaConfig"]
            assert kept["UserPoolClient"]["ClientId"] == wanted["UserPoolClient"]["ClientId"]
        else:
            assert "UserPool" not in kept and "UserPoolClient" not in kept
        if "WorkforceVpcConfig" in item:
            ids = item["WorkforceVpcConfig"]["SecurityGroupIds"]
            assert [group["GroupId"] for group in kept["SecurityGroups"]] == ids
            assert kept["VpcEndpoint"]["State"] == wanted["VpcEndpoint"]["State"]
        else:
            assert kept["SecurityGroups"] == kept["Subnets"] == []
        teams = [team["WorkteamName"] for team in kept["Workteams"]]
        assert teams == [team["WorkteamName"] for team in wanted["Workteams"]]
    # timestamps are JSON text, as parsed by botocore and written as ISO-8601
    good = by_name["related-good"]["workforce"][MEMBER]
    assert good["UserPool"]["CreationDate"] == "2025-08-12T12:00:00Z"


# --- (b) one call per kind per unit -------------------------------------------------------


def test_one_call_per_kind_per_unit_with_ids_batched(start: Any) -> None:
    fake = start(workforces=estate())
    result = scan(fake, regions=[*REGIONS, "eu-central-1"])  # eu-central-1 has no workforce
    assert result.code == 1, result.err
    by_region = {where(item)[1]: item for item in workforces()}
    expected: Counter[tuple[str, str]] = Counter()
    for region, item in by_region.items():
        expected[("ListWorkteams", region)] = 1  # one page: the unit has at most two teams
        if "CognitoConfig" in item:
            for action in ("DescribeUserPool", "GetUserPoolMfaConfig", "DescribeUserPoolClient"):
                expected[(action, region)] = 1
        if "WorkforceVpcConfig" in item:
            for action in ("DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcEndpoints"):
                expected[(action, region)] = 1
    assert related_calls(fake) == expected
    # nothing but the listing for the unit without a workforce
    assert [call.action for call in fake.calls if call.region == "eu-central-1"] == [
        "ListWorkforces"
    ]
    # ids batched: one request names every group (and every subnet) of the workforce
    vpc = by_region["us-east-1"]["WorkforceVpcConfig"]
    for action, ids in (
        ("DescribeSecurityGroups", vpc["SecurityGroupIds"]),
        ("DescribeSubnets", vpc["Subnets"]),
    ):
        (call,) = [c for c in fake.calls_to(action) if c.region == "us-east-1"]
        values = [value for key, value in sorted(call.params.items()) if ".Value." in key]
        assert values == ids
    # the related calls are signed for the workforce's own account and region
    assert {
        (call.account, call.region) for call in fake.calls if call.action in KIND_OF_ACTION
    } == {(ACCOUNT, region) for region in REGIONS}


def test_list_workteams_reads_every_page_and_keeps_the_workforces_own(start: Any) -> None:
    (good,) = [item for item in workforces() if item["WorkforceName"] == "related-good"]
    good = copy.deepcopy(good)
    template = good[MEMBER]["Workteams"][0]
    for index in range(3):  # five teams of its own: three pages of two
        team = copy.deepcopy(template)
        team["WorkteamName"] = f"extra-{index}"
        good[MEMBER]["Workteams"].append(team)
    stranger = copy.deepcopy(template)  # a team of another workforce, in the same listing
    stranger["WorkteamName"] = "someone-elses"
    stranger["WorkforceArn"] = good["WorkforceArn"].replace("related-good", "other")
    stranger["WorkerAccessConfiguration"]["S3Presign"]["IamPolicyConstraints"]["SourceIp"] = (
        "Disabled"
    )
    good[MEMBER]["Workteams"].append(stranger)
    fake = start(workforces=estate([good]))
    fetched = run_cli("fetch", "--now", NOW, *live(fake, regions=["us-east-1"]))
    assert fetched.code == 0, fetched.err

    listings = fake.calls_to("ListWorkteams")
    assert len(listings) == 3  # six teams, two a page
    assert [bool(call.params.get("NextToken")) for call in listings] == [False, True, True]
    (entry,) = json.loads(fetched.out)["records"]
    names = [team["WorkteamName"] for team in entry["workforce"][MEMBER]["Workteams"]]
    assert names == ["good-east", "good-west", "extra-0", "extra-1", "extra-2"]

    # the other workforce's team (whose SourceIp is Disabled) does not fail WF040 here
    report = json.loads(scan(fake, regions=["us-east-1"]).out)
    assert verdicts(report)[("WF040", "related-good")][0] == "pass"


def test_no_workforce_no_related_calls(start: Any) -> None:
    fake = start(workforces={})
    result = scan(fake)
    assert result.code == 0, result.err
    assert {call.action for call in fake.calls} == NOT_RELATED
    assert len(fake.calls_to("ListWorkforces")) == len(REGIONS)


# --- (c) --related -------------------------------------------------------------------------


def test_related_none_makes_no_related_call_and_names_the_rules_once(start: Any) -> None:
    fake = start(workforces=estate())
    result = scan(fake, "--related", "none")
    assert result.code == 1, result.err
    assert {call.action for call in fake.calls} == NOT_RELATED
    report = json.loads(result.out)
    assert report["errors"] == []
    found = verdicts(report)
    for rule in RELATED_RULES:
        statuses = {found[(rule, item["WorkforceName"])] for item in workforces()}
        assert {status for status, _ in statuses} <= {"skip"}, rule
        # each rule is named once on stderr, and once in the report's notes
        assert len(re.findall(rf"\b{rule}\b", result.err)) == 1, rule
        assert len([note for note in report["notes"] if note.startswith(f"{rule} ")]) == 1
    _, message = found[("WF050", "related-good")]
    assert message == "not evaluated: the input has no related user-pool"
    assert "WF040 (workteams)" in result.err
    # the rules that read no related resource are evaluated as before
    assert found[("WF011", "related-good")][0] in ("pass", "fail")


def test_related_kinds_read_only_those(start: Any) -> None:
    fake = start(workforces=estate())
    result = scan(fake, "--related", "user-pool,workteams")
    assert result.code == 1, result.err
    called = {call.action for call in fake.calls} - NOT_RELATED
    assert called == {"ListWorkteams", "DescribeUserPool", "GetUserPoolMfaConfig"}
    found = verdicts(json.loads(result.out))
    for kind, rules in RULES_BY_KIND.items():
        for rule in rules:
            status, message = found[(rule, "related-good")]
            if kind in ("user-pool", "workteams"):
                assert status == "pass", rule
            else:
                assert (status, message) == (
                    "skip",
                    f"not evaluated: the input has no related {kind}",
                )
    assert "WF054 (user-pool-client)" in result.err
    assert "WF050" not in result.err


@pytest.mark.parametrize("command", ["scan", "fetch"])
@pytest.mark.parametrize(
    "kinds, named",
    [
        ("userpool", "'userpool'"),
        ("user-pool,teams", "'teams'"),
        ("all,none", "'all'"),
        (",", "no related kind given"),
    ],
)
def test_a_bad_kind_is_a_usage_error(start: Any, command: str, kinds: str, named: str) -> None:
    fake = start(workforces=estate())
    result = run_cli(command, *live(fake, "--related", kinds))
    assert result.code == 2
    assert result.out == ""
    assert named in result.err and "--related" in result.err
    assert "workteams, user-pool, user-pool-client" in result.err  # says what is valid
    assert len(result.err.strip().splitlines()) == 1
    assert fake.calls == []


# --- (d) faults -----------------------------------------------------------------------------

#: (service, fault) -> the error code the unit's entry carries
FAULT_CODES = {
    ("sagemaker", "denied"): "AccessDeniedException",
    ("sagemaker", "throttled"): "ThrottlingException",
    ("cognito-idp", "denied"): "AccessDeniedException",
    ("cognito-idp", "throttled"): "TooManyRequestsException",
    ("ec2", "denied"): "UnauthorizedOperation",
    ("ec2", "throttled"): "RequestLimitExceeded",
}


@pytest.fixture(scope="module")
def baseline() -> dict[tuple[str, str], tuple[str, str]]:
    """The verdicts with nothing failing (the file's, which live equals: see above)."""
    result = run_cli("scan", "--format", "json", "--now", NOW, "--input", str(RECORDS))
    return verdicts(json.loads(result.out))


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("fault", ["denied", "throttled", "malformed"])
@pytest.mark.parametrize("action", list(RELATED_ACTIONS))
def test_a_failed_related_call_is_an_error_never_a_pass(
    start: Any, baseline: dict[tuple[str, str], tuple[str, str]], action: str, fault: str
) -> None:
    fake = start(workforces=estate(), related_faults={f"us-east-1/{action}": fault})
    result = scan(fake, "--max-attempts", "3")
    assert result.code == 3, result.err
    report = json.loads(result.out)
    service = RELATED_ACTIONS[action][0]
    kind = KIND_OF_ACTION[action]

    (error,) = report["errors"]
    assert (error["account"], error["region"]) == (ACCOUNT, "us-east-1")
    code = FAULT_CODES.get((service, fault), "MalformedResponse")
    assert error["code"] == code
    assert error["message"].startswith(f"{service}:{action} ({kind}")
    # the retry handler ran: a throttled call was tried --max-attempts times, the others once
    tries = len([c for c in fake.calls_to(action) if c.region == "us-east-1"])
    assert tries == (3 if fault == "throttled" else 1)
    # and the run says so on stderr, naming the action
    assert f"{service}:{action}" in result.err

    found = verdicts(report)
    assert set(found) == set(baseline)
    for (rule, name), before in baseline.items():
        status, message = found[(rule, name)]
        if name == "related-good" and rule in RULES_BY_KIND[kind]:
            assert status == "error", (rule, status)
            assert f"{service}:{action} failed: {code}" in message
        else:  # other units, and the rules that need another kind, are unaffected
            assert (status, message) == before, (rule, name)
    # the unit still counts its workforce: the listing itself succeeded
    unit = next(unit for unit in report["units"] if unit["region"] == "us-east-1")
    assert (unit["status"], unit["records"]) == ("ok", 1)


def test_a_failed_listing_of_teams_is_one_entry_for_the_unit(start: Any) -> None:
    """ListWorkteams is one call per unit: two workforces there give one entry, both error."""
    (good,) = [item for item in workforces() if item["WorkforceName"] == "related-good"]
    twin = copy.deepcopy(good)
    twin["WorkforceName"] = "related-twin"
    twin["WorkforceArn"] = good["WorkforceArn"].replace("related-good", "related-twin")
    fake = start(workforces=estate([good, twin]), related_faults={"ListWorkteams": "denied"})
    result = scan(fake, regions=["us-east-1"])
    assert result.code == 3
    report = json.loads(result.out)
    assert [error["message"].split(":", 2)[:2] for error in report["errors"]] == [
        ["sagemaker", "ListWorkteams (workteams)"]
    ]
    assert len(fake.calls_to("ListWorkteams")) == 1
    found = verdicts(report)
    for name in ("related-good", "related-twin"):
        assert {found[(rule, name)][0] for rule in RULES_BY_KIND["workteams"]} == {"error"}
        assert found[("WF050", name)][0] == "pass"


# --- (e) the client secret ------------------------------------------------------------------

FORMATS = ["table", "json", "sarif", "junit", "csv", "asff", "ocsf", "markdown", "html", "github"]


def test_the_formats_listed_here_are_every_writer() -> None:
    from checker.reports import WRITER_BY_NAME

    assert sorted(FORMATS) == sorted(WRITER_BY_NAME)


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_client_secret_never_appears(start: Any, output_format: str, tmp_path: Path) -> None:
    fake = start(workforces=estate())
    result = run_cli("scan", "--format", output_format, "--now", NOW, "--show-passed", *live(fake))
    assert result.code == 1, result.err
    served = fake.calls_to("DescribeUserPoolClient")
    assert len(served) == 3  # the server did hand out the secret, three times
    assert CLIENT_SECRET not in result.out and CLIENT_SECRET not in result.err
    assert "ClientSecret" not in result.out
    assert result.out.strip()


def test_the_client_secret_is_not_in_the_snapshot(start: Any, tmp_path: Path) -> None:
    fake = start(workforces=estate())
    snapshot = tmp_path / "snapshot.json"
    fetched = run_cli("fetch", "--now", NOW, *live(fake), "--output", str(snapshot))
    assert fetched.code == 0
    text = snapshot.read_text()
    assert CLIENT_SECRET not in text and CLIENT_SECRET not in fetched.err
    assert "ClientSecret" not in text
    clients = [
        entry["workforce"][MEMBER].get("UserPoolClient") for entry in json.loads(text)["records"]
    ]
    assert sum(client is not None for client in clients) == 3  # the clients were kept


# --- (f) inputs without related resources ---------------------------------------------------


def test_require_related_fails_a_saved_listing(tmp_path: Path) -> None:
    (good,) = [item for item in workforces() if item["WorkforceName"] == "related-good"]
    saved = tmp_path / "list-workforces.json"  # what `aws sagemaker list-workforces` prints
    saved.write_text(json.dumps({"Workforces": [{k: v for k, v in good.items() if k != MEMBER}]}))
    argv = ("scan", "--format", "json", "--now", NOW, "--input", str(saved))

    plain = run_cli(*argv)
    assert plain.code == 0, plain.err  # related-good passes everything it can be judged on
    report = json.loads(plain.out)
    assert {verdicts(report)[(rule, "related-good")][0] for rule in RELATED_RULES} == {"skip"}
    assert len(re.findall(r"\bWF050\b", plain.err)) == 1
    assert sorted(report["related_unevaluated"]) == sorted(RELATED_RULES)

    strict = run_cli(*argv, "--require-related")
    assert strict.code == 1  # a gate failure, as --require-vars (docs/live.md)
    notes = json.loads(strict.out)["notes"]
    assert f"--require-related: {len(RELATED_RULES)} rule(s) not evaluated fail the run" in notes
    assert len(re.findall(r"\bWF050\b", strict.err)) == 1


def test_require_related_passes_when_everything_was_read(start: Any) -> None:
    (good,) = [item for item in workforces() if item["WorkforceName"] == "related-good"]
    fake = start(workforces=estate([good]))
    result = scan(fake, "--require-related", regions=["us-east-1"])
    assert result.code == 0, result.err
    assert "related_unevaluated" not in json.loads(result.out)
