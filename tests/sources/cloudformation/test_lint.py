"""Every template fixture and example is one CloudFormation accepts: cfn-lint 1.58 finds
nothing in them (so the tests check templates teams can deploy, not toy input)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from checker.sources.cloudformation.template import TEMPLATE_SUFFIXES, is_template, load_template
from tests.conftest import EXAMPLES

FIXTURES = Path(__file__).resolve().parent
# W3002: a local TemplateURL only works through `aws cloudformation package` (on purpose there).
ALLOWED = {"nested/parent.yaml": {"W3002"}}


def templates() -> list[Path]:
    found = []
    for root in (EXAMPLES / "cloudformation", FIXTURES):
        for path in sorted(root.rglob("*")):
            candidate = path.is_file() and path.name.endswith(TEMPLATE_SUFFIXES)
            if candidate and is_template(load_template(str(path)).data):
                found.append(path)
    return found


def lint(path: Path) -> list[str]:
    matches = lint_file(path, config=ManualArgs(regions=["eu-west-1", "us-east-1"]))
    return [f"{match.rule.id} {match.linenumber}: {match.message}" for match in matches]


def test_the_fixtures_are_found() -> None:
    names = {path.name for path in templates()}
    assert {
        "labeling-stack.yaml",
        "vendor-stack.template.json",
        "LabelingPipeline.template.json",
        "LabelingPipelineAnnotators1A2B3C4D.nested.template.json",
        "every-intrinsic.yaml",
        "conditions.json",
        "parent.yaml",
        "child.yaml",
    } <= names


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_cfn_lint_accepts(path: Path) -> None:
    relative = path.relative_to(FIXTURES).as_posix() if FIXTURES in path.parents else path.name
    allowed = ALLOWED.get(relative, set())
    assert [found for found in lint(path) if found.split()[0] not in allowed] == []


def test_cfn_lint_rejects_what_cloudformation_would(tmp_path: Path) -> None:
    """The control: the linter does check workforce properties (https endpoints, IPv4 CIDRs)."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "Resources:\n  W:\n    Type: AWS::SageMaker::Workforce\n    Properties:\n"
        "      WorkforceName: w\n"
        "      SourceIpConfig: {Cidrs: [10.1.2.3/33]}\n"
        "      OidcConfig: {ClientId: c, Issuer: http://idp, AuthorizationEndpoint: https://a,\n"
        "        TokenEndpoint: https://a, UserInfoEndpoint: https://a, LogoutEndpoint: https://a,\n"
        "        JwksUri: https://a}\n"
    )
    found = lint(path)
    assert any("http://idp" in item for item in found), found
    assert any("10.1.2.3/33" in item for item in found), found
