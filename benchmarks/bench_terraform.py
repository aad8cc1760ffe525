"""Terraform speed: reading a large plan, and scanning ``.tf`` root modules without one.

    python benchmarks/bench_terraform.py [--resources 10000] [--repeat 3]
    python benchmarks/bench_terraform.py --static [--modules 200] [--repeat 3] [--setup-checkov]

Plan mode: half the resources are creates with unknown ARN, subdomain and (every fourth) CIDRs,
the rest updates; each has an OIDC client secret marked sensitive. Reports the time to read the
plan into records and to evaluate the bundled pack on them (the unknown-aware path of the engine).

Static mode (``--static``): ``--modules`` root modules like a platform team's (variables with
tfvars, locals with concat, a local module called with for_each over three regions, a dynamic
block, an S3 bucket and a security group beside the workforces; a quarter world-open), scanned
without a plan by the whole ``wfcheck scan`` process with a JSON report written, interleaved
with Checkov 3.3.30 (``.venv-checkov``; ``--setup-checkov`` creates it) on the same directories
(``checkov -d --framework terraform -o json``, what its users run). Also times one root module
with a module for_each alone. Medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.engine import evaluate
from checker.files.timestamps import parse_timestamp
from checker.policy.loader import BUILTIN, load_policies
from checker.sources.terraform import TerraformSource

ROOT = Path(__file__).resolve().parents[1]
CHECKOV_VENV = ROOT / ".venv-checkov"
CHECKOV_VERSION = "3.3.30"


def _change(index: int) -> dict[str, Any]:
    create = index % 2 == 0
    cidrs_unknown = index % 4 == 0
    issuer = f"https://idp{index % 7}.example.com"
    after: dict[str, Any] = {
        "workforce_name": f"wf-{index}",
        "region": "eu-west-1",
        "cognito_config": [],
        "oidc_config": [
            {
                "client_id": "c",
                "client_secret": f"secret-{index}",
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "user_info_endpoint": f"{issuer}/userinfo",
                "logout_endpoint": f"{issuer}/logout",
                "jwks_uri": f"{issuer}/jwks",
                "scope": "openid email",
                "authentication_request_extra_params": None,
            }
        ],
        "source_ip_config": [{} if cidrs_unknown else {"cidrs": [f"10.{index % 250}.0.0/16"]}],
        "workforce_vpc_config": [],
    }
    unknown: dict[str, Any] = {
        "oidc_config": [{}],
        "source_ip_config": [{"cidrs": True} if cidrs_unknown else {"cidrs": [False]}],
    }
    if create:
        unknown.update(arn=True, id=True, subdomain=True)
    else:
        after.update(
            arn=f"arn:aws:sagemaker:eu-west-1:111122223333:workforce/wf-{index}",
            id=f"wf-{index}",
            subdomain=f"s{index}.labeling.eu-west-1.sagemaker.aws",
        )
    return {
        "address": f'module.m.aws_sagemaker_workforce.main["{index}"]',
        "module_address": "module.m",
        "mode": "managed",
        "type": "aws_sagemaker_workforce",
        "name": "main",
        "index": str(index),
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": ["create"] if create else ["update"],
            "before": None if create else after,
            "after": after,
            "after_unknown": unknown,
            "before_sensitive": False if create else {},
            "after_sensitive": {"oidc_config": [{"client_secret": True}]},
        },
    }


# --- static mode -------------------------------------------------------------------------------

ROOT_MODULE = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "office_cidrs" {
  type    = list(string)
  default = ["192.0.2.0/24"]
}

variable "regions" {
  type = map(object({
    cidrs = optional(list(string), [])
    vpc   = optional(bool, false)
  }))
  default = {}
}

locals {
  name  = "labeling-%(index)d"
  cidrs = distinct(concat(var.office_cidrs, ["198.51.100.0/24"]))
  tags  = { team = "labeling", stack = local.name }
}

module "teams" {
  source   = "./modules/team"
  for_each = var.regions
  name     = "${local.name}-${each.key}"
  cidrs    = concat(local.cidrs, each.value.cidrs)
  vpc      = each.value.vpc
}

resource "aws_sagemaker_workforce" "main" {
  workforce_name = local.name
  cognito_config {
    client_id = "client-%(index)d"
    user_pool = "eu-west-1_Pool%(index)d"
  }
  dynamic "source_ip_config" {
    for_each = length(local.cidrs) > 0 ? [1] : []
    content {
      cidrs = local.cidrs
    }
  }
}

resource "aws_s3_bucket" "labels" {
  bucket = "${local.name}-labels"
  tags   = local.tags
}

resource "aws_security_group" "portal" {
  name        = "${local.name}-portal"
  description = "labeling portal"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = local.cidrs
  }
}
"""
TEAM_MODULE = """variable "name" {
  type = string
}

variable "cidrs" {
  type = list(string)
}

variable "vpc" {
  type    = bool
  default = false
}

resource "aws_sagemaker_workforce" "this" {
  workforce_name = var.name
  oidc_config {
    client_id              = "oidc-${var.name}"
    client_secret          = "not-a-real-secret"
    issuer                 = "https://idp.example.com"
    authorization_endpoint = "https://idp.example.com/authorize"
    token_endpoint         = "https://idp.example.com/token"
    user_info_endpoint     = "https://idp.example.com/userinfo"
    logout_endpoint        = "https://idp.example.com/logout"
    jwks_uri               = "https://idp.example.com/jwks"
  }
  source_ip_config {
    cidrs = var.cidrs
  }
  dynamic "workforce_vpc_config" {
    for_each = var.vpc ? [1] : []
    content {
      vpc_id             = "vpc-0123456789abcdef0"
      security_group_ids = ["sg-0123456789abcdef0"]
      subnets            = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    }
  }
}
"""


def write_root_modules(parent: Path, count: int) -> list[Path]:
    """``count`` root modules under ``parent``; every fourth lets the world in."""
    roots = []
    for index in range(count):
        root = parent / f"stack-{index:03d}"
        (root / "modules" / "team").mkdir(parents=True)
        (root / "main.tf").write_text(ROOT_MODULE % {"index": index})
        (root / "modules" / "team" / "main.tf").write_text(TEAM_MODULE)
        extra = '["0.0.0.0/0"]' if index % 4 == 0 else '["203.0.113.0/24"]'
        (root / "terraform.tfvars").write_text(
            "regions = {\n"
            f"  us = {{ cidrs = {extra} }}\n"
            "  eu = { vpc = true }\n"
            '  ap = { cidrs = ["203.0.113.128/25"], vpc = true }\n'
            "}\n"
        )
        roots.append(root)
    return roots


def setup_checkov() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
    pip = str(CHECKOV_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "--quiet", f"checkov=={CHECKOV_VERSION}"], check=True)


def static_main(args: argparse.Namespace) -> None:
    from benchmarks.bench_end_to_end import measure

    if args.setup_checkov:
        setup_checkov()
    # byte-compiled, as pip installs it (this machine sets PYTHONDONTWRITEBYTECODE)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "checker")], check=True)
    checkov = CHECKOV_VENV / "bin" / "checkov"
    use_checkov = args.checkov != "off" and checkov.is_file()
    print(f"checkov: {CHECKOV_VERSION if use_checkov else 'not installed (--setup-checkov)'}")
    with tempfile.TemporaryDirectory(prefix="wfcheck-bench-tf-") as folder:
        parent = Path(folder) / "infra"
        roots = write_root_modules(parent, args.modules)
        report = Path(folder) / "wfcheck.json"
        wfcheck = [
            sys.executable, "-m", "checker", "scan", "--no-config", "--format", "json",
            "--output", str(report), "--now", "2026-12-01T00:00:00Z",
            *(str(root) for root in roots),
        ]  # fmt: skip
        single = [*wfcheck[: wfcheck.index("--now") + 2], str(roots[0])]
        single[single.index(str(report))] = str(Path(folder) / "single.json")
        checkov_argv = [
            str(checkov), "-d", str(parent), "--framework", "terraform", "-o", "json",
            "--quiet", "--compact", "--skip-download",
            "--output-file-path", str(Path(folder) / "checkov"),
        ]  # fmt: skip
        runs: dict[str, list[dict[str, Any]]] = {"wfcheck": [], "checkov": [], "single": []}
        for _ in range(args.repeat):
            runs["wfcheck"].append(measure(wfcheck, ROOT))
            if use_checkov:
                runs["checkov"].append(measure(checkov_argv, ROOT))
            runs["single"].append(measure(single, ROOT))
        for run in runs["wfcheck"] + runs["single"]:
            if run["code"] not in (0, 1):
                raise SystemExit(f"wfcheck failed (exit {run['code']}): {run['err']}")
        summary = json.loads(report.read_text())["summary"]
        ours = _median(runs["wfcheck"])
        line = (
            f"wfcheck, {args.modules} root modules ({summary['records']} workforces, "
            f"{summary['fail']} failing results): {ours:.2f} s, "
            f"peak {max(r['rss'] for r in runs['wfcheck']) / 2**20:.0f} MiB"
        )
        if use_checkov:
            theirs = _median(runs["checkov"])
            found = _checkov_summary(Path(folder) / "checkov")
            line += f"; checkov {theirs:.2f} s ({ours / theirs:.2f}x; {found})"
        print(line)
        print(f"one root module with a module for_each: {_median(runs['single']):.2f} s")


def _checkov_summary(folder: Path) -> str:
    """What Checkov's report says it checked, so a run that read nothing cannot pass as fast."""
    reports = list(folder.glob("*.json"))
    if not reports:
        raise SystemExit(f"checkov wrote no report in {folder}")
    data = json.loads(reports[0].read_text())
    summary = (data[0] if isinstance(data, list) else data)["summary"]
    return f"{summary['resource_count']} resources, {summary['failed']} failed checks"


def _median(runs: list[dict[str, Any]]) -> float:
    walls = sorted(run["wall"] for run in runs)
    return walls[len(walls) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--static", action="store_true", help="scan .tf root modules, no plan")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--checkov", choices=("auto", "off"), default="auto")
    parser.add_argument("--setup-checkov", action="store_true", help="create .venv-checkov")
    args = parser.parse_args()
    if args.static:
        static_main(args)
        return
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": [_change(i) for i in range(args.resources)],
    }
    policies = load_policies([BUILTIN])
    now = parse_timestamp("2026-11-25T00:00:00Z")
    assert now is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(plan))
        size = path.stat().st_size / (1024 * 1024)
        for run in range(args.repeat):
            start = time.perf_counter()
            records = list(TerraformSource(str(path)).records())
            read = time.perf_counter() - start
            start = time.perf_counter()
            results = sum(1 for _ in evaluate(records, policies.rules, now))
            evaluated = time.perf_counter() - start
            print(
                f"run {run + 1}: {len(records)} resources ({size:.1f} MiB): read {read:.2f} s, "
                f"evaluate {evaluated:.2f} s ({results} results)"
            )


if __name__ == "__main__":
    main()
