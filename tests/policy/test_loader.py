"""Policy loading: every kind of mistake is reported with file:line:column and the rule id."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from checker.errors import PolicyError, UsageError
from checker.policy.loader import (
    BUILTIN,
    load_policies,
    not_evaluated_note,
    policy_schema,
    select_rules,
    unevaluated,
)
from checker.policy.operators import OPERATORS, Context

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)

GOOD_RULE = """\
version: 1
vars:
  allowed: [a]
rules:
  - id: T001
    title: t
    severity: low
    description: d
    remediation: r
    assert:
      path: Status
      op: equals
      value: Active
"""


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def error_for(tmp_path: Path, text: str, **kwargs: object) -> PolicyError:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policies([path], **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        (
            "      op: equals",
            "      op: equal",
            12,
            "unknown operator 'equal' (did you mean 'equals'?)",
        ),
        ("      value: Active", "      vaule: Active", 13, "unknown key 'vaule'"),
        ("    severity: low", "    severity: urgent", 7, "'urgent' is not one of"),
        ("    title: t\n", "", 5, "'title' is a required property"),
        (
            "      value: Active",
            "      value: Active\n      match: some",
            14,
            "'some' is not one of",
        ),
        ("    remediation: r", "    remediation: r\n    remedy: x", 10, "unknown key 'remedy'"),
        (
            "      op: equals\n      value: Active",
            "      op: matches\n      value: '(x'",
            13,
            "invalid regular expression",
        ),
        (
            "      op: equals\n      value: Active",
            "      op: cidr_within\n      value: [10.0.0.0/33]",
            13,
            "cidr_within",
        ),
        (
            "      op: equals\n      value: Active",
            "      op: url_in\n      value: [idp.example.com]",
            13,
            "not an absolute URL",
        ),
        (
            "      op: equals\n      value: Active",
            "      op: exists\n      value: x",
            13,
            "takes no value",
        ),
        ("      op: equals\n      value: Active", "      op: equals", 11, "needs a value"),
        ("      path: Status", "      path: Status[", 11, "invalid JMESPath"),
        ("      value: Active", "      value: ${var.alowed}", 5, "var 'alowed' is not defined"),
        (
            "      op: equals\n      value: Active",
            "      op: count_at_most\n      value: 3\n      match: any",
            14,
            "works on the whole value",
        ),
    ],
)
def test_policy_mistakes_are_located(
    tmp_path: Path, old: str, new: str, line: int, fragment: str
) -> None:
    assert old in GOOD_RULE
    error = error_for(tmp_path, GOOD_RULE.replace(old, new))
    text = str(error)
    assert error.line == line, text
    assert fragment in text
    assert text.startswith(f"{tmp_path / 'policy.yaml'}:{line}:")
    if error.line and error.line > 4:
        assert "T001" in text


def test_did_you_mean_for_unknown_keys(tmp_path: Path) -> None:
    error = error_for(tmp_path, GOOD_RULE.replace("    title: t", "    titel: t"))
    assert "unknown key 'titel'" in str(error)
    assert "did you mean 'title'?" in str(error)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD_RULE, "a.yaml")
    second = write(tmp_path, GOOD_RULE, "b.yaml")
    with pytest.raises(PolicyError) as info:
        load_policies([first, second])
    assert "duplicate rule id" in str(info.value)
    assert f"{first}:5" in str(info.value)
    assert info.value.file == second


def test_builtin_ids_clash_with_a_user_policy(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace("T001", "WF001"))
    with pytest.raises(PolicyError, match="duplicate rule id"):
        load_policies([BUILTIN, path])


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("version: 1\nrules: [\n", "invalid YAML", 3),
        ("version: 1\nrules:\n  - id: a\n   bad", "invalid YAML", 4),
        ("version: 1\nversion: 1\nrules: []\n", "duplicate key 'version'", 2),
        ("version: 2\nrules: []\n", "version: 1 was expected", 1),
        ("rules: []\n", "'version' is a required property", 1),
        ("- a\n- b\n", "is not of type 'object'", 1),
        ("version: 1\nrules: []\nbase: &b {a: 1}\nother:\n  <<: *b\n", "merge keys", 5),
        ("version: 1\nrules: !!python/object:os.system {}\n", "invalid YAML", 2),
    ],
)
def test_malformed_documents(tmp_path: Path, text: str, fragment: str, line: int) -> None:
    error = error_for(tmp_path, text)
    assert fragment in str(error)
    assert error.line == line


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    error = error_for(tmp_path, "\n".join(lines) + "\n")
    assert "alias bomb" in str(error)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    error = error_for(tmp_path, "version: 1\nrules: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nest" in str(error)  # our depth limit, or libyaml's own, whichever trips first
    assert error.line == 2


def test_non_utf8_policy(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"version: 1\n# caf\xe9\nrules: []\n")
    with pytest.raises(PolicyError) as info:
        load_policies([str(path)])
    assert "not valid UTF-8" in str(info.value)
    assert info.value.line == 2


def test_huge_policy_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    with pytest.raises(PolicyError, match="larger than"):
        load_policies([str(path)])


def test_directory_without_policies(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(PolicyError, match="holds no policy files"):
        load_policies([str(tmp_path)])


def test_missing_path() -> None:
    with pytest.raises(PolicyError, match="no such policy file"):
        load_policies(["/nonexistent/policy.yaml"])


def test_empty_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="empty"):
        load_policies([write(tmp_path, "# nothing\n")])


def test_directories_skip_tests_folders(tmp_path: Path) -> None:
    write(tmp_path, GOOD_RULE, "a.yaml")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "case.yaml").write_text("cases: []\n")
    assert [rule.info.id for rule in load_policies([str(tmp_path)]).rules] == ["T001"]


# --- vars ---------------------------------------------------------------------------------------


def test_var_overrides_and_types(tmp_path: Path) -> None:
    policies = load_policies(
        [BUILTIN],
        overrides=[
            "allowed_cidrs=10.0.0.0/8, 192.168.0.0/16",
            "min_ipv4_prefix=20",
            'allowed_oidc_issuers=["https://a.example.com"]',
        ],
    )
    assert policies.vars["allowed_cidrs"] == ["10.0.0.0/8", "192.168.0.0/16"]
    assert policies.vars["min_ipv4_prefix"] == 20
    assert policies.vars["allowed_oidc_issuers"] == ["https://a.example.com"]
    assert policies.var_sources["min_ipv4_prefix"] == "--var"
    assert policies.var_sources["min_ipv6_prefix"].endswith("network.yaml")


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        (
            "min_ipv4_prefix=sixteen",
            "--var min_ipv4_prefix: expected a whole number, got 'sixteen' (the default of "
            "min_ipv4_prefix is 16)",
        ),
        ("require_private_cidrs=yes", "expected true or false, got 'yes'"),
        ("min_ipv4_prefx=16", "unknown var (did you mean 'min_ipv4_prefix'?)"),
        ("no_equals_sign", "expected NAME=VALUE"),
        ("allowed_cidrs=[1,", "--var allowed_cidrs: '[1,' is not valid JSON"),
        ("allowed_cidrs=10.0.0.0/33", "cidr_within"),
    ],
)
def test_bad_var_overrides(override: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        load_policies([BUILTIN], overrides=[override])
    assert fragment in str(info.value)


def test_var_file(tmp_path: Path) -> None:
    var_file = write(tmp_path, "allowed_cidrs: [10.0.0.0/8]\n", "vars.yaml")
    policies = load_policies([BUILTIN], var_files=[var_file], overrides=["min_subnets=3"])
    assert policies.vars["allowed_cidrs"] == ["10.0.0.0/8"]
    assert policies.var_sources["allowed_cidrs"] == var_file
    assert policies.vars["min_subnets"] == 3


def test_var_file_unknown_var_is_located(tmp_path: Path) -> None:
    var_file = write(tmp_path, "allowed_cidrs: []\nalowed_vpc_ids: [vpc-1]\n", "vars.yaml")
    with pytest.raises(PolicyError) as info:
        load_policies([BUILTIN], var_files=[var_file])
    assert info.value.line == 2
    assert "did you mean 'allowed_vpc_ids'?" in str(info.value)


def test_unset_var_makes_rule_skip_with_its_name() -> None:
    rules = {rule.info.id: rule for rule in load_policies([BUILTIN]).rules}
    assert rules["WF013"].missing_vars == ("allowed_cidrs",)
    assert rules["WF033"].missing_vars == ()  # ${var.allowed_oidc_hosts?} is optional


def test_severity_overrides() -> None:
    rules = {
        r.info.id: r for r in load_policies([BUILTIN], severity_overrides={"WF022": "high"}).rules
    }
    assert rules["WF022"].info.severity == "high"
    with pytest.raises(PolicyError, match="unknown rule 'WF999'"):
        load_policies([BUILTIN], severity_overrides={"WF999": "high"})


# --- the published schema -----------------------------------------------------------------------


def test_schema_operator_enum_is_the_operator_table() -> None:
    schema = policy_schema()
    assert schema["$defs"]["leaf"]["properties"]["op"]["enum"] == sorted(OPERATORS)


def test_schema_is_shipped_and_valid_json() -> None:
    path = Path(__file__).resolve().parents[2] / "checker" / "policy" / "schema.json"
    assert json.loads(path.read_text())["title"] == "wfcheck policy file"


def test_bundled_pack_has_the_contract_ids_and_severities() -> None:
    expected = {
        "WF001": "high",
        "WF002": "medium",
        "WF010": "high",
        "WF011": "critical",
        "WF012": "medium",
        "WF013": "high",
        "WF014": "low",
        "WF015": "medium",
        "WF020": "high",
        "WF021": "medium",
        "WF022": "low",
        "WF023": "medium",
        "WF024": "high",
        "WF025": "medium",
        "WF030": "high",
        "WF031": "high",
        "WF032": "high",
        "WF033": "medium",
        "WF034": "low",
        "WF035": "medium",
        "WF036": "low",
        "WF040": "high",
        "WF041": "medium",
        "WF042": "low",
        "WF050": "high",
        "WF051": "high",
        "WF052": "medium",
        "WF053": "medium",
        "WF054": "low",
        "WF060": "high",
        "WF061": "low",
        "WF062": "high",
    }
    policies = load_policies([BUILTIN])
    assert {r.info.id: r.info.severity for r in policies.rules} == expected
    for rule in policies.rules:  # custom rules may leave these out; the bundled pack may not
        assert rule.info.description and rule.info.remediation and rule.info.references
        assert rule.info.tags and rule.info.controls
    assert policies.vars["max_transition_hours"] == 24
    assert policies.vars["min_ipv4_prefix"] == 16
    assert policies.vars["min_ipv6_prefix"] == 48
    assert policies.vars["min_subnets"] == 2


# --- custom rules: what they need, what they may add ---------------------------------------------

MINIMAL_RULE = """\
version: 1
vars:
  switch: false
rules:
  - id: ACME010
    title: Workforce is named labeling-*
    severity: low
    assert:
      path: WorkforceName
      op: matches
      value: ^labeling-
"""


def test_a_custom_rule_needs_only_id_title_severity_and_assert(tmp_path: Path) -> None:
    (rule,) = load_policies([write(tmp_path, MINIMAL_RULE)]).rules
    assert (rule.info.id, rule.info.title, rule.info.severity) == (
        "ACME010",
        "Workforce is named labeling-*",
        "low",
    )
    assert (rule.info.description, rule.info.remediation, rule.info.references) == ("", "", ())
    assert (rule.info.tags, rule.info.controls) == ((), ())


@pytest.mark.parametrize(
    ("addition", "line", "fragment"),
    [
        ("      message: 'name {WorkforceName'\n", 12, "message: unclosed '{'"),
        ("      message: 'name {split(WorkforceName)}'\n", 12, "split takes 2 arguments"),
        ("      message: 'over ${var.nope}'\n", 5, "var 'nope' is not defined"),
        ("      message: ''\n", 12, "should be non-empty"),
        ("    tags: [Network]\n", 8, "a tag: lower-case letters"),
        ("    tags: [net, net]\n", 8, "has non-unique elements"),
        ("    controls: []\n", None, None),
    ],
)
def test_messages_tags_and_controls_are_checked(
    tmp_path: Path, addition: str, line: int | None, fragment: str | None
) -> None:
    text = (
        MINIMAL_RULE + addition
        if addition.startswith("      ")
        else (MINIMAL_RULE.replace("    assert:\n", addition + "    assert:\n"))
    )
    if fragment is None:
        load_policies([write(tmp_path, text)])
        return
    error = error_for(tmp_path, text)
    assert fragment in str(error)
    assert error.line == line, str(error)


def test_regexes_re2_cannot_run_are_refused_with_their_line(tmp_path: Path) -> None:
    error = error_for(tmp_path, MINIMAL_RULE.replace("value: ^labeling-", r"value: '(a)\1'"))
    assert error.line == 11
    assert "backreferences and lookaround are not supported" in str(error)


def test_a_var_condition_turns_a_rule_on(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace(
        "    assert:\n",
        "    when: {var: switch, op: equals, value: true, message: switch is off}\n    assert:\n",
    )
    path = write(tmp_path, text)
    (off,) = load_policies([path]).rules
    (on,) = load_policies([path], overrides=["switch=true"]).rules
    assert off.info.vars == ("switch",) and off.missing_vars == ()
    assert off.when is not None and off.when.fields == frozenset()  # reads no record field
    assert not off.when.holds({}, Context(NOW)) and on.when is not None
    assert on.when.holds({}, Context(NOW))


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        ("{var: swich, op: equals, value: true}", "var 'swich' is not defined"),
        ("{var: switch, path: X, op: equals, value: true}", "give either path or var, not both"),
        ("{op: equals, value: true}", "'path' is a required property"),
    ],
)
def test_var_condition_mistakes(tmp_path: Path, when: str, fragment: str) -> None:
    text = MINIMAL_RULE.replace("    assert:\n", f"    when: {when}\n    assert:\n")
    assert fragment in str(error_for(tmp_path, text))


def test_a_rule_reads_what_its_messages_and_evidence_read(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace(
        "      value: ^labeling-\n",
        "      value: ^labeling-\n      message: '{WorkforceName} in {_region}'\n",
    ).replace(
        "    assert:\n",
        "    evidence: [FailureReason]\n    when: {path: Status, op: exists}\n    assert:\n",
    )
    (rule,) = load_policies([write(tmp_path, text)]).rules
    assert rule.fields == {"WorkforceName", "Status"}  # the verdict
    assert rule.when_reads == {"Status"}
    assert rule.assert_reads == {"WorkforceName", "_region", "FailureReason"}
    assert rule.reads == {"WorkforceName", "Status", "_region", "FailureReason"}


# --- selecting rules and naming those that cannot be evaluated -----------------------------------


IDENTITY_RELATED = ("WF050", "WF051", "WF052", "WF053", "WF054")


@pytest.mark.parametrize(
    ("include", "exclude", "tags", "expected"),
    [
        ((), (), ("ipv6",), ["WF015"]),
        (
            (),
            (),
            ("oidc", "cognito"),
            [*("WF031", "WF032", "WF033", "WF034", "WF035", "WF036"), *IDENTITY_RELATED],
        ),
        ((), (), ("workteam",), ["WF040", "WF041", "WF042"]),
        (("WF01*",), (), ("vpc",), []),
        (("WF02*",), ("WF022",), ("vpc",), ["WF020", "WF021", "WF023", "WF024", "WF025"]),
        (("WF001",), (), (), ["WF001"]),
    ],
)
def test_select_rules(
    include: tuple[str, ...], exclude: tuple[str, ...], tags: tuple[str, ...], expected: list[str]
) -> None:
    rules = load_policies([BUILTIN]).rules
    chosen = select_rules(rules, include, exclude, tags)
    assert [rule.info.id for rule in chosen] == expected


@pytest.mark.parametrize(
    ("include", "tags", "message"),
    [
        (("WF999",), (), "rule pattern 'WF999' matches no loaded rule"),
        ((), ("netwrok",), "tag 'netwrok' is on no loaded rule (did you mean 'network'?)"),
    ],
)
def test_select_rules_refuses_what_matches_nothing(
    include: tuple[str, ...], tags: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UsageError) as info:
        select_rules(load_policies([BUILTIN]).rules, include, (), tags)
    assert str(info.value) == message


def test_rules_that_cannot_be_evaluated_are_named_with_their_vars() -> None:
    policies = load_policies([BUILTIN])
    assert policies.unevaluated == {
        "WF013": ("allowed_cidrs",),
        "WF023": ("allowed_vpc_ids",),
        "WF031": ("allowed_oidc_issuers",),
        "WF035": ("allowed_cognito_user_pools",),
    }
    assert not_evaluated_note("WF013", policies.unevaluated["WF013"]) == (
        "WF013 not evaluated: set allowed_cidrs"
    )
    assert not_evaluated_note("X1", ("a", "b")) == "X1 not evaluated: set a, b"
    set_one = load_policies([BUILTIN], overrides=["allowed_cidrs=10.0.0.0/8"])
    assert "WF013" not in set_one.unevaluated
    chosen = select_rules(policies.rules, ("WF02*",))
    assert unevaluated(chosen) == {"WF023": ("allowed_vpc_ids",)}


def test_an_opt_in_rule_is_not_applicable_rather_than_unevaluated() -> None:
    """require_private_cidrs is false by default: WF025 skips as not applicable, which
    --require-vars must not count as a var left unset."""
    assert "WF025" not in load_policies([BUILTIN]).unevaluated
