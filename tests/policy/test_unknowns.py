"""Rules on records with values unknown until apply: unknown only when known values can't decide."""

from __future__ import annotations

import copy
import dataclasses
from functools import lru_cache
from typing import Any

import jmespath
import pytest

from checker.engine import evaluate
from checker.files.timestamps import parse_timestamp
from checker.model import Result, Status
from checker.policy.loader import BUILTIN, load_policies
from checker.policy.paths import _fields
from checker.policy.rule import Rule
from checker.related import kinds_read
from checker.sources.base import make_record
from tests.conftest import NOW

OIDC = {
    "Issuer": "https://idp.example.com",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
    "UserInfoEndpoint": "https://idp.example.com/userinfo",
    "LogoutEndpoint": "https://idp.example.com/logout",
    "JwksUri": "https://idp.example.com/jwks",
    "ClientId": "c",
    "Scope": "openid",
}


def _statuses(
    workforce: dict[str, Any], unknown: set[str], *overrides: str
) -> dict[str, tuple[Status, str]]:
    policies = load_policies([BUILTIN], overrides=overrides)
    record = make_record(
        workforce,
        source="plan.json",
        source_kind="terraform",
        region="eu-west-1",
        address="aws_sagemaker_workforce.x",
        unknown_paths=frozenset(unknown),
    )
    moment = parse_timestamp(NOW)
    assert moment is not None
    return {r.rule_id: (r.status, r.path) for r in evaluate([record], policies.rules, moment)}


def _oidc(**changes: Any) -> dict[str, Any]:
    config = dict(OIDC)
    for key, value in changes.items():
        if value is None:
            config.pop(key)
        else:
            config[key] = value
    return {
        "WorkforceName": "x",
        "OidcConfig": config,
        "SourceIpConfig": {"Cidrs": ["10.0.0.0/16"]},
    }


@pytest.mark.parametrize(
    ("workforce", "unknown", "rule", "expected"),
    [
        # a rule that reads the unknown value, and nothing decides it otherwise
        (_oidc(Issuer=None), {"OidcConfig.Issuer"}, "WF032", (Status.UNKNOWN, "OidcConfig.Issuer")),
        (_oidc(Issuer=None), {"OidcConfig.Issuer"}, "WF033", (Status.UNKNOWN, "OidcConfig.Issuer")),
        # a known part of an all decides it, and only the known part is named
        (
            _oidc(Issuer=None, LogoutEndpoint="http://idp.example.com/logout"),
            {"OidcConfig.Issuer"},
            "WF032",
            (Status.FAIL, "OidcConfig.LogoutEndpoint"),
        ),
        (
            _oidc(TokenEndpoint=None, JwksUri="http://idp.example.com/jwks"),
            {"OidcConfig.TokenEndpoint"},
            "WF032",
            (Status.FAIL, "OidcConfig.JwksUri"),
        ),
        (_oidc(Issuer=None), {"OidcConfig.AuthorizationEndpoint"}, "WF031", (Status.SKIP, "")),
        # presence of a block is known when only values inside it are unknown
        (_oidc(Issuer=None), {"OidcConfig.Issuer"}, "WF030", (Status.PASS, "CognitoConfig")),
        # the whole block unknown: its presence is unknown too
        ({"WorkforceName": "x"}, {"OidcConfig"}, "WF030", (Status.UNKNOWN, "OidcConfig")),
        ({"WorkforceName": "x"}, {"OidcConfig"}, "WF032", (Status.UNKNOWN, "OidcConfig")),
        # a when that known values make false skips, whatever the assertion reads
        (
            {
                "WorkforceName": "x",
                "WorkforceVpcConfig": {
                    "VpcId": "vpc-1",
                    "Subnets": ["s-1", "s-2"],
                    "SecurityGroupIds": ["sg-1"],
                },
            },
            {"WorkforceVpcConfig.VpcEndpointId"},
            "WF021",
            (Status.SKIP, "Status"),
        ),
        (_oidc(), {"WorkforceVpcConfig"}, "WF010", (Status.PASS, "SourceIpConfig.Cidrs")),
        # a value read through another path (same_as _region) is a dependency as well
        (
            {"WorkforceName": "x", "CognitoConfig": {"UserPool": "eu-west-1_A", "ClientId": "c"}},
            {"_region"},
            "WF036",
            (Status.UNKNOWN, "_region"),
        ),
        # a when that depends on the unknown value is unknown
        (_oidc(Scope=None), {"OidcConfig.Scope"}, "WF034", (Status.UNKNOWN, "OidcConfig.Scope")),
        # cidrs unknown: every CIDR rule is unknown, a rule with an unset var still skips
        (
            {"WorkforceName": "x", "SourceIpConfig": {}},
            {"SourceIpConfig.Cidrs"},
            "WF011",
            (Status.UNKNOWN, "SourceIpConfig.Cidrs"),
        ),
        (
            {"WorkforceName": "x", "SourceIpConfig": {}},
            {"SourceIpConfig.Cidrs"},
            "WF013",
            (Status.SKIP, ""),
        ),
    ],
)
def test_unknown_decisions(
    workforce: dict[str, Any], unknown: set[str], rule: str, expected: tuple[Status, str]
) -> None:
    assert _statuses(workforce, unknown)[rule] == expected


def test_var_dependent_rule_with_unknown_value_is_unknown_once_the_var_is_set() -> None:
    statuses = _statuses(
        {"WorkforceName": "x", "SourceIpConfig": {}},
        {"SourceIpConfig.Cidrs"},
        "allowed_cidrs=10.0.0.0/8",
    )
    assert statuses["WF013"] == (Status.UNKNOWN, "SourceIpConfig.Cidrs")


def test_every_bundled_rule_reading_an_unknown_block_is_unknown_or_skipped() -> None:
    """With every block unknown nothing the configuration says may pass or fail."""
    unknown = {"CognitoConfig", "OidcConfig", "SourceIpConfig", "WorkforceVpcConfig", "_region"}
    statuses = _statuses(
        {"WorkforceName": "x", "IpAddressType": "dualstack"},  # WF015 applies
        unknown,
        "allowed_cidrs=10.0.0.0/8",
        "allowed_vpc_ids=vpc-1",
        "allowed_oidc_issuers=https://idp.example.com",
        "allowed_cognito_user_pools=eu-west-1_A",
        "require_private_cidrs=true",  # WF025 applies
    )
    service_only = {"WF001", "WF002", "WF021"}  # Status and dates: absent in a plan
    needs_related = {rule for rule, found in _rules().items() if kinds_read(found.reads)}
    for rule, (status, path) in statuses.items():
        if rule in service_only:
            continue
        if rule in needs_related:  # the record reads no related resources: not evaluated
            assert status is Status.SKIP, (rule, status)
            continue
        assert status is Status.UNKNOWN, (rule, status)
        assert any(path == gap or path.startswith(gap + ".") for gap in unknown), (rule, path)


def test_a_decided_failure_names_only_known_values() -> None:
    policies = load_policies([BUILTIN])
    workforce = _oidc(Issuer=None, TokenEndpoint=None, LogoutEndpoint="http://idp.example.com/out")
    record = make_record(
        workforce,
        source="plan.json",
        source_kind="terraform",
        region="eu-west-1",
        address="aws_sagemaker_workforce.x",
        unknown_paths=frozenset({"OidcConfig.Issuer", "OidcConfig.TokenEndpoint"}),
    )
    moment = parse_timestamp(NOW)
    assert moment is not None
    (result,) = [r for r in evaluate([record], policies.rules, moment) if r.rule_id == "WF032"]
    assert result.status is Status.FAIL
    assert "LogoutEndpoint" in result.message
    assert "Issuer" not in result.message and "TokenEndpoint" not in result.message


# --- what a path reads: exactly, function arguments and not the heads of the expression --------


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("split(CognitoConfig.UserPool, '_')[0]", {"CognitoConfig.UserPool"}),
        ("CognitoConfig.UserPool", {"CognitoConfig.UserPool"}),
        ("lower(OidcConfig.Issuer)", {"OidcConfig.Issuer"}),
        ("a.b || c", {"a.b", "c"}),
        ("a.b[0].c", {"a.b"}),  # an item of a list: the list stands for it
        ("a[*].b", {"a"}),
        ("a[?x == 'y'].z", {"a"}),
        ("a | b.c", {"a.b.c"}),
        ("{x: a.b, y: c}", {"a.b", "c"}),
        ("[a, b.c]", {"a", "b.c"}),
        ("sort_by(a, &b)", {"a"}),  # &b reads items of a, not the record's b
        ("length(@)", {"@"}),
        ("@", {"@"}),
        ("@.a", {"a"}),
        ("!(a.b)", {"a.b"}),
    ],
)
def test_fields_are_the_chains_read(path: str, fields: set[str]) -> None:
    assert _fields(jmespath.compile(path).parsed) == fields


def test_wf036_is_decided_when_only_the_client_id_is_unknown() -> None:
    """Issue 11: WF036 was unknown with "depends on CognitoConfig.ClientId"."""
    statuses = _statuses(
        {"WorkforceName": "x", "CognitoConfig": {"UserPool": "us-east-1_A"}},
        {"CognitoConfig.ClientId"},
    )
    assert statuses["WF036"] == (Status.FAIL, "split(CognitoConfig.UserPool, '_')[0]")


# --- every bundled rule x every single field unknown in turn -----------------------------------

VARS = (
    "allowed_cidrs=10.0.0.0/8",
    "allowed_vpc_ids=vpc-1",
    "allowed_oidc_issuers=https://idp.example.com",
    "allowed_cognito_user_pools=eu-west-1_A",
)
VPC = {
    "VpcId": "vpc-1",
    "Subnets": ["s-1", "s-2"],
    "SecurityGroupIds": ["sg-1"],
    "VpcEndpointId": "vpce-1",
}
BASES: dict[str, dict[str, Any]] = {
    "cognito": {
        "WorkforceName": "x",
        "WorkforceArn": "arn:aws:sagemaker:eu-west-1:111122223333:workforce/x",
        "SubDomain": "a.labeling.eu-west-1.sagemaker.aws",
        "CognitoConfig": {"UserPool": "eu-west-1_A", "ClientId": "c"},
        "SourceIpConfig": {"Cidrs": ["10.0.0.0/16"]},
        "WorkforceVpcConfig": VPC,
        "IpAddressType": "dualstack",
    },
    "oidc": {
        "WorkforceName": "x",
        "OidcConfig": dict(OIDC),
        "SourceIpConfig": {"Cidrs": ["10.1.2.3/16", "10.0.0.0/8"]},
    },
}
ENDPOINTS = ["https://idp.example.com/x", "http://idp.example.com/x", "https://evil.example/x"]
CANDIDATES: dict[str, list[Any]] = {
    "WorkforceName": ["x", "y"],
    "WorkforceArn": ["arn:aws:sagemaker:eu-west-1:111122223333:workforce/x"],
    "SubDomain": ["a.labeling.eu-west-1.sagemaker.aws"],
    "CognitoConfig": [{"UserPool": "eu-west-1_A", "ClientId": "c"}, {"UserPool": "us-east-1_B"}],
    "CognitoConfig.UserPool": ["eu-west-1_A", "us-east-1_B", "eu-west-1_C"],
    "CognitoConfig.ClientId": ["c", "d"],
    "OidcConfig": [dict(OIDC), dict(OIDC, Issuer="http://evil.example", Scope="email")],
    "OidcConfig.ClientId": ["c", "d"],
    "OidcConfig.Issuer": [
        "https://idp.example.com",
        "http://evil.example",
        "https://other.example",
    ],
    "OidcConfig.AuthorizationEndpoint": ENDPOINTS,
    "OidcConfig.TokenEndpoint": ENDPOINTS,
    "OidcConfig.UserInfoEndpoint": ENDPOINTS,
    "OidcConfig.LogoutEndpoint": ENDPOINTS,
    "OidcConfig.JwksUri": ENDPOINTS,
    "OidcConfig.Scope": ["openid", "email"],
    "SourceIpConfig": [{"Cidrs": ["10.0.0.0/16"]}, {"Cidrs": []}, {"Cidrs": ["0.0.0.0/0"]}],
    "SourceIpConfig.Cidrs": [["10.0.0.0/16"], [], ["0.0.0.0/0"], ["10.1.2.3/16"], ["192.0.2.0/24"]],
    "WorkforceVpcConfig": [VPC, {"VpcId": "vpc-2", "Subnets": ["s-1"], "SecurityGroupIds": []}],
    "WorkforceVpcConfig.VpcId": ["vpc-1", "vpc-2", ""],
    "WorkforceVpcConfig.Subnets": [["s-1", "s-2"], ["s-1"], []],
    "WorkforceVpcConfig.SecurityGroupIds": [["sg-1"], []],
    "WorkforceVpcConfig.VpcEndpointId": ["vpce-1", ""],
    "IpAddressType": ["ipv4", "dualstack"],
    "_region": ["eu-west-1", "us-east-1"],
}
FIELDS = tuple(CANDIDATES)

# What each bundled rule reads, as its policy says (not as the engine computes it): a value,
# or only whether a block is there ("presence").
PRESENCE, VALUE = "presence", "value"
OIDC_URLS = tuple(
    f"OidcConfig.{name}"
    for name in (
        *("Issuer", "AuthorizationEndpoint", "TokenEndpoint"),
        *("UserInfoEndpoint", "LogoutEndpoint", "JwksUri"),
    )
)
READS: dict[str, tuple[tuple[str, str], ...]] = {
    "WF001": (("Status", VALUE), ("FailureReason", VALUE)),
    "WF002": (("Status", VALUE), ("LastUpdatedDate", VALUE), ("CreateDate", VALUE)),
    **{rule: (("SourceIpConfig.Cidrs", VALUE),) for rule in ("WF010", "WF011", "WF012")},
    **{rule: (("SourceIpConfig.Cidrs", VALUE),) for rule in ("WF013", "WF014")},
    "WF015": (("IpAddressType", VALUE), ("SourceIpConfig.Cidrs", VALUE)),
    "WF020": (
        ("WorkforceVpcConfig", PRESENCE),
        ("WorkforceVpcConfig.VpcId", VALUE),
        ("WorkforceVpcConfig.Subnets", VALUE),
        ("WorkforceVpcConfig.SecurityGroupIds", VALUE),
    ),
    "WF021": (
        ("Status", VALUE),
        ("WorkforceVpcConfig", PRESENCE),
        ("WorkforceVpcConfig.VpcEndpointId", VALUE),
    ),
    "WF022": (("WorkforceVpcConfig", PRESENCE), ("WorkforceVpcConfig.Subnets", VALUE)),
    "WF023": (("WorkforceVpcConfig", PRESENCE), ("WorkforceVpcConfig.VpcId", VALUE)),
    **{rule: (("WorkforceVpcConfig", PRESENCE), ("SourceIpConfig.Cidrs", VALUE))
       for rule in ("WF024", "WF025")},
    "WF030": (("CognitoConfig", PRESENCE), ("OidcConfig", PRESENCE)),
    "WF031": (("OidcConfig", PRESENCE), ("OidcConfig.Issuer", VALUE)),
    "WF032": (("OidcConfig", PRESENCE), *((url, VALUE) for url in OIDC_URLS)),
    "WF033": (("OidcConfig", PRESENCE), *((url, VALUE) for url in OIDC_URLS)),
    "WF034": (("OidcConfig.Scope", VALUE),),
    "WF035": (("CognitoConfig", PRESENCE), ("CognitoConfig.UserPool", VALUE)),
    "WF036": (("CognitoConfig", PRESENCE), ("CognitoConfig.UserPool", VALUE), ("_region", VALUE)),
}  # fmt: skip


@lru_cache(maxsize=1)
def _rules() -> dict[str, Rule]:
    return {rule.info.id: rule for rule in load_policies([BUILTIN], overrides=VARS).rules}


def _related(field: str, read: str, how: str) -> bool:
    """Whether a value at ``field`` can change what the rule reads at ``read``."""
    if field == read or read.startswith(field + "."):
        return True
    return how == VALUE and field.startswith(read + ".")


def _with(workforce: dict[str, Any], field: str, value: Any) -> tuple[dict[str, Any], str | None]:
    """The workforce with ``field`` set (None: removed), and the region to evaluate with."""
    workforce = copy.deepcopy(workforce)
    if field == "_region":
        return workforce, value
    *parents, last = field.split(".")
    target = workforce
    for parent in parents:
        target = target[parent]
    if value is None:
        target.pop(last, None)
    else:
        target[last] = copy.deepcopy(value)
    return workforce, "eu-west-1"


def _result(
    workforce: dict[str, Any], region: str | None, unknown: frozenset[str], rule: str
) -> Result:
    record = make_record(
        workforce,
        source="plan.json",
        source_kind="terraform",
        region=region,
        address="aws_sagemaker_workforce.x",
        unknown_paths=unknown,
    )
    moment = parse_timestamp(NOW)
    assert moment is not None
    (result,) = evaluate([record], [_rules()[rule]], moment)
    return result


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for base_name, base in BASES.items():
        for field in FIELDS:
            parent = field.rsplit(".", 1)[0] if "." in field else None
            if parent is not None and parent not in base:
                continue  # a value inside a block the record does not have
            for rule in READS:
                cases.append((base_name, rule, field))
    return cases


def test_the_table_covers_every_bundled_rule() -> None:
    """Rules on related resources are covered by tests/engine (not evaluated, error)."""
    assert set(READS) == {rule for rule, found in _rules().items() if not kinds_read(found.reads)}


@pytest.mark.parametrize(("base", "rule", "field"), _cases())
def test_a_rule_is_unknown_only_when_a_value_it_reads_is_unknown(
    base: str, rule: str, field: str
) -> None:
    workforce = BASES[base]
    known = _result(*_with(workforce, field, _current(workforce, field)), frozenset(), rule)
    gapped, region = _with(workforce, field, None)
    result = _result(gapped, None if field == "_region" else region, frozenset({field}), rule)
    reads = READS[rule]
    if not any(_related(field, read, how) for read, how in reads):
        assert (result.status, result.message) == (known.status, known.message), (
            f"{rule} does not read {field}, yet its outcome changed: {result.message}"
        )
        return
    outcomes = {
        _result(*_with(workforce, field, value), frozenset(), rule).status
        for value in [None, *CANDIDATES[field]]
    }
    if result.status is Status.UNKNOWN:
        named = result.path
        assert named == field or named.startswith(field + "."), (rule, field, named)
        assert any(_related(named, read, how) or named == read for read, how in reads)
        assert result.message == f"depends on {named}, which is known only after apply"
    else:
        assert outcomes == {result.status}, (
            f"{rule} decided {result.status} with {field} unknown, but its values give {outcomes}"
        )


def _current(workforce: dict[str, Any], field: str) -> Any:
    if field == "_region":
        return "eu-west-1"
    value: Any = workforce
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# --- values known only as the object they name (Record.identity_paths) -------------------------

POOL = "${aws_cognito_user_pool.labelers.id}"
OTHER_POOL = "${aws_cognito_user_pool.other.id}"


def _identity_statuses(team_pool: str, *overrides: str) -> dict[str, Status]:
    """WF035, WF036 and WF041 on a create whose pool ids are known only after apply."""
    workforce = {
        "WorkforceName": "x",
        "CognitoConfig": {"UserPool": POOL, "ClientId": "${aws_cognito_user_pool_client.c.id}"},
        "Related": {
            "Workteams": [
                {
                    "WorkteamName": "t",
                    "MemberDefinitions": [
                        {
                            "CognitoMemberDefinition": {
                                "UserPool": team_pool,
                                "ClientId": "${aws_cognito_user_pool_client.c.id}",
                                "UserGroup": "g",
                            }
                        }
                    ],
                }
            ]
        },
    }
    identities = frozenset({"CognitoConfig.UserPool", "CognitoConfig.ClientId"})
    record = dataclasses.replace(
        make_record(
            workforce,
            source="plan.json",
            source_kind="terraform",
            region="eu-west-1",
            address="aws_sagemaker_workforce.x",
            unknown_paths=identities,
        ),
        identity_paths=identities,
    )
    policies = load_policies([BUILTIN], overrides=overrides)
    moment = parse_timestamp(NOW)
    assert moment is not None
    results = evaluate([record], policies.rules, moment)
    return {r.rule_id: r.status for r in results if r.rule_id in ("WF035", "WF036", "WF041")}


def test_the_same_object_on_both_sides_decides_an_equality() -> None:
    assert _identity_statuses(POOL)["WF041"] is Status.PASS
    assert _identity_statuses(OTHER_POOL)["WF041"] is Status.FAIL


def test_an_identity_decides_membership_in_a_list_of_existing_ids() -> None:
    """A pool the plan creates is in no allow-list of pools that exist."""
    found = _identity_statuses(POOL, "allowed_cognito_user_pools=eu-west-1_A")
    assert found["WF035"] is Status.FAIL


def test_a_path_that_looks_inside_an_identity_stays_unknown() -> None:
    """WF036 splits the pool id for its region: the placeholder has none, so it is unknown."""
    assert _identity_statuses(POOL)["WF036"] is Status.UNKNOWN


def test_an_identity_is_unknown_to_operators_that_read_its_content() -> None:
    from checker.policy.conditions import Leaf
    from checker.policy.operators import OPERATORS
    from checker.policy.paths import compile_path
    from checker.policy.unknowns import leaf_gap

    unknown = identities = frozenset({"CognitoConfig.UserPool"})
    path = compile_path("CognitoConfig.UserPool")
    same = Leaf(path, OPERATORS["same_as"], compile_path("Related.UserPool.Id"), "all")
    assert leaf_gap(same, unknown, identities) is None
    assert leaf_gap(same, unknown, frozenset()) == (
        "CognitoConfig.UserPool",
        "CognitoConfig.UserPool",
    )
    regex = Leaf(path, OPERATORS["matches"], OPERATORS["matches"].parse("^eu-"), "all")
    assert leaf_gap(regex, unknown, identities) is not None
    split = compile_path("split(CognitoConfig.UserPool, '_')[0]")
    assert leaf_gap(Leaf(split, OPERATORS["equals"], "eu-west-1", "all"), unknown, identities)
    assert sorted(name for name, op in OPERATORS.items() if op.by_identity) == [
        "absent",
        "count_at_least",
        "count_at_most",
        "equals",
        "exists",
        "in",
        "not_empty",
        "not_equals",
        "not_in",
        "same_as",
    ]
