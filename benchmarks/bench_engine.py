"""Offline scan speed: N synthetic records against the bundled pack.

    python benchmarks/bench_engine.py [--records 100000] [--repeat 3]

Reports the time to normalize the records, and to sort them and evaluate every (record, rule)
pair (what `wfcheck scan` does between reading the input and writing the report), plus
peak RSS. Target (issue 2): 100,000 records in under 2 s on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import synthetic_workforces
from checker.engine import evaluate_all, gc_paused
from checker.files.timestamps import parse_timestamp
from checker.policy.loader import BUILTIN, load_policies
from checker.results import ResultStore
from checker.sources.base import make_record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="every record unique and failing (worst case for memoization)",
    )
    args = parser.parse_args()
    workforces = synthetic_workforces(args.records, hostile=args.hostile)
    policies = load_policies(
        [BUILTIN],
        overrides=[
            "allowed_cidrs=203.0.113.0/24,198.51.100.0/24,2001:db8::/32",
            "allowed_oidc_issuers=https://idp.example.com,https://login.example.org",
        ],
    )
    now = parse_timestamp("2026-11-25T00:00:00Z")
    assert now is not None
    best = None
    for _ in range(args.repeat):
        gc.collect()
        start = time.perf_counter()
        with gc_paused():  # as build_report does
            records = [make_record(w, source="bench.json", source_kind="file") for w in workforces]
            loaded = time.perf_counter()
            results = ResultStore([rule.info for rule in policies.rules])
            evaluate_all(results, records, policies.rules, now)  # as the scan streams them
            results.sort()
            evaluated = time.perf_counter()
        done = evaluated
        timing = (loaded - start, evaluated - loaded, done - evaluated, done - start)
        best = timing if best is None or timing[3] < best[3] else best
        statuses: dict[str, int] = {}
        for tally in results.tally():
            for status, count in tally.items():
                statuses[status.value] = statuses.get(status.value, 0) + count
        del results, records
    assert best is not None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"records={args.records} rules={len(policies.rules)} "
        f"pairs={args.records * len(policies.rules)}"
    )
    print(
        f"normalize={best[0]:.3f}s sort+evaluate={best[1]:.3f}s "
        f"total={best[3]:.3f}s (best of {args.repeat}) peak_rss={rss:.0f}MiB"
    )
    print("statuses:", dict(sorted(statuses.items())))


if __name__ == "__main__":
    main()
