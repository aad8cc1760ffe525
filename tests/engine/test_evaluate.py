"""The engine: one result per (record, rule), statuses, messages, memoization, parallel runs."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from checker import engine
from checker.engine import evaluate, evaluate_all
from checker.model import Status
from checker.policy.loader import BUILTIN, load_policies
from checker.policy.operators import OPERATORS, Operator
from checker.results import ResultStore
from checker.sources.base import make_record

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def record(**fields: object):  # type: ignore[no-untyped-def]
    workforce = {
        "WorkforceName": "wf",
        "WorkforceArn": "arn:aws:sagemaker:eu-west-1:123456789012:workforce/wf",
        "Status": "Active",
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]},
        **fields,
    }
    return make_record(workforce, source="test", source_kind="file")


def results_by_rule(rec, *overrides: str):  # type: ignore[no-untyped-def]
    rules = load_policies([BUILTIN], overrides=list(overrides)).rules
    return {result.rule_id: result for result in evaluate([rec], rules, NOW)}


def test_one_result_per_record_and_rule() -> None:
    rules = load_policies([BUILTIN]).rules
    results = list(evaluate([record(), record(WorkforceName="other")], rules, NOW))
    assert len(results) == 2 * len(rules)
    assert [r.rule_id for r in results[: len(rules)]] == sorted(r.info.id for r in rules)


def test_fail_message_names_path_index_and_value() -> None:
    rec = record(SourceIpConfig={"Cidrs": ["10.0.0.0/16", "0.0.0.0/0"]})
    result = results_by_rule(rec)["WF012"]
    assert result.status is Status.FAIL
    assert result.message == (
        'SourceIpConfig.Cidrs[1] "0.0.0.0/0" admits every IPv4 address (prefix /0); '
        "expected /16 or narrower"
    )
    assert result.path == "SourceIpConfig.Cidrs"
    assert result.severity == "medium"
    assert result.remediation.startswith("Narrow each CIDR")


def test_failed_status_carries_failure_reason() -> None:
    rec = record(Status="Failed", FailureReason="subnet-1 does not exist")
    result = results_by_rule(rec)["WF001"]
    assert result.status is Status.FAIL
    assert 'FailureReason: "subnet-1 does not exist"' in result.message
    assert result.evidence == (("FailureReason", '"subnet-1 does not exist"'),)


def test_unset_var_skips_and_names_the_var() -> None:
    result = results_by_rule(record())["WF013"]
    assert result.status is Status.SKIP
    assert result.message == "var allowed_cidrs is not set"


def test_when_not_holding_skips_with_reason() -> None:
    result = results_by_rule(record())["WF032"]
    assert result.status is Status.SKIP
    assert result.message == "not applicable: OidcConfig is absent"


def test_malformed_cidr_never_passes() -> None:
    results = results_by_rule(
        record(SourceIpConfig={"Cidrs": ["10.0.0.0/8", "garbage"]}),
        "allowed_cidrs=10.0.0.0/8",
        "min_ipv4_prefix=8",
    )
    for rule_id in ("WF011", "WF012", "WF013", "WF014"):
        assert results[rule_id].status is Status.FAIL, rule_id
        assert '"garbage" is not a valid CIDR' in results[rule_id].message


def test_unrestricted_workforce_reads_as_empty_cidrs() -> None:
    results = results_by_rule(record(SourceIpConfig={"Cidrs": []}))
    assert results["WF010"].status is Status.FAIL
    assert results["WF010"].message == (
        "SourceIpConfig.Cidrs is []: the worker portal admits every IP address "
        "(expected at least one CIDR)"
    )
    assert results["WF011"].status is Status.SKIP  # WF010 owns the finding


def test_a_raising_operator_is_an_error_result(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(
        OPERATORS,
        "not_equals",
        Operator("not_equals", "each", explode, "explodes", "literal", lambda v: v),
    )
    results = results_by_rule(record())
    assert results["WF001"].status is Status.ERROR
    assert "ZeroDivisionError: boom" in results["WF001"].message
    assert results["WF010"].status is Status.PASS  # the other rules still ran


def test_unknown_paths_give_unknown_status() -> None:
    rec = make_record(
        {"WorkforceName": "wf", "SourceIpConfig": {"Cidrs": []}},
        source="plan.json",
        source_kind="terraform",
        unknown_paths=frozenset({"SourceIpConfig.Cidrs"}),
    )
    results = results_by_rule(rec)
    assert results["WF010"].status is Status.UNKNOWN
    assert "SourceIpConfig.Cidrs" in results["WF010"].message
    assert results["WF001"].status is Status.SKIP  # a plan has no Status
    assert results["WF013"].status is Status.SKIP  # var unset beats unknown


def test_memoized_and_direct_evaluation_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.synthetic import synthetic_workforces

    rules = load_policies([BUILTIN], overrides=["allowed_cidrs=203.0.113.0/24"]).rules
    records = [
        make_record(w, source="s", source_kind="file")
        for w in synthetic_workforces(3000, hostile=False)
    ]
    memoized = list(evaluate(records, rules, NOW))
    monkeypatch.setattr(engine.memo, "top_level_names", lambda fields: None)  # memo off everywhere
    direct = list(evaluate(records, rules, NOW))
    assert memoized == direct


def _store_of(records, rules, monkeypatch: pytest.MonkeyPatch, *, batch: int):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(engine.parallel, "BATCH_RECORDS", batch)
    store = ResultStore([rule.info for rule in rules])
    evaluate_all(store, iter(records), rules, NOW)
    return store


@pytest.mark.parametrize("hostile", [False, True])
def test_parallel_evaluation_matches_sequential(
    monkeypatch: pytest.MonkeyPatch, hostile: bool
) -> None:
    from benchmarks.synthetic import synthetic_workforces

    rules = load_policies([BUILTIN]).rules
    records = [
        make_record(w, source="s", source_kind="file")
        for w in synthetic_workforces(2500, hostile=hostile)
    ]
    forks: list[int] = []
    real_fork = engine.parallel._fork

    def counted(*args):  # type: ignore[no-untyped-def]
        child = real_fork(*args)
        forks.append(child is not None)
        return child

    monkeypatch.setattr(engine.parallel, "_fork", counted)
    monkeypatch.setattr(engine.parallel, "can_fork", lambda: True)
    store = _store_of(records, rules, monkeypatch, batch=300)
    assert len(forks) == 2500 // 300 - 1 and all(forks)  # every full batch but the first
    assert list(store) == list(evaluate(records, rules, NOW))  # input order, rows intact
    assert [r.resource for r in store][:: len(rules)] == [r.resource for r in records]


def test_a_failed_child_is_evaluated_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.synthetic import synthetic_workforces

    rules = load_policies([BUILTIN]).rules
    records = [make_record(w, source="s", source_kind="file") for w in synthetic_workforces(900)]

    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("the child dies before it answers")

    monkeypatch.setattr(engine.parallel, "_encode", broken)
    monkeypatch.setattr(engine.parallel, "can_fork", lambda: True)
    store = _store_of(records, rules, monkeypatch, batch=200)
    assert list(store) == list(evaluate(records, rules, NOW))


def test_the_childs_share_follows_whether_its_answer_was_ready() -> None:
    share = engine.parallel._Share()
    low, high = engine.parallel.SHARE_RANGE
    start = share.value
    share.answered(ready=True)
    assert share.value > start  # the child finished first: it gets more
    share.answered(ready=False)
    assert share.value < start  # this process waited: the child gets less
    for _ in range(100):
        share.answered(ready=False)
    assert share.value == low
    for _ in range(100):
        share.answered(ready=True)
    assert share.value == high


def test_a_finished_child_is_seen_as_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """Readiness is whether the answer is already in the pipe, not how long reading takes."""
    from benchmarks.synthetic import synthetic_workforces

    rules = load_policies([BUILTIN]).rules
    records = [make_record(w, source="s", source_kind="file") for w in synthetic_workforces(50)]
    evaluator = engine.parallel._Evaluator(rules, NOW)
    child = engine.parallel._fork(records, evaluator)
    assert child is not None
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # done, not yet reaped
    store = ResultStore([rule.info for rule in rules])
    assert engine.parallel._collect(store, child, evaluator) is True
    assert list(store) == list(evaluate(records, rules, NOW))


def test_no_fork_when_forking_is_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.synthetic import synthetic_workforces

    rules = load_policies([BUILTIN]).rules
    records = [make_record(w, source="s", source_kind="file") for w in synthetic_workforces(700)]
    monkeypatch.setattr(engine.parallel, "can_fork", lambda: False)
    monkeypatch.setattr(engine.parallel, "_fork", lambda *args: pytest.fail("forked"))
    store = _store_of(records, rules, monkeypatch, batch=100)
    assert list(store) == list(evaluate(records, rules, NOW))


def test_memo_never_confuses_equal_looking_values() -> None:
    rules = load_policies([BUILTIN]).rules
    a = record(SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    b = record(SourceIpConfig={"Cidrs": ["10.0.0.0/16"]})
    results = list(evaluate([a, b, a], rules, NOW))
    wf012 = [r for r in results if r.rule_id == "WF012"]
    assert [r.status for r in wf012] == [Status.FAIL, Status.PASS, Status.FAIL]


def test_examples_trip_every_bundled_rule() -> None:
    import json

    data = json.loads(
        (Path(__file__).resolve().parents[2] / "examples" / "workforces.json").read_text()
    )
    records = [make_record(w, source="x", source_kind="file") for w in data["Workforces"]]
    policies = load_policies(
        [BUILTIN],
        var_files=[str(Path(__file__).resolve().parents[2] / "examples" / "vars.yaml")],
        overrides=["require_private_cidrs=true"],  # WF025 is opt-in
    )
    results = list(evaluate(records, policies.rules, NOW))
    failing = {r.rule_id for r in results if r.status is Status.FAIL}
    assert failing == {rule.info.id for rule in policies.rules}
    compliant = [r for r in results if r.resource.name == "labeling-prod"]
    assert {r.status for r in compliant} <= {Status.PASS, Status.SKIP}


# --- the memo keys on everything a rule reads -----------------------------------------------------

CROSS_FIELD = """\
version: 1
rules:
  - id: T1
    title: t
    severity: low
    assert:
      path: WorkforceName
      op: {op}
      value: Owner
      message: {message}
"""


def _cross_field_rules(tmp_path: Path, op: str, message: str = "'{WorkforceName}'") -> list:  # type: ignore[type-arg]
    policy = tmp_path / "p.yaml"
    policy.write_text(CROSS_FIELD.format(op=op, message=message))
    return list(load_policies([str(policy)]).rules)


def test_a_check_cannot_read_an_undeclared_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old bug: a check reading ``ctx.doc["Owner"]`` was memoized on WorkforceName only, so
    the second record got the first one's cached pass. A check has no record to read now."""

    def reads_the_record(item: object, value: object, ctx: object) -> str | None:
        return None if item == ctx.doc["Owner"] else "differs"  # type: ignore[attr-defined]

    sneaky = replace(OPERATORS["equals"], name="equals", check=reads_the_record)
    monkeypatch.setitem(OPERATORS, "equals", sneaky)
    rules = _cross_field_rules(tmp_path, "equals")
    records = [record(WorkforceName="a", Owner="a"), record(WorkforceName="a", Owner="b")]
    statuses = [result.status for result in evaluate(records, rules, NOW)]
    assert statuses == [Status.ERROR, Status.ERROR]  # never a (cached) pass


def test_a_declared_other_path_is_part_of_the_memo_key(tmp_path: Path) -> None:
    rules = _cross_field_rules(tmp_path, "same_as")
    records = [
        record(WorkforceName="a", Owner="a" if n % 3 else "b") for n in range(6000)
    ]  # one WorkforceName: a memo keyed on it alone would answer every record the same
    statuses = [result.status for result in evaluate(records, rules, NOW)]
    assert statuses == [Status.PASS if n % 3 else Status.FAIL for n in range(6000)]


def test_a_message_template_is_part_of_the_memo_key(tmp_path: Path) -> None:
    rules = _cross_field_rules(tmp_path, "same_as", "'owner {Team}'")
    records = [record(WorkforceName="a", Owner="b", Team=f"team-{n % 2}") for n in range(6000)]
    messages = [result.message for result in evaluate(records, rules, NOW)]
    assert messages == [f'owner "team-{n % 2}"' for n in range(6000)]


def test_records_without_related_data_get_what_full_evaluation_gives() -> None:
    """On a record whose source read no related resources, a rule that needs them evaluates
    only its ``when``; its outcome must be what evaluating the whole rule and then marking it
    not evaluated gives, for every bundled rule and every policy-test workforce."""
    import json

    from checker.cli.policytests import find_test_files, load_test_file
    from checker.engine.evaluate import RelatedNeed, record_outcomes, related_outcome
    from checker.engine.memo import RulePlan
    from checker.policy.operators import Context
    from checker.related import kinds_read

    rules = load_policies(
        [BUILTIN], overrides=("allowed_oidc_issuers=https://idp.example.com",)
    ).rules
    tests = Path(__file__).resolve().parents[2] / "policies" / "tests"
    records = []
    for name in find_test_files([str(tests)]):
        for case in load_test_file(name):
            item = json.loads(json.dumps(case.record.workforce, default=str))
            item.pop("Related", None)
            records.append(make_record(item, source="t", source_kind="file"))
    now = datetime(2026, 11, 25, tzinfo=timezone.utc)
    plans = [RulePlan(rule) for rule in rules]
    fresh = [RulePlan(rule) for rule in rules]
    needed = [
        p for p, plan in enumerate(fresh) if kinds_read(plan.rule.reads) and not plan.constant
    ]
    assert len(needed) >= 10 and len(records) >= 40
    for rec, outcomes in record_outcomes(records, plans, now):
        assert rec.related is None
        doc, reprs = rec.document(), {}
        for position in needed:
            full = fresh[position].outcome(doc, Context(now), reprs)
            expected = related_outcome(RelatedNeed(position, fresh[position]), rec, full)
            assert outcomes[position] == expected, (rules[position].info.id, rec.resource.name)
