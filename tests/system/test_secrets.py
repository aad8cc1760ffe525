"""Secrets in a plan never reach any output, message, error or log.

``terraform show -json`` writes ``oidc_config[0].client_secret`` (and sensitive variables) in
clear text; only ``after_sensitive`` marks them. The client secret is never read at all; other
values marked sensitive are evaluated (a ``0.0.0.0/0`` behind ``sensitive()`` still fails) and
shown as ``(sensitive)``, with nothing derived from them (a URL's host, a CIDR's network or
prefix). Every report format is taken from the registry at test time, so a format added later
is covered without editing this file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.reports import WRITER_BY_NAME
from tests.conftest import EXAMPLES, NOW
from tests.helpers import CliResult, flat_results, run_cli

CANARY = "CANARY-oidc-secret-Zq81xT4w"
SENSITIVE_ISSUER = "https://canary-sensitive-issuer.example.com"
EXAMPLE_SECRETS = ("labeling-client-secret-2f8d6c1a9e", "vendor-client-secret-5b7e3a0c4d")
NEEDLES = (CANARY, "Zq81xT4w", "canary-sensitive-issuer")


def _canary_plan() -> dict[str, Any]:
    """The example plan with every secret replaced by the canary, plus a sensitive issuer."""
    text = (EXAMPLES / "terraform" / "plan.json").read_text()
    for secret in EXAMPLE_SECRETS:
        assert secret in text
        text = text.replace(secret, CANARY)
    plan: dict[str, Any] = json.loads(text)
    # a value Terraform marks sensitive (an issuer from a sensitive variable) is withheld too
    vendor = next(c for c in plan["resource_changes"] if c["address"].startswith("module.vendor"))
    vendor["change"]["after"]["oidc_config"][0]["issuer"] = SENSITIVE_ISSUER
    vendor["change"]["after_sensitive"]["oidc_config"][0]["issuer"] = True
    return plan


@pytest.fixture
def plan_path(tmp_path: Path) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_canary_plan(), indent=2))
    assert CANARY in path.read_text()
    return str(path)


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Capture every log record at DEBUG, so a leak into a debug log fails the test too."""
    with caplog.at_level(logging.DEBUG):
        yield
    assert not any(needle in caplog.text for needle in NEEDLES)


def _assert_clean(result: CliResult, *files: Path) -> None:
    for needle in NEEDLES:
        assert needle not in result.out
        assert needle not in result.err
        for file in files:
            assert needle not in file.read_text(encoding="utf-8", errors="replace"), file


@pytest.mark.parametrize("fmt", sorted(WRITER_BY_NAME))
@pytest.mark.parametrize("extra", [(), ("--show-passed", "--include-unchanged")])
def test_no_format_shows_the_secret(plan_path: str, fmt: str, extra: tuple[str, ...]) -> None:
    result = run_cli("scan", "--terraform", plan_path, "--format", fmt, "--now", NOW, *extra)
    assert result.code == 1, result.err  # the example trips rules: the report is not empty
    assert result.out
    _assert_clean(result)


@pytest.mark.parametrize("fmt", sorted(WRITER_BY_NAME))
def test_no_output_file_shows_the_secret(plan_path: str, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"report.{fmt}"
    result = run_cli(
        "scan",
        "--terraform",
        plan_path,
        "--format",
        fmt,
        "--output",
        str(output),
        "--now",
        NOW,
        "--fail-on-unknown",
    )
    assert result.code == 1, result.err
    assert output.stat().st_size > 0
    _assert_clean(result, output)


def test_no_extra_report_file_shows_the_secret(plan_path: str, tmp_path: Path) -> None:
    parser_help = run_cli("scan", "--help").out
    assert "--report" in parser_help  # the option this test exercises exists
    files = [tmp_path / f"extra.{fmt}" for fmt in sorted(WRITER_BY_NAME)]
    specs = [
        arg
        for fmt, file in zip(sorted(WRITER_BY_NAME), files, strict=True)
        for arg in ("--report", f"{fmt}={file}")
    ]
    result = run_cli("scan", "--terraform", plan_path, *specs, "--now", NOW)
    assert result.code == 1, result.err
    assert all(file.stat().st_size > 0 for file in files)
    _assert_clean(result, *files)


def test_no_baseline_file_shows_the_secret(plan_path: str, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    result = run_cli(
        "scan",
        "--terraform",
        plan_path,
        "--write-baseline",
        str(baseline),
        "--include-unchanged",
        "--now",
        NOW,
    )
    assert result.code in (0, 1), result.err
    assert baseline.stat().st_size > 0
    _assert_clean(result, baseline)


def _broken(edit: Any) -> dict[str, Any]:
    plan = _canary_plan()
    edit(plan)
    return plan


def _vendor(plan: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(
        c for c in plan["resource_changes"] if c["address"].startswith("module.vendor")
    )
    return found


ERRORS: list[tuple[str, Any]] = [
    # a JSON syntax error right after the secret
    ("syntax", json.dumps(_canary_plan(), indent=2).replace(f'"{CANARY}"', f'"{CANARY}" "x"', 1)),
    ("truncated-in-secret", json.dumps(_canary_plan()).split(CANARY)[0] + CANARY),
    # wrong types where the secret sits, or with the secret as the value
    (
        "endpoint-is-secret-object",
        _broken(
            lambda p: _vendor(p)["change"]["after"]["oidc_config"][0].update(
                token_endpoint={"value": CANARY}
            )
        ),
    ),
    (
        "block-is-secret-string",
        _broken(lambda p: _vendor(p)["change"]["after"].update(oidc_config=CANARY)),
    ),
    (
        "name-is-secret-list",
        _broken(lambda p: _vendor(p)["change"]["after"].update(workforce_name=[CANARY])),
    ),
    ("format-version-is-secret", _broken(lambda p: p.update(format_version=CANARY))),
    ("actions-are-secret", _broken(lambda p: _vendor(p)["change"].update(actions=CANARY))),
    (
        "actions-hold-secret",
        _broken(lambda p: _vendor(p)["change"].update(actions=["create", CANARY], after=[CANARY])),
    ),
    (
        "sensitive-marker-is-secret",
        _broken(lambda p: _vendor(p)["change"].update(before_sensitive=CANARY)),
    ),
    ("after-is-secret", _broken(lambda p: _vendor(p)["change"].update(after=CANARY))),
    ("not-utf8", None),
]


@pytest.mark.parametrize(("name", "content"), ERRORS, ids=[name for name, _ in ERRORS])
@pytest.mark.parametrize("command", ["scan", "validate"])
def test_errors_never_show_the_secret(
    tmp_path: Path, name: str, content: Any, command: str
) -> None:
    path = tmp_path / "plan.json"
    if content is None:
        path.write_bytes(
            json.dumps(_canary_plan())
            .replace(CANARY, CANARY + "\udcff", 1)
            .encode("utf-8", errors="surrogateescape")
        )
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    assert CANARY.encode() in path.read_bytes()
    argv = (
        ["scan", "--terraform", str(path), "--now", NOW]
        if command == "scan"
        else ["validate", str(path)]
    )
    result = run_cli(*argv)
    assert result.code == 2, (name, result.out, result.err)
    assert str(path) in result.err
    _assert_clean(result)


def test_a_sensitive_value_of_a_wrong_type_is_an_error_that_does_not_show_it(
    tmp_path: Path,
) -> None:
    """The vendor's issuer is marked sensitive and malformed: exit 2, naming only its type."""
    plan = _broken(
        lambda p: _vendor(p)["change"]["after"]["oidc_config"][0].update(issuer={"value": CANARY})
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_cli("scan", "--terraform", str(path), "--format", "json", "--now", NOW)
    assert result.code == 2, result.err
    assert "oidc_config[0].issuer: expected a string, got an object" in result.err
    _assert_clean(result)


def test_a_secret_of_a_wrong_type_is_still_never_read(tmp_path: Path) -> None:
    plan = _broken(
        lambda p: _vendor(p)["change"]["after"]["oidc_config"][0].update(
            client_secret={"nested": [CANARY]}
        )
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_cli("scan", "--terraform", str(path), "--format", "json", "--now", NOW)
    assert result.code == 1
    _assert_clean(result)


# --- a corpus of sensitive values through every bundled rule and every format --------------------

# (runs also give --region, as a provider block would: the whole-sensitive ARN hides its own)
CORPUS_VARS = (
    "allowed_cidrs=10.0.0.0/8",
    "allowed_vpc_ids=vpc-1",
    "allowed_oidc_issuers=https://idp.example.com",
    "allowed_cognito_user_pools=eu-west-1_A",
)
HIDDEN_CIDRS = ["198.18.77.5/7", "203.0.113.77/31", "2001:db8:dead:beef::/33", "203.0.113.77/31"]
HIDDEN_ISSUER = "https://Secret-IdP.corp-hidden.example:8443/realms/x"
HIDDEN_SINK = "http://Token-Sink.leak-target.example/t"


def _corpus_change(name: str, after: dict[str, Any], sensitive: Any) -> dict[str, Any]:
    base = {
        "workforce_name": name,
        "cognito_config": [],
        "oidc_config": [],
        "source_ip_config": [{"cidrs": ["10.0.0.0/16"]}],
        "workforce_vpc_config": [],
    }
    base.update(after)
    return {
        "address": f"aws_sagemaker_workforce.{name.replace('-', '_')}",
        "mode": "managed",
        "type": "aws_sagemaker_workforce",
        "name": name.replace("-", "_"),
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": ["update"],
            "before": None,
            "after": base,
            "after_unknown": {},
            "before_sensitive": False,
            "after_sensitive": sensitive,
        },
    }


COGNITO_OK = [{"client_id": "c", "user_pool": "eu-west-1_A"}]


def _corpus_plan(marked: bool) -> dict[str, Any]:
    """Workforces whose sensitive values trip every bundled rule that can see them."""
    oidc = {
        "client_id": "hidden-oidc-client-Jm5",
        "issuer": HIDDEN_ISSUER,
        "authorization_endpoint": HIDDEN_ISSUER + "/authorize",
        "token_endpoint": HIDDEN_SINK,
        "user_info_endpoint": HIDDEN_ISSUER + "/userinfo",
        "logout_endpoint": HIDDEN_ISSUER + "/logout",
        "jwks_uri": HIDDEN_ISSUER + "/jwks",
        "scope": "email-without-oid-Zx9",
        "authentication_request_extra_params": {"hidden_param": "hidden-param-value-Tt8"},
    }
    changes = [
        _corpus_change(
            "cidrs",
            {"cognito_config": COGNITO_OK, "source_ip_config": [{"cidrs": HIDDEN_CIDRS}]},
            {"source_ip_config": [{"cidrs": True}]},
        ),
        _corpus_change(
            "oidc-block",
            {"oidc_config": [oidc], "cognito_config": COGNITO_OK},  # both: WF030 shows the block
            {"oidc_config": True},
        ),
        _corpus_change(
            "oidc-only",
            {"oidc_config": [oidc]},
            {
                "oidc_config": [
                    {
                        "issuer": True,
                        "token_endpoint": True,
                        "authorization_endpoint": True,
                        "user_info_endpoint": True,
                        "logout_endpoint": True,
                        "jwks_uri": True,
                        "scope": True,
                        "client_id": True,
                        "authentication_request_extra_params": True,
                    }
                ]
            },
        ),
        _corpus_change(
            "pool",
            {
                "cognito_config": [
                    {"client_id": "hidden-client-id-Kk2", "user_pool": "ap-south-1_HiddenPool77"}
                ]
            },
            {"cognito_config": [{"user_pool": True, "client_id": True}]},
        ),
        _corpus_change(
            "vpc",
            {
                "cognito_config": COGNITO_OK,
                "workforce_vpc_config": [
                    {
                        "vpc_id": "vpc-hidden0badc0ffee",
                        "subnets": ["subnet-hidden-only-one"],
                        "security_group_ids": [],
                        "vpc_endpoint_id": "",
                    }
                ],
            },
            {"workforce_vpc_config": True},
        ),
        _corpus_change(
            "whole",
            {
                "workforce_name": "hidden-workforce-name-Vb3",
                "arn": "arn:aws:sagemaker:eu-west-1:999988887777:workforce/hidden-arn-Qp4",
                "subdomain": "hidden-subdomain-Lm6.labeling.eu-west-1.sagemaker.aws",
                "cognito_config": [{"client_id": "c", "user_pool": "sa-east-1_WholePool"}],
                "source_ip_config": [{"cidrs": ["100.64.0.1/10"]}],
            },
            True,
        ),
    ]
    if not marked:
        for item in changes:
            item["change"]["after_sensitive"] = {}
    return {"format_version": "1.2", "resource_changes": changes}


def _networks() -> list[str]:
    import ipaddress

    return sorted(
        {str(ipaddress.ip_network(c, strict=False)) for c in [*HIDDEN_CIDRS, "100.64.0.1/10"]}
    )


CORPUS_NEEDLES = (
    *HIDDEN_CIDRS,
    "100.64.0.1",
    *_networks(),  # what cidr_canonical derives: the network address
    "prefix /7",
    "prefix /10",
    "33,554,432",
    "4,194,304",  # what the prefix checks derive: the prefix and the address count
    "Secret-IdP",
    "secret-idp.corp-hidden.example",
    "corp-hidden",
    "token-sink.leak-target.example",
    "Token-Sink",
    "leak-target",  # hosts, in any case
    "email-without-oid-Zx9",
    "hidden-oidc-client-Jm5",
    "hidden-param-value-Tt8",
    "ap-south-1",  # what split(UserPool, '_')[0] derives
    "HiddenPool77",
    "hidden-client-id-Kk2",
    "vpc-hidden0badc0ffee",
    "subnet-hidden-only-one",
    "hidden-workforce-name-Vb3",
    "999988887777",
    "hidden-arn-Qp4",
    "hidden-subdomain-Lm6",
    "WholePool",
    "sa-east-1",
)


def _corpus_outputs(tmp_path: Path, marked: bool) -> dict[str, str]:
    path = tmp_path / ("marked.json" if marked else "plain.json")
    path.write_text(json.dumps(_corpus_plan(marked), indent=2))
    overrides = [arg for var in CORPUS_VARS for arg in ("--var", var)] + ["--region", "eu-west-1"]
    outputs = {}
    for fmt in sorted(WRITER_BY_NAME):
        result = run_cli(
            "scan", "--terraform", str(path), *overrides, "--format", fmt, "--show-passed",
            "--now", NOW,
        )  # fmt: skip
        assert result.code == 1, (fmt, result.err)
        outputs[fmt] = result.out
        outputs[f"{fmt} stderr"] = result.err
    return outputs


def test_no_sensitive_value_nor_what_derives_from_it_reaches_any_output(tmp_path: Path) -> None:
    plain = "\n".join(_corpus_outputs(tmp_path, marked=False).values())
    shown = [needle for needle in CORPUS_NEEDLES if needle in plain]
    # the needles are real: without the sensitive markers the reports show nearly all of them;
    # these few no bundled message quotes (client ids, the subdomain, a subnet id, values past
    # the 200 characters a message shows of a block), and they stay needles all the same
    unquoted = {
        "hidden-subdomain-Lm6",
        "hidden-param-value-Tt8",
        "hidden-oidc-client-Jm5",
        "hidden-client-id-Kk2",
        "subnet-hidden-only-one",
    }
    assert set(CORPUS_NEEDLES) - set(shown) <= unquoted
    assert len(shown) >= len(CORPUS_NEEDLES) - len(unquoted)
    for fmt, text in _corpus_outputs(tmp_path, marked=True).items():
        leaked = [needle for needle in CORPUS_NEEDLES if needle in text]
        assert leaked == [], fmt


def test_sensitive_values_keep_their_verdicts(tmp_path: Path) -> None:
    """Masking changes messages, never statuses."""
    verdicts = {}
    for marked in (False, True):
        path = tmp_path / f"{marked}.json"
        path.write_text(json.dumps(_corpus_plan(marked)))
        overrides = [arg for var in CORPUS_VARS for arg in ("--var", var)]
        result = run_cli(
            "scan", "--terraform", str(path), *overrides, "--region", "eu-west-1",
            "--format", "json", "--now", NOW,
        )  # fmt: skip
        verdicts[marked] = {
            (r["resource"]["address"], r["rule_id"]): r["status"]
            for r in flat_results(json.loads(result.out))
        }
    assert verdicts[True] == verdicts[False]
    assert sum(status == "fail" for status in verdicts[True].values()) >= 15
