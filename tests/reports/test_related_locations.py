"""A finding on a related resource points at that resource's block, not the workforce's."""

from __future__ import annotations

import pytest

from checker.model import Location, Resource, Result, RuleInfo, Status
from checker.reports.sarif import physical_location
from tests.helpers import annotation

RESOURCE = Resource(
    arn=None,
    name="wf",
    account=None,
    region=None,
    source="plan.json",
    address="aws_sagemaker_workforce.wf",
    location=Location("infra/main.tf", 3),
    related_locations=(
        ("Related.UserPool", Location("infra/cognito.tf", 10)),
        ("Related.SecurityGroups[1]", Location("infra/vpc.tf", 40)),
        ("Related.SecurityGroups", Location("infra/vpc.tf", 1)),
    ),
)


def result_at(path: str) -> Result:
    return Result(RuleInfo("WF050", "t", "high"), Status.FAIL, RESOURCE, "bad", path)


@pytest.mark.parametrize(
    ("path", "file", "line"),
    [
        ("Related.UserPool.MfaConfiguration", "infra/cognito.tf", 10),
        ("Related.UserPool", "infra/cognito.tf", 10),
        ("Related.SecurityGroups[1].IpPermissions[0]", "infra/vpc.tf", 40),
        ("Related.SecurityGroups[0].IpPermissions", "infra/vpc.tf", 1),
        ("Related.UserPoolClient.ExplicitAuthFlows", "infra/main.tf", 3),
        ("Related.UserPoolX", "infra/main.tf", 3),
        ("SourceIpConfig.Cidrs", "infra/main.tf", 3),
    ],
)
def test_sarif_and_github_use_the_related_resource_line(path: str, file: str, line: int) -> None:
    physical = physical_location(result_at(path))
    assert physical["artifactLocation"]["uri"] == file
    assert physical["region"]["startLine"] == line
    assert f"file={file},line={line}" in annotation(result_at(path))
