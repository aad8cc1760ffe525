"""Synthetic workforce records for benchmarks: varied, realistic, reproducible (seeded).

Like a real estate: identifiers (ARNs, VPC, subnet, security group and user pool ids) are unique
per workforce, configurations are drawn from a few org-wide choices (CIDR sets, issuers), and
each rule area has roughly 5-15% non-compliant records. ``hostile=True`` makes CIDR lists,
issuers and timestamps unique per record and most rules fail: the worst case for the engine's
memoization.
"""

from __future__ import annotations

import random
from typing import Any

REGIONS = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
    "us-east-2",
]
GOOD_CIDRS = [
    ["203.0.113.0/24"],
    ["203.0.113.0/24", "198.51.100.0/24"],
    ["198.51.100.0/24", "2001:db8:1::/48"],
    ["203.0.113.128/25"],
]
BAD_CIDRS = [[], ["0.0.0.0/0"], ["10.0.0.0/8"], ["10.1.2.3/24", "10.1.2.0/25"], ["192.0.2.0/24"]]
ISSUERS = ["https://idp.example.com", "https://login.example.org"]


def _oidc(host: str, rng: random.Random, bad: bool) -> dict[str, Any]:
    return {
        "ClientId": "client",
        "Issuer": f"https://{host}",
        "AuthorizationEndpoint": f"https://{host}/authorize",
        "TokenEndpoint": f"https://{host}/token",
        "UserInfoEndpoint": f"https://{host}/userinfo",
        "LogoutEndpoint": f"https://{host}/logout",
        "JwksUri": "http://keys.example.net/jwks" if bad else f"https://{host}/jwks",
        "Scope": "email" if bad and rng.random() < 0.5 else "openid email",
    }


def synthetic_workforces(count: int, seed: int = 7, hostile: bool = False) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    workforces = []
    for index in range(count):
        account = f"{100000000000 + index // len(REGIONS):012d}"
        region = REGIONS[index % len(REGIONS)]
        name = f"labeling-{index}"
        bad = hostile or rng.random() < 0.1
        if hostile:
            cidrs = [f"10.{index % 250}.{index // 250 % 250}.7/{rng.randint(0, 32)}", "0.0.0.0/0"]
        else:
            cidrs = rng.choice(BAD_CIDRS if bad else GOOD_CIDRS)
        status = "Active"
        if bad and rng.random() < 0.3:
            status = rng.choice(["Failed", "Updating"])
        workforce: dict[str, Any] = {
            "WorkforceName": name,
            "WorkforceArn": f"arn:aws:sagemaker:{region}:{account}:workforce/{name}",
            "LastUpdatedDate": 1764000000.0 - rng.randint(0, 10**7),
            "CreateDate": 1760000000.0 - rng.randint(0, 10**7),
            "SourceIpConfig": {"Cidrs": list(cidrs)},
            "SubDomain": f"{name}.labeling.{region}.sagemaker.aws",
            "Status": status,
            "IpAddressType": rng.choice(["ipv4", "dualstack"]),
        }
        if status == "Failed":
            workforce["FailureReason"] = f"subnet-{index:08x} not found"
        if rng.random() < 0.5:
            host = (
                f"idp{index}.example.com"
                if hostile
                else rng.choice(["idp.example.com", "login.example.org"])
            )
            workforce["OidcConfig"] = _oidc(host, rng, bad)
        else:
            pool_region = rng.choice(REGIONS) if bad else region
            workforce["CognitoConfig"] = {
                "UserPool": f"{pool_region}_Pool{index:06d}",
                "ClientId": f"client{index}",
            }
        if not (bad and rng.random() < 0.5):
            subnets = 1 if bad else rng.randint(2, 3)
            workforce["WorkforceVpcConfig"] = {
                "VpcId": f"vpc-{index:017x}",
                "SecurityGroupIds": [f"sg-{index:017x}"],
                "Subnets": [f"subnet-{index:08x}{n}" for n in range(subnets)],
                **({} if bad and status == "Active" else {"VpcEndpointId": f"vpce-{index:017x}"}),
            }
        workforces.append(workforce)
    return workforces
