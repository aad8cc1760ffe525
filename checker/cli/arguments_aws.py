"""Options of the live AWS collection and of sending findings to AWS Security Hub.

Every option that chooses whose credentials are used or where requests go is ``trusted``: a
config file found by discovery (which a pull request can change) may not set it.
"""

from __future__ import annotations

from checker.cli.arguments import Group
from checker.cli.option import Option, OptionValueError, http_url, seconds, whole_number
from checker.related import KINDS, parse_kinds
from checker.sources.aws import options as live


def _product_arn(text: str) -> str:
    from checker.reports.asff import PRODUCT_ARN

    if not PRODUCT_ARN.match(text):
        raise OptionValueError(
            f"expected arn:aws:securityhub:REGION:ACCOUNT:product/COMPANY/PRODUCT, got {text!r}"
        )
    return text


def _sarif_max_results(text: str) -> str:
    """A whole number of results per SARIF run, 1 to GitHub's 25,000 (kept as text: writer
    settings are strings)."""
    from checker.reports.sarif import MAX_RESULTS_PER_RUN

    return str(whole_number(1, MAX_RESULTS_PER_RUN)(text))


def _related_kinds(text: str) -> str:
    """``all``, ``none`` or a comma-separated list of kinds (kept as text; checked here)."""
    try:
        parse_kinds(text)
    except ValueError as exc:
        raise OptionValueError(f"{exc}: all, none, or KIND[,KIND] of {', '.join(KINDS)}") from None
    return text


def _live_options() -> tuple[Option, ...]:
    return (
        Option(
            ("--profile",),
            "AWS profile (default: the standard credential chain)",
            metavar="NAME",
            trusted=True,
        ),
        Option(
            ("--region",),
            "region to read (repeatable); 'all': every SageMaker region enabled in the "
            "account (default: the session's region)",
            kind="list",
            metavar="REGION",
            key="regions",
        ),
        Option(
            ("--endpoint-url",),
            "SageMaker endpoint (private endpoints, tests)",
            metavar="URL",
            convert=http_url,
            trusted=True,
        ),
        Option(
            ("--sts-endpoint-url",),
            "STS endpoint for AssumeRole",
            metavar="URL",
            convert=http_url,
            trusted=True,
        ),
        Option(("--role-arn",), "assume this role (one account)", metavar="ARN", trusted=True),
        Option(
            ("--accounts",),
            "YAML file of accounts to read (see docs/live.md)",
            metavar="FILE",
            path=True,
            trusted=True,
        ),
        Option(
            ("--org",),
            "read every active account of the AWS Organization (with --role-name)",
            kind="flag",
            trusted=True,
        ),
        Option(
            ("--role-name",),
            "role to assume in each account (--org; default for --accounts entries)",
            metavar="NAME",
            trusted=True,
        ),
        Option(("--external-id",), "ExternalId for AssumeRole", metavar="ID", trusted=True),
        Option(
            ("--name-contains",),
            "only workforces whose name contains TEXT (NameContains)",
            metavar="TEXT",
        ),
        Option(("--sort-by",), "SortBy", choices=live.SORT_BY),
        Option(("--sort-order",), "SortOrder", choices=live.SORT_ORDER),
        Option(
            ("--page-size",),
            f"workforces per request (1-{live.MAX_PAGE_SIZE})",
            metavar="N",
            convert=whole_number(1, live.MAX_PAGE_SIZE),
        ),
        Option(
            ("--max-items",),
            "stop each listing after N workforces; the resume token is printed and kept in "
            "the report",
            metavar="N",
            convert=whole_number(1),
        ),
        Option(
            ("--starting-token",),
            "resume a listing (one account and region) from a --max-items resume token",
            metavar="TOKEN",
            key=None,
        ),
        Option(
            ("--workers",),
            f"parallel requests at most (default {live.DEFAULT_WORKERS})",
            metavar="N",
            convert=whole_number(1, live.MAX_WORKERS),
            default=live.DEFAULT_WORKERS,
        ),
        Option(
            ("--retry-mode",),
            "botocore retry mode (default standard)",
            choices=live.RETRY_MODES,
            default="standard",
        ),
        Option(
            ("--max-attempts",),
            f"attempts per request, retries included (default {live.DEFAULT_MAX_ATTEMPTS})",
            metavar="N",
            convert=whole_number(1, 20),
            default=live.DEFAULT_MAX_ATTEMPTS,
        ),
        Option(
            ("--timeout",),
            f"connect and read timeout (default {live.DEFAULT_TIMEOUT:g})",
            metavar="SECONDS",
            convert=seconds,
            default=live.DEFAULT_TIMEOUT,
        ),
        Option(
            ("--related",),
            "related resources read with each workforce: all (default), none, or KIND[,KIND] "
            f"of {', '.join(KINDS)}",
            metavar="KINDS",
            convert=_related_kinds,
            default="all",
        ),
    )


LIVE = Group("live AWS collection (scan without inputs, fetch)", _live_options())

SECURITY_HUB = Group(
    "Security Hub, ASFF and SARIF",
    (
        Option(
            ("--securityhub-import",),
            "send the failing results to AWS Security Hub as ASFF findings "
            "(BatchImportFindings, 100 a call); a rejected finding exits 3",
            kind="flag",
            trusted=True,
        ),
        Option(
            ("--securityhub-region",),
            "call Security Hub in REGION (default: the region of each finding's product ARN, "
            "i.e. the workforce's region)",
            metavar="REGION",
            trusted=True,
        ),
        Option(
            ("--securityhub-endpoint-url",),
            "Security Hub endpoint (a VPC endpoint, or a local test server)",
            metavar="URL",
            convert=http_url,
            trusted=True,
        ),
        Option(
            ("--asff-product-arn",),
            "ASFF ProductArn (default arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default "
            "per finding); also places records that have no account or region (Terraform plans)",
            metavar="ARN",
            convert=_product_arn,
            trusted=True,
        ),
        Option(
            ("--sarif-automation-id",),
            "SARIF runAutomationDetails.id, GitHub's analysis category (default wfcheck/)",
            metavar="ID",
        ),
        Option(
            ("--sarif-max-results",),
            "at most N SARIF results per run (default and maximum 25000, GitHub's limit); past "
            "it results are split into runs by rule and the most severe kept",
            metavar="N",
            convert=_sarif_max_results,
        ),
    ),
)
