"""Live collection at organization scale against the loopback AWS server.

50 accounts x 20 regions = 1,000 units, 50 ms latency per request, ``--workers 32``. Reports the
wall time of ``wfcheck fetch`` against two floors:

- network: units x latency / workers (what perfect overlap of the waits would cost);
- client creation: the measured time of creating (and discarding) the 1,000 SageMaker clients
  the way the source does (50 account sessions sharing one loader whose SageMaker model lists
  only ListWorkforces);
  within one process creation is serialized (a lock, and the GIL), so it cannot overlap; a run
  this large is split between collector processes (``checker/sources/aws/processes.py``), so on
  two CPUs the wall time can go below this floor;

plus the same run with ``--workers 1`` (the sequential loop, one process) and the peak RSS of
the scan process and of its collector processes. The server runs in its own process so it does
not compete for the scan's GIL.

Run: ``python benchmarks/bench_live.py`` (``--skip-sequential`` to save a minute).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.aws_server import REGIONS  # noqa: E402 - the server the benchmark talks to


def environment() -> dict[str, str]:
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


def client_creation_seconds(accounts: int, regions: int) -> tuple[float, float, float]:
    """(wall and CPU seconds for accounts x regions clients from shared-loader sessions, ms per
    fresh boto3.Session client), measured in a clean child process."""
    code = f"""
import time, botocore.session, boto3
from botocore.config import Config
from botocore.credentials import Credentials
from checker.awsapi.credentials import fixed_credential_resolver
from checker.sources.aws.clients import called_operations_loader, register_handlers
regions = {list(REGIONS[:regions])!r}
config = Config(retries={{"mode": "standard", "total_max_attempts": 5}}, connect_timeout=15,
                read_timeout=15, max_pool_connections=2)
base = botocore.session.Session()
register_handlers(base)
loader = called_operations_loader(base.get_component("data_loader"))
base.register_component("data_loader", loader)
base.create_client("sagemaker", region_name="us-east-1", config=config).close()  # model load
start, cpu = time.perf_counter(), time.process_time()
for account in range({accounts}):
    session = botocore.session.Session()
    session.register_component("data_loader", loader)
    register_handlers(session)
    session.register_component("credential_provider",
                               fixed_credential_resolver(Credentials("a", "b", "c")))
    for region in regions:
        session.create_client("sagemaker", region_name=region, config=config,
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


def run_fetch(url: str, accounts: Path, workers: int) -> dict[str, float]:
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
        [sys.executable, "-c", code], env=environment(), cwd=ROOT, stdout=subprocess.PIPE, text=True
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--regions", type=int, default=20, choices=range(1, 21), metavar="1-20")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=40,
        metavar="N",
        help="units of the fresh-Session loop to time (extrapolated)",
    )
    args = parser.parse_args()
    units = args.accounts * args.regions

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.aws_server", "--latency", str(args.latency), "--count", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environment(),
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            accounts = accounts_file(Path(tmp), args.accounts, args.regions)
            creation, creation_cpu, fresh_ms = client_creation_seconds(args.accounts, args.regions)
            network = units * args.latency / args.workers
            run = run_fetch(url, accounts, args.workers)
            sequential = None
            if not args.skip_sequential:
                sequential = run_fetch(url, accounts, 1)["wall"]
            naive = naive_loop_seconds(url, args.naive_sample) * units
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)

    floor = max(network, creation)
    wall = run["wall"]
    print(
        f"units: {args.accounts} accounts x {args.regions} regions = {units}, "
        f"latency {args.latency * 1000:.0f} ms, --workers {args.workers} "
        f"(exit {run['exit']:.0f})"
    )
    print(f"network floor  (units x latency / workers): {network:6.2f} s")
    print(
        f"client floor   ({units} clients, shared loader):  {creation:6.2f} s "
        f"({creation / units * 1000:.1f} ms each; fresh boto3.Session: {fresh_ms:.0f} ms)"
    )
    print(
        f"wall time, --workers {args.workers}:             {wall:6.2f} s "
        f"= {wall / floor:.2f}x the larger floor (target <= 1.5x)"
    )
    print(
        f"  collection CPU {run['cpu']:.2f} s = {run['cpu'] / creation_cpu:.2f}x the client "
        f"floor's CPU ({creation_cpu:.2f} s); whole process incl. start-up and imports "
        f"{run['total']:.2f} s"
    )
    if sequential is not None:
        print(
            f"wall time, --workers 1 (sequential):       {sequential:6.2f} s "
            f"= {sequential / wall:.1f}x slower (target >= 10x)"
        )
    print(
        f"naive loop (fresh boto3.Session per unit), {units} units extrapolated from "
        f"{args.naive_sample}: {naive:6.2f} s = {naive / wall:.1f}x slower"
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
