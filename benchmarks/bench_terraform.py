"""Terraform plan reading speed: a plan with N workforce changes, read and evaluated.

    python benchmarks/bench_terraform.py [--resources 10000] [--repeat 3]

Half the resources are creates with unknown ARN, subdomain and (every fourth) CIDRs, the rest
updates; each has an OIDC client secret marked sensitive. Reports the time to read the plan into
records and to evaluate the bundled pack on them (the unknown-aware path of the engine).
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
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
