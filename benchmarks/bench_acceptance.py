"""Waiver and baseline speed on a large result set (what --waivers/--baseline add to a scan).

    python benchmarks/bench_acceptance.py [--results 1000000] [--waivers 500] [--repeat 3]

Builds N failing results over 36 rule ids and N/36 workforces, W waivers (exact ARNs, names,
account/region and globs, a tenth of them expired) and a baseline of half the results, then
times apply_waivers, render_baseline and apply_baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.files.timestamps import parse_timestamp
from checker.findings.baseline import Baseline, BaselineEntry, apply_baseline, render_baseline
from checker.findings.waivers import Waiver, apply_waivers, parse_expiry
from checker.model import Resource, Result, RuleInfo, Status

NOW = parse_timestamp("2026-11-25T00:00:00Z")
RULES = [f"WF{n:03d}" for n in range(1, 37)]


def arn(i: int) -> str:
    return f"arn:aws:sagemaker:us-east-1:{i % 1000:012d}:workforce/wf-{i}"


INFOS = [RuleInfo(rule, "t", "high", remediation="r") for rule in RULES]


def results(count: int) -> list[Result]:
    out = []
    for i in range(count):
        wf = i // len(RULES)
        res = Resource(arn(wf), f"wf-{wf}", f"{wf % 1000:012d}", "us-east-1", "bench")
        out.append(Result(INFOS[i % len(RULES)], Status.FAIL, res, "m", "p"))
    return out


def waivers(count: int) -> list[Waiver]:
    made = []
    for i in range(count):
        expired = i % 10 == 0
        day = date(2026, 11, 1) if expired else date(2026, 12, 31) + timedelta(days=i % 30)
        written, ends = parse_expiry(day)  # type: ignore[misc]
        kind = i % 4
        selector, value = [
            ("arn", arn(i)),
            ("name", f"wf-{i}*"),
            ("account", f"{i:012d}"),
            ("arn", f"arn:aws:sagemaker:*:{i:012d}:workforce/*"),
        ][kind]
        made.append(
            Waiver(
                RULES[i % 36] if kind != 1 else "WF01*",
                selector,
                value,
                None,
                "r",
                "o",
                written,
                ends,
                None,
                "bench.yaml",
                i + 1,
            )
        )
    return made


def timed(label: str, repeat: int, func) -> None:  # type: ignore[no-untyped-def]
    best = min(_once(func) for _ in range(repeat))
    print(f"{label:<28} {best:8.3f} s")


def _once(func) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--waivers", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assert NOW is not None
    found = results(args.results)
    chosen = waivers(args.waivers)
    entries = {
        r.fingerprint: BaselineEntry(
            r.fingerprint, r.rule_id, r.resource.key, None, None, None, None, None
        )
        for r in found[::2]
    }
    baseline = Baseline("bench.json", entries)
    print(f"{args.results} results, {args.waivers} waivers, {len(entries)} baseline entries")
    timed("apply_waivers", args.repeat, lambda: apply_waivers(found, chosen, NOW))
    timed("render_baseline", args.repeat, lambda: render_baseline(found, NOW))
    timed("apply_baseline", args.repeat, lambda: apply_baseline(found, baseline))


if __name__ == "__main__":
    main()
