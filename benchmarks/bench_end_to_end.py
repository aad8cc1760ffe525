"""What users run: the whole ``wfcheck scan`` process, per record count and report format, beside
Cloud Custodian on the same records.

    python benchmarks/bench_end_to_end.py [--records 10000 100000 1000000] [--formats json table]
        [--repeat 3] [--c7n auto|off] [--setup-c7n] [--data DIR] [--corpus clean|findings]

``--corpus findings`` draws the records from the bundled policy tests (every rule's failing
cases among them) with ``examples/vars.yaml`` set, so most results fail: the per-finding work of
each writer is what it measures (a clean estate hides it).

For each record count it writes a synthetic snapshot (cached in ``--data``), then for each
format runs ``python -m checker scan --input SNAPSHOT --format FORMAT --output FILE`` (the CLI
as it is at the time, whatever its module layout) and prints wall time, peak RSS of the process
tree (``getrusage(RUSAGE_CHILDREN)``, measured in a fresh helper process per run so one run's
peak never hides another's) and report size. When Cloud Custodian is installed in ``.venv-c7n``
(``--setup-c7n`` creates it: ``pip install c7n==0.9.53``), ``custodian run`` evaluates the same
records with the five equivalent rules (WF001, WF010, WF011, WF020, WF031 as ``c7n.data``
value filters), once after each wfcheck run, and each format's ratio is its median to the
median of the c7n runs beside it (the machine's speed drifts over a run of many minutes, and a
ratio to runs made minutes away measures the drift). Finally it checks
that both tools flag the same records for those five rules, and lists where they differ: the
synthetic estate holds ``::/0`` and ``10.0.0.0/0`` CIDRs (any /0 admits every address; c7n's
``contains 0.0.0.0/0`` misses them) and issuers with a trailing slash (the same issuer; c7n's
``not-in`` flags them).

Targets (issue 10): at 100k records, json wall <= 0.5x c7n and every other format <= 1.0x c7n,
peak RSS < 600 MB; at 1M every format completes under 2 GB, time linear in records (each 10x
step within 12x); the 300 KB amplification file (``--amplification``) under 150 MB and 5 MB of
table. On ``--corpus findings`` (issue 21): every format <= 0.5x c7n at 100k, peak RSS < 600 MB,
and 1M records linear and under 2 GB. The benchmark is not a test: run it on a quiet machine
and report the figures.
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import BAD_CIDRS, GOOD_CIDRS, ISSUERS, REGIONS  # noqa: E402

FORMATS = ("json", "table", "sarif", "junit", "csv", "asff", "ocsf", "markdown", "html", "github")
C7N_VENV = ROOT / ".venv-c7n"
C7N_VERSION = "0.9.53"
NOW = "2026-11-25T00:00:00Z"
ALLOWED_ISSUERS = ("https://idp.example.com", "https://login.example.org")
C7N_RULES = ("WF001", "WF010", "WF011", "WF020", "WF031")

# Where c7n is wrong, planted in the estate at low rates (see the module docstring).
OPEN_VARIANTS = (["::/0"], ["10.0.0.0/0", "203.0.113.0/24"], ["2001:db8::/48", "::/0"])
SLASHED_ISSUERS = ("https://idp.example.com/", "https://login.example.org/")


def workforce(index: int, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    """(account, region, workforce) number ``index``: like ``benchmarks.synthetic`` (a few
    org-wide configurations, 5-15% non-compliant per rule area), plus c7n's blind spots."""
    account = f"{100000000000 + index // len(REGIONS):012d}"
    region = REGIONS[index % len(REGIONS)]
    name = f"labeling-{index}"
    bad = rng.random() < 0.1
    cidrs = list(rng.choice(BAD_CIDRS if bad else GOOD_CIDRS))
    if rng.random() < 0.01:
        cidrs = list(rng.choice(OPEN_VARIANTS))
    status = "Active"
    if bad and rng.random() < 0.3:
        status = rng.choice(["Failed", "Updating"])
    item: dict[str, Any] = {
        "WorkforceName": name,
        "WorkforceArn": f"arn:aws:sagemaker:{region}:{account}:workforce/{name}",
        "LastUpdatedDate": "2026-11-20T08:00:00Z",
        "CreateDate": "2026-01-20T08:00:00Z",
        "SourceIpConfig": {"Cidrs": cidrs},
        "SubDomain": f"{name}.labeling.{region}.sagemaker.aws",
        "Status": status,
        "IpAddressType": rng.choice(["ipv4", "dualstack"]),
    }
    if status == "Failed":
        item["FailureReason"] = f"subnet-{index:08x} not found"
    if rng.random() < 0.5:
        issuer = rng.choice(ISSUERS)
        if bad and rng.random() < 0.3:
            issuer = "https://rogue.example.net"
        elif rng.random() < 0.02:
            issuer = rng.choice(SLASHED_ISSUERS)
        host = issuer.split("/")[2]
        item["OidcConfig"] = {
            "ClientId": "client",
            "Issuer": issuer,
            "AuthorizationEndpoint": f"https://{host}/authorize",
            "TokenEndpoint": f"https://{host}/token",
            "UserInfoEndpoint": f"https://{host}/userinfo",
            "LogoutEndpoint": f"https://{host}/logout",
            "JwksUri": f"https://{host}/jwks",
            "Scope": "openid email",
        }
    else:
        item["CognitoConfig"] = {"UserPool": f"{region}_Pool{index:06d}", "ClientId": "c"}
    if not (bad and rng.random() < 0.5):
        item["WorkforceVpcConfig"] = {
            "VpcId": f"vpc-{index:017x}",
            "SecurityGroupIds": [f"sg-{index:017x}"],
            "Subnets": [f"subnet-{index:08x}{n}" for n in range(2)],
            "VpcEndpointId": f"vpce-{index:017x}",
        }
    return account, region, item


def policy_test_workforces() -> list[dict[str, Any]]:
    """The workforces of the bundled pack's policy tests (policies/tests): every rule's passing
    and failing cases, so an estate drawn from them fails most rules somewhere."""
    from checker.cli.policytests import find_test_files, load_test_file

    found: dict[str, dict[str, Any]] = {}
    for name in find_test_files([str(ROOT / "policies" / "tests")]):
        for case in load_test_file(name):
            item = dict(case.record.workforce)
            found.setdefault(json.dumps(item, sort_keys=True, default=str), item)
    return [found[key] for key in sorted(found)]


def findings_workforce(index: int, cases: list[dict[str, Any]]) -> tuple[str, str, dict[str, Any]]:
    """Workforce ``index`` of the findings-heavy estate: a policy-test record, made its own."""
    account = f"{100000000000 + index // len(REGIONS):012d}"
    region = REGIONS[index % len(REGIONS)]
    item = json.loads(json.dumps(cases[index % len(cases)], default=str))
    name = f"wf-{index:07d}"
    item["WorkforceName"] = name
    item["WorkforceArn"] = f"arn:aws:sagemaker:{region}:{account}:workforce/{name}"
    return account, region, item


def write_snapshot(path: Path, count: int, seed: int = 7, corpus: str = "clean") -> None:
    """A wfcheck snapshot of ``count`` workforces, written a record at a time."""
    rng = random.Random(seed)
    cases = policy_test_workforces() if corpus == "findings" else []
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"schema_version": 1, "tool": {"name": "bench"}, "records": [\n')
        for index in range(count):
            if cases:
                account, region, item = findings_workforce(index, cases)
            else:
                account, region, item = workforce(index, rng)
            entry = {"account": account, "region": region, "workforce": item}
            handle.write(("" if index == 0 else ",\n") + json.dumps(entry))
        handle.write('\n], "units": [], "errors": []}\n')


def amplification_file(path: Path) -> None:
    """The issue's amplification case: one 200,000-character name among 600 records (~300 KB)."""
    records = []
    for index in range(600):
        name = "n" * 200_000 if index == 0 else f"wf-{index}"
        records.append(
            {
                "WorkforceName": name,
                "WorkforceArn": f"arn:aws:sagemaker:us-east-1:111111111111:workforce/wf-{index}",
                "Status": "Failed",
                "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]},
            }
        )
    path.write_text(json.dumps({"Workforces": records}), encoding="utf-8")


# --- measuring ----------------------------------------------------------------------------------

_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "rss": peak, "cpu": cpu, "code": proc.returncode,
                  "err": proc.stderr.decode(errors="replace")[-2000:]}))
"""


def measure(argv: list[str], cwd: Path) -> dict[str, Any]:
    """Wall time and peak RSS (bytes) of ``argv`` and every process it starts. What earlier
    runs wrote is flushed to disk first (``os.sync``): a 2 GB report's writeback would
    otherwise land on the next run, whichever tool it is."""
    os.sync()
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, "--", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def wfcheck_argv(
    snapshot: Path, fmt: str, output: Path, limit_mb: int, var_file: Path | None = None
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "checker",
        "scan",
        "--no-config",
        "--input",
        str(snapshot),
        "--format",
        fmt,
        "--output",
        str(output),
        "--now",
        NOW,
        "--quiet",
        "--max-input-mb",
        str(limit_mb),
        *(["--var-file", str(var_file)] if var_file else []),
        "--var",
        "allowed_oidc_issuers=" + ",".join(ALLOWED_ISSUERS),
    ]


def c7n_policy(snapshot: Path) -> dict[str, Any]:
    """The five rules as ``c7n.data`` value filters over the snapshot's workforces."""
    query = [{"path": str(snapshot), "key": "records[].workforce"}]

    def policy(name: str, filters: list[Any]) -> dict[str, Any]:
        return {
            "name": name,
            "resource": "c7n.data",
            "source": "disk",
            "query": query,
            "filters": filters,
        }

    return {
        "policies": [
            policy("wf001", [{"type": "value", "key": "Status", "value": "Failed"}]),
            policy("wf010", [{"type": "value", "key": "SourceIpConfig.Cidrs", "value": "empty"}]),
            policy(
                "wf011",
                [
                    {
                        "type": "value",
                        "key": "SourceIpConfig.Cidrs",
                        "op": "contains",
                        "value": "0.0.0.0/0",
                    }
                ],
            ),
            policy(  # one value filter: boolean groups need a resource type c7n.data lacks
                "wf020",
                [
                    {
                        "type": "value",
                        "value": "empty",
                        "key": "WorkforceVpcConfig.VpcId && WorkforceVpcConfig.Subnets[0] && "
                        "WorkforceVpcConfig.SecurityGroupIds[0]",
                    }
                ],
            ),
            policy(
                "wf031",
                [
                    {"type": "value", "key": "OidcConfig", "value": "present"},
                    {
                        "type": "value",
                        "key": "OidcConfig.Issuer",
                        "op": "not-in",
                        "value": list(ALLOWED_ISSUERS),
                    },
                ],
            ),
        ]
    }


def c7n_available() -> bool:
    return (C7N_VENV / "bin" / "custodian").exists()


def setup_c7n() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(C7N_VENV)], check=True)
    pip = str(C7N_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "--quiet", f"c7n=={C7N_VERSION}"], check=True)


def c7n_argv(policy_file: Path, output_dir: Path) -> list[str]:
    return [
        str(C7N_VENV / "bin" / "custodian"),
        "run",
        "--cache-period",
        "0",
        "-s",
        str(output_dir),
        str(policy_file),
    ]


# --- agreement ----------------------------------------------------------------------------------


def wfcheck_failing(report: Path) -> dict[str, set[str]]:
    """Rule id -> names of the workforces a JSON report (schema 2) says fail it."""
    data = json.loads(report.read_text(encoding="utf-8"))
    names = [resource["name"] for resource in data["resources"]]
    found: dict[str, set[str]] = {rule: set() for rule in C7N_RULES}
    for item in data["results"]:
        if item["rule_id"] in found and item["status"] == "fail":
            found[item["rule_id"]].add(names[item["resource"]])
    return found


def c7n_failing(output_dir: Path) -> dict[str, set[str]]:
    found = {}
    for rule in C7N_RULES:
        path = output_dir / rule.lower() / "resources.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        found[rule] = {record["WorkforceName"] for record in records}
    return found


def workforces(snapshot: Path) -> Iterator[dict[str, Any]]:
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    for entry in data["records"]:
        yield entry["workforce"]


def explain(rule: str, item: dict[str, Any]) -> str:
    """Why the two tools disagree on one workforce, when it is a known c7n blind spot."""
    if rule == "WF011":
        cidrs = (item.get("SourceIpConfig") or {}).get("Cidrs") or []
        opened = [c for c in cidrs if c.endswith("/0") and c != "0.0.0.0/0"]
        if opened:
            return f"c7n misses {', '.join(opened)} (a /0 admits every address)"
        broken = [c for c in cidrs if not _is_network(c)]
        if broken:
            return f"c7n misses {', '.join(broken)} (not a CIDR: wfcheck fails closed)"
    if rule == "WF031":
        issuer = (item.get("OidcConfig") or {}).get("Issuer", "")
        if issuer.rstrip("/") in ALLOWED_ISSUERS and issuer != issuer.rstrip("/"):
            return f"c7n flags {issuer} (the allowed issuer with a trailing slash)"
        if _normal_url(issuer) in {_normal_url(allowed) for allowed in ALLOWED_ISSUERS}:
            return f"c7n flags {issuer} (the allowed issuer: case of scheme and host, port 443)"
    return "UNEXPLAINED"


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _normal_url(text: str) -> str:
    """A URL as RFC 3986 compares it: scheme and host in lower case, no default port."""
    parts = urllib.parse.urlsplit(text.rstrip("/"))
    host = (parts.hostname or "").lower()
    port = (
        ""
        if parts.port in (None, 443 if parts.scheme.lower() == "https" else 80)
        else f":{parts.port}"
    )
    return f"{parts.scheme.lower()}://{host}{port}{parts.path}"


def compare(snapshot: Path, report: Path, c7n_dir: Path) -> dict[str, Any]:
    ours, theirs = wfcheck_failing(report), c7n_failing(c7n_dir)
    by_name = {item["WorkforceName"]: item for item in workforces(snapshot)}
    summary: dict[str, Any] = {}
    for rule in C7N_RULES:
        reasons: dict[str, int] = {}
        for name in sorted(ours[rule] ^ theirs[rule]):
            reason = explain(rule, by_name[name])
            key = reason.split(" (")[0] if reason != "UNEXPLAINED" else reason
            reasons[key] = reasons.get(key, 0) + 1
        summary[rule] = {
            "wfcheck": len(ours[rule]),
            "c7n": len(theirs[rule]),
            "agree": len(ours[rule] & theirs[rule]),
            "differ": reasons,
        }
    return summary


# --- the run ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--c7n", choices=("auto", "off"), default="auto")
    parser.add_argument("--setup-c7n", action="store_true", help="create .venv-c7n first")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "wfcheck-bench")
    parser.add_argument("--amplification", action="store_true", help="also the 300 KB file")
    parser.add_argument("--keep", action="store_true", help="keep the reports in --data")
    parser.add_argument(
        "--corpus",
        choices=("clean", "findings"),
        default="clean",
        help="clean: an estate like synthetic.py (5-15%% non-compliant); findings: records drawn "
        "from the bundled policy tests with examples/vars.yaml set (most results fail)",
    )
    args = parser.parse_args()
    if args.setup_c7n:
        setup_c7n()
    use_c7n = args.c7n == "auto" and c7n_available()
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    print(f"c7n: {'custodian ' + C7N_VERSION if use_c7n else 'not installed (--setup-c7n)'}")
    rows = []
    for count in args.records:
        suffix = "" if args.corpus == "clean" else f"-{args.corpus}"
        snapshot = args.data / f"snapshot-{count}{suffix}.json"
        if not snapshot.exists():
            write_snapshot(snapshot, count, corpus=args.corpus)
        var_file = ROOT / "examples" / "vars.yaml" if args.corpus == "findings" else None
        size_mb = snapshot.stat().st_size / 1e6
        limit = max(256, int(size_mb * 1.1) + 1)
        policy = args.data / f"c7n-{count}.json"
        policy.write_text(json.dumps(c7n_policy(snapshot)), encoding="utf-8")
        print(f"\n{count} records ({size_mb:.0f} MB snapshot)")
        c7n_runs: list[dict[str, Any]] = []
        for fmt in args.formats:
            runs = []
            beside: list[dict[str, Any]] = []  # the c7n runs interleaved with this format's
            for _attempt in range(args.repeat):
                output = args.data / f"report-{count}.{fmt}"
                run = measure(wfcheck_argv(snapshot, fmt, output, limit, var_file), ROOT)
                if run["code"] not in (0, 1):
                    print(f"  {fmt}: exit {run['code']}: {run['err']}")
                    break
                run["size"] = output.stat().st_size
                runs.append(run)
                if use_c7n:
                    c7n_dir = args.data / f"c7n-out-{count}"  # interleaved with our runs
                    beside.append(measure(c7n_argv(policy, c7n_dir), args.data))
                if not args.keep and fmt != "json":
                    output.unlink()
            c7n_runs += beside
            if not runs:
                continue
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            rss = max(r["rss"] for r in runs)
            row = {
                "records": count,
                "format": fmt,
                "wall": wall,
                "cpu": cpu,
                "rss": rss,
                "size": runs[-1]["size"],
            }
            rows.append(row)
            line = (
                f"  wfcheck {fmt:9} wall {wall:7.2f} s  cpu {cpu:7.2f} s  "
                f"peak RSS {rss / 2**20:7.0f} MiB  "
                f"report {row['size'] / 1e6:9.1f} MB"
            )
            if beside:
                c7n_wall = statistics.median(r["wall"] for r in beside)
                line += f"  ratio to c7n {wall / c7n_wall:.2f}x (c7n beside it {c7n_wall:.2f} s)"
            print(line)
        if c7n_runs:
            c7n_wall = statistics.median(r["wall"] for r in c7n_runs)
            c7n_rss = max(r["rss"] for r in c7n_runs)
            print(
                f"  c7n (5 rules)     wall {c7n_wall:7.2f} s  peak RSS {c7n_rss / 2**20:7.0f} MiB"
                f"  ({len(c7n_runs)} runs)"
            )
            report = args.data / f"report-{count}.json"
            if report.exists():
                agreement = compare(snapshot, report, args.data / f"c7n-out-{count}")
                print("  agreement on the five rules (records flagged):")
                for rule, found in agreement.items():
                    print(
                        f"    {rule}: wfcheck {found['wfcheck']}, c7n {found['c7n']}, both "
                        f"{found['agree']}; differ: {found['differ'] or 'none'}"
                    )
    by_format: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_format.setdefault(row["format"], []).append(row)
    if len(args.records) > 1:
        print("\nscaling per 10x more records (target <= 12x): wall time, then CPU time")
        for fmt, items in by_format.items():
            walls = [f"{b['wall'] / a['wall']:.1f}x" for a, b in itertools.pairwise(items)]
            cpus = [f"{b['cpu'] / a['cpu']:.1f}x" for a, b in itertools.pairwise(items)]
            print(f"  {fmt:9} wall {' '.join(walls)}  cpu {' '.join(cpus)}")
    if args.amplification:
        path = args.data / "amplification.json"
        amplification_file(path)
        output = args.data / "amplification.txt"
        run = measure(wfcheck_argv(path, "table", output, 256), ROOT)
        print(
            f"\namplification file ({path.stat().st_size / 1e3:.0f} KB): table "
            f"{output.stat().st_size / 1e6:.2f} MB, peak RSS {run['rss'] / 2**20:.0f} MiB, "
            f"wall {run['wall']:.2f} s"
        )
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
