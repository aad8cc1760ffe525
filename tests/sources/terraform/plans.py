"""Terraform plan and state fixtures, written by real Terraform and the real AWS provider.

Each case is a directory with a Terraform configuration (``*.tf``, local modules) and, where the
case needs one, the state before the plan (``prior.tfstate``), the state to show
(``applied.tfstate``), variable values (``terraform.tfvars``) and the workforces a loopback
SageMaker endpoint answers ``DescribeWorkforce`` with (``sagemaker.json``, for import blocks).
:func:`generate` copies the case to a scratch directory and runs::

    terraform init                              # provider from a filesystem mirror, offline
    terraform plan -refresh=false -out=plan.out # fake keys; no request leaves the machine
    terraform show -json plan.out  > plan.json
    terraform show -json           > state.json # of applied.tfstate

An override file adds fake keys and the provider's ``skip_*`` settings (Terraform merges it into
each ``provider "aws"`` block), and every AWS endpoint points at the loopback server, so nothing
reaches AWS. The JSON is committed pretty-printed (Terraform writes one line; wfcheck reads both)::

    python -m tests.sources.terraform.plans            # regenerate every case in place
    python -m tests.sources.terraform.plans --check    # compare with what is committed

Terraform 1.11 and the AWS provider 5.100 (in ``/opt/tf-plugins``, or ``WFCHECK_TF_PLUGINS``)
wrote the committed files. What real Terraform cannot write here is derived by hand in its
encoder's shape and says so: see :func:`deferred_plan`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CASES_DIR = Path(__file__).resolve().parent / "cases"
EXAMPLE = ROOT / "examples" / "terraform"
PLUGINS = Path(os.environ.get("WFCHECK_TF_PLUGINS", "/opt/tf-plugins"))
VOLATILE = ("timestamp", "terraform_version", "relevant_attributes")
"""Keys that differ between runs (the time; relevant_attributes, in no fixed order) or releases,
and that wfcheck does not read."""

OVERRIDE = """provider "aws" {{{alias}
  access_key                  = "AKIAWFCHECKFIXTURE00"
  secret_key                  = "wfcheck-fixture-fake-secret-key-not-real"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}
"""


def override(directory: Path) -> str:
    """An override file for every ``provider "aws"`` block of the root module (merged into the
    block with the same alias): fake keys and no AWS calls."""
    import hcl2

    aliases: list[str | None] = []
    for path in sorted(directory.glob("*.tf")):
        for block in hcl2.loads(path.read_text()).get("provider", []):
            for name, body in block.items():
                if name.strip('"') == "aws":
                    alias = body.get("alias")
                    aliases.append(alias.strip('"') if isinstance(alias, str) else None)
    text = "# Written by tests/sources/terraform/plans.py into a scratch copy: fake keys.\n"
    for alias in aliases or [None]:
        text += OVERRIDE.format(alias=f'\n  alias = "{alias}"' if alias else "")
    return text


@dataclass(frozen=True)
class Case:
    name: str
    directory: Path

    @property
    def plans(self) -> bool:
        return any(self.directory.glob("*.tf"))

    @property
    def shows_state(self) -> bool:
        return (self.directory / "applied.tfstate").is_file()


def cases() -> list[Case]:
    found = [Case("example", EXAMPLE)]
    found += [Case(path.name, path) for path in sorted(CASES_DIR.iterdir()) if path.is_dir()]
    return found


def terraform_available() -> str | None:
    """Why fixtures cannot be regenerated here, or None when they can."""
    if shutil.which("terraform") is None:
        return "terraform is not installed"
    if not (PLUGINS / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        return f"no AWS provider mirror at {PLUGINS}"
    return None


class _SageMaker(BaseHTTPRequestHandler):
    """DescribeWorkforce for the provider's import read; every other call is refused."""

    protocol_version = "HTTP/1.1"
    workforces: dict[str, Any] = {}

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        found = self.workforces.get(body.get("WorkforceName", ""))
        if target == "SageMaker.DescribeWorkforce" and found is not None:
            status, payload = 200, {"Workforce": found}
        else:
            status, payload = 400, {"__type": "ValidationException", "message": "not found"}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def _loopback(workforces: dict[str, Any]) -> Iterator[str]:
    handler = type("Handler", (_SageMaker,), {"workforces": workforces})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(argv: list[str], cwd: Path, env: dict[str, str], output: Path | None = None) -> None:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed in {cwd}:\n{result.stderr}{result.stdout}")
    if output is not None:
        output.write_text(result.stdout)


def generate(case: Case, scratch: Path) -> dict[str, Any]:
    """Run Terraform on a copy of the case: ``{"plan.json": ..., "state.json": ...}``."""
    work = scratch / case.name
    shutil.copytree(case.directory, work, ignore=shutil.ignore_patterns("*.json", ".terraform*"))
    (work / "wfcheck_fixture_override.tf").write_text(override(work))
    config = scratch / "cli.tfrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{PLUGINS}"\n  }}\n}}\n'
    )
    sagemaker_file = case.directory / "sagemaker.json"
    workforces = json.loads(sagemaker_file.read_text()) if sagemaker_file.is_file() else {}
    produced: dict[str, Any] = {}
    with _loopback(workforces) as endpoint:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(scratch),
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": endpoint,  # every service: nothing can reach AWS
            "NO_PROXY": "127.0.0.1",
            "HTTPS_PROXY": "http://127.0.0.1:9",  # anything else fails instead of leaving
            "HTTP_PROXY": "http://127.0.0.1:9",
        }
        _run(["terraform", "init", "-no-color", "-input=false"], work, env)
        if case.plans:
            if (work / "prior.tfstate").is_file():
                shutil.copy(work / "prior.tfstate", work / "terraform.tfstate")
            plan = ["terraform", "plan", "-no-color", "-input=false", "-refresh=false"]
            _run([*plan, "-out=plan.out"], work, env)
            _run(["terraform", "show", "-json", "plan.out"], work, env, work / "plan.json")
            produced["plan.json"] = json.loads((work / "plan.json").read_text())
        if case.shows_state:
            shutil.copy(work / "applied.tfstate", work / "terraform.tfstate")
            _run(["terraform", "show", "-json"], work, env, work / "state.json")
            produced["state.json"] = json.loads((work / "state.json").read_text())
    return produced


def deferred_plan(plan: dict[str, Any], address: str, reason: str) -> dict[str, Any]:
    """A plan with one change deferred, in the shape Terraform 1.9+ writes with deferred actions
    (``internal/command/jsonplan``: ``deferred_changes[].reason`` and ``.resource_change``,
    ``complete: false``). Terraform 1.11 defers changes only in experimental builds, so this is
    derived by hand from a real plan: the change moves from ``resource_changes`` to
    ``deferred_changes`` unchanged."""
    plan = json.loads(json.dumps(plan))
    change = next(c for c in plan["resource_changes"] if c["address"] == address)
    plan["resource_changes"].remove(change)
    plan["deferred_changes"] = [{"reason": reason, "resource_change": change}]
    plan["complete"] = False
    plan["applyable"] = True
    return plan


def normalized(data: Any) -> Any:
    """The document without what differs between runs (the plan's timestamp, the version)."""
    if isinstance(data, dict):
        return {k: normalized(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [normalized(v) for v in data]
    return data


def write(case: Case, produced: dict[str, Any]) -> None:
    for name, data in produced.items():
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (case.directory / name).write_text(text)
    derive = case.directory / "deferred.json"
    if case.name == "unset" and "plan.json" in produced:
        plan = deferred_plan(
            produced["plan.json"], "aws_sagemaker_workforce.unset", "resource_config_unknown"
        )
        derive.write_text(json.dumps(plan, indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("names", nargs="*", help="cases to regenerate (default: all)")
    args = parser.parse_args(argv)
    missing = terraform_available()
    if missing:
        print(f"cannot regenerate: {missing}", file=sys.stderr)
        return 2
    selected = [c for c in cases() if not args.names or c.name in args.names]
    status = 0
    with tempfile.TemporaryDirectory(prefix="wfcheck-tf-") as scratch:
        for case in selected:
            produced = generate(case, Path(scratch))
            if args.check:
                for name, data in produced.items():
                    committed = json.loads((case.directory / name).read_text())
                    if normalized(committed) != normalized(data):
                        print(f"{case.name}/{name} differs from what Terraform writes")
                        status = 1
            else:
                write(case, produced)
                print(f"{case.name}: {', '.join(sorted(produced))}")
    return status


if __name__ == "__main__":
    sys.exit(main())
