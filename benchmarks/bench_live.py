"""Live collection at organization scale against the loopback AWS server.

50 accounts x 20 regions = 1,000 units, 50 ms latency per request, ``--workers 32``. By default
each unit has one workforce with every related resource (``--related all``: 2 work teams, a
Cognito user pool and app client, 2 security groups, 2 subnets, a VPC endpoint), so each unit
makes ListWorkforces, ListWorkteams, 3 Cognito and 3 EC2 calls and creates 3 clients;
``--related none`` is the listing alone (2 OIDC workforces per unit, as before). Reports the
wall time of ``wfcheck fetch`` against two floors:

- network: every request the server answered x latency / workers (what perfect overlap of the
  waits would cost; one unit's requests run one after the other on its thread);
- client creation: the measured time of creating (and discarding) the clients the way the
  source does (per unit: SageMaker, and with related resources Cognito and EC2; 50 account
  sessions with only the handlers their services reach, sharing one loader whose models list
  only the operations called);
  within one process creation is serialized (a lock, and the GIL), so it cannot overlap; a run
  this large is split between collector processes (``checker/sources/aws/processes.py``), so on
  two CPUs the wall time can go below this floor;

plus the same run with ``--workers 1`` (the sequential loop, one process) and the peak RSS of
the scan process and of its collector processes. The server runs in its own process so it does
not compete for the scan's GIL; the scan finds Cognito and EC2 there through
AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and AWS_ENDPOINT_URL_EC2.

Run: ``python benchmarks/bench_live.py`` (``--skip-sequential`` saves minutes: sequential, the
related run waits for every one of its ~8,000 requests in turn).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.aws_server import REGIONS  # noqa: E402 - the server the benchmark talks to

SERVICES = {"all": ("sagemaker", "cognito-idp", "ec2"), "none": ("sagemaker",)}
"""The clients one unit creates, per ``--related`` mode."""


def environment(url: str | None = None) -> dict[str, str]:
    """Dummy credentials, no shared config; ``url``: where Cognito and EC2 are served."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "dummy",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    if url:
        env["AWS_ENDPOINT_URL_EC2"] = env["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = url
    return env


def accounts_file(directory: Path, accounts: int, regions: int) -> Path:
    path = directory / "accounts.yaml"
    lines = [
        "defaults:",
        "  role_name: wfcheck-audit",
        f"  regions: [{', '.join(REGIONS[:regions])}]",
        "accounts:",
    ]
    lines += [f'  - id: "{100000000000 + index * 1111:012d}"' for index in range(accounts)]
    path.write_text("\n".join(lines) + "\n")
    return path


def client_creation_seconds(
    accounts: int, regions: int, services: tuple[str, ...]
) -> tuple[float, float, float]:
    """(wall and CPU seconds for accounts x regions x services clients from shared-loader
    sessions, ms per fresh boto3.Session SageMaker client), measured in a clean child process."""
    code = f"""
import time, botocore.session, boto3
from botocore.config import Config
from botocore.credentials import Credentials
from checker.awsapi.credentials import fixed_credential_resolver
from checker.awsapi.session import service_session
from checker.sources.aws.clients import OPERATIONS, called_operations_loader, register_handlers
regions = {list(REGIONS[:regions])!r}
config = Config(retries={{"mode": "standard", "total_max_attempts": 5}}, connect_timeout=15,
                read_timeout=15, max_pool_connections=2)
base = botocore.session.Session()
register_handlers(base)
loader = called_operations_loader(base.get_component("data_loader"))
base.register_component("data_loader", loader)
services = {services!r}
for service in services:  # models loaded once, before the clock
    base.create_client(service, region_name="us-east-1", config=config).close()
start, cpu = time.perf_counter(), time.process_time()
for account in range({accounts}):
    session = service_session(None, OPERATIONS)
    session.register_component("data_loader", loader)
    register_handlers(session)
    session.register_component("credential_provider",
                               fixed_credential_resolver(Credentials("a", "b", "c")))
    for region in regions:
        for service in services:
            session.create_client(service, region_name=region, config=config,
                                  endpoint_url="http://127.0.0.1:9").close()
shared = time.perf_counter() - start
shared_cpu = time.process_time() - cpu
start = time.perf_counter()
for _ in range(5):
    boto3.Session().client("sagemaker", region_name="us-east-1").close()
print(shared, shared_cpu, (time.perf_counter() - start) / 5 * 1000)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=ROOT,
        check=True,
    )
    shared, shared_cpu, fresh = done.stdout.split()
    return float(shared), float(shared_cpu), float(fresh)


def run_fetch(url: str, accounts: Path, workers: int, related: str) -> dict[str, float]:
    """One ``wfcheck fetch`` in a fresh process: its total wall time, the collection's wall and
    CPU time (after imports, like the client floor; CPU includes the collector processes), exit
    code, and the peak RSS (MiB) of the scan process and of its largest collector process."""
    argv = [
        "fetch",
        "--accounts",
        str(accounts),
        "--endpoint-url",
        url,
        "--sts-endpoint-url",
        url,
        "--workers",
        str(workers),
        "--related",
        related,
        "--output",
        os.devnull,
        "--quiet",
    ]
    code = (
        "import resource, time\n"
        "from checker.cli import main\n"
        "import botocore.session, botocore.client  # imported before the clock, as in the floor\n"
        "wall, cpu = time.perf_counter(), time.process_time()\n"
        f"status = main({argv!r})\n"
        "wall = time.perf_counter() - wall\n"
        "me = resource.getrusage(resource.RUSAGE_SELF)\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the collector processes\n"
        "from checker.sources.aws.plan import PROCESSES\n"
        "print(status, wall, time.process_time() - cpu + kids.ru_utime + kids.ru_stime,\n"
        "      me.ru_maxrss, kids.ru_maxrss, PROCESSES)\n"
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=environment(url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    process.wait()
    total = time.perf_counter() - start
    exit_code, wall, cpu, own_rss, collector_rss, processes = output.split()
    return {
        "exit": float(exit_code),
        "wall": float(wall),
        "cpu": float(cpu),
        "total": total,
        "rss": float(own_rss) / 1024,
        "collector_rss": float(collector_rss) / 1024,
        "processes": float(processes),
    }


def naive_loop_seconds(url: str, sample: int) -> float:
    """Seconds per unit of the loop people write first: a fresh boto3.Session and client per
    account x region, one after the other (measured on ``sample`` units, in a child process)."""
    code = f"""
import time, boto3
regions = {list(REGIONS)!r}
start = time.perf_counter()
for index in range({sample}):
    session = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                            aws_secret_access_key="dummy", region_name=regions[index % 20])
    client = session.client("sagemaker", endpoint_url={url!r})
    for page in client.get_paginator("list_workforces").paginate():
        pass
    client.close()
print((time.perf_counter() - start) / {sample})
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=ROOT,
        check=True,
    )
    return float(done.stdout)


def serve(latency: float, count: int, related: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "tests.aws_server", "--latency", str(latency)]
    argv += ["--count", str(count)] + (["--related-estate"] if related == "all" else [])
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environment(),
    )


def requests_answered(server: subprocess.Popen[str]) -> dict[str, Any]:
    """Stop the server; the requests it answered (``calls``, ``by_action``) and its CPU seconds
    (``cpu``: the simulated AWS shares this machine's CPUs with the scan)."""
    assert server.stdin is not None and server.stdout is not None
    server.stdin.close()
    line = server.stdout.readline()
    server.wait(timeout=30)
    answered: dict[str, Any] = json.loads(line)
    return answered


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--regions", type=int, default=20, choices=range(1, 21), metavar="1-20")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument(
        "--related",
        choices=("all", "none"),
        default="all",
        help="all (default): every workforce has every related resource and the scan reads "
        "them; none: the listing alone",
    )
    parser.add_argument(
        "--count",
        type=int,
        metavar="N",
        help="workforces per account x region (default 1 with --related all, as AWS allows one "
        "private workforce per region; 2 with --related none)",
    )
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=40,
        metavar="N",
        help="units of the fresh-Session loop to time (extrapolated; the listing only)",
    )
    args = parser.parse_args()
    units = args.accounts * args.regions
    count = args.count if args.count is not None else (1 if args.related == "all" else 2)
    services = SERVICES[args.related]

    with tempfile.TemporaryDirectory() as tmp:
        accounts = accounts_file(Path(tmp), args.accounts, args.regions)
        creation, creation_cpu, fresh_ms = client_creation_seconds(
            args.accounts, args.regions, services
        )
        server = serve(args.latency, count, args.related)
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            run = run_fetch(url, accounts, args.workers, args.related)
            naive = naive_loop_seconds(url, args.naive_sample) * units
        finally:
            answered = requests_answered(server)
        sequential = None
        if not args.skip_sequential:  # a server of its own, so the request count is the run's
            server = serve(args.latency, count, args.related)
            try:
                assert server.stdout is not None
                url = server.stdout.readline().strip()
                sequential = run_fetch(url, accounts, 1, args.related)["wall"]
            finally:
                requests_answered(server)

    requests = int(answered["calls"]) - args.naive_sample  # the naive loop's are not the run's
    by_action = dict(answered["by_action"])
    by_action["ListWorkforces"] -= args.naive_sample
    network = requests * args.latency / args.workers
    floor = max(network, creation)
    wall = run["wall"]
    print(
        f"units: {args.accounts} accounts x {args.regions} regions = {units}, {count} "
        f"workforce(s) each, --related {args.related}, latency {args.latency * 1000:.0f} ms, "
        f"--workers {args.workers} (exit {run['exit']:.0f})"
    )
    print(
        f"requests: {requests} ({requests / units:.1f} per unit): "
        + ", ".join(f"{action} {n}" for action, n in sorted(by_action.items()))
    )
    print(f"network floor  (requests x latency / workers): {network:6.2f} s")
    print(
        f"client floor   ({units * len(services)} clients: {', '.join(services)} per unit, "
        f"shared loader): {creation:6.2f} s ({creation / units / len(services) * 1000:.1f} ms "
        f"each; fresh boto3.Session: {fresh_ms:.0f} ms)"
    )
    print(
        f"wall time, --workers {args.workers}:             {wall:6.2f} s "
        f"= {wall / network:.2f}x the network floor, {wall / floor:.2f}x the larger floor "
        "(target <= 1.5x)"
    )
    print(
        f"  collection CPU {run['cpu']:.2f} s = {run['cpu'] / creation_cpu:.2f}x the client "
        f"floor's CPU ({creation_cpu:.2f} s); whole process incl. start-up and imports "
        f"{run['total']:.2f} s"
    )
    print(
        f"  the loopback server's CPU (the simulated AWS, on the same {os.cpu_count()} CPUs): "
        f"{answered['cpu']:.2f} s"
    )
    if sequential is not None:
        print(
            f"wall time, --workers 1 (sequential):       {sequential:6.2f} s "
            f"= {sequential / wall:.1f}x slower (target >= 10x)"
        )
    print(
        f"naive loop (fresh boto3.Session per unit, listing only), {units} units extrapolated "
        f"from {args.naive_sample}: {naive:6.2f} s = {naive / wall:.1f}x slower"
    )
    if run["collector_rss"]:
        processes = int(run["processes"])
        together = run["rss"] + processes * run["collector_rss"]
        print(
            f"peak RSS: scan process {run['rss']:.1f} MiB, largest collector process "
            f"{run['collector_rss']:.1f} MiB; all {processes + 1} together at most "
            f"{together:.1f} MiB (target < 300; pages shared after fork counted in each)"
        )
    else:
        print(f"peak RSS of the scan process:              {run['rss']:6.1f} MiB (target < 300)")
    return 0 if run["exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
