"""Sending ASFF findings to AWS Security Hub (``wfcheck scan --securityhub-import``).

``BatchImportFindings`` takes at most 100 findings a call and must be called in the region of the
finding's ``ProductArn``, so findings are grouped by that region (or all sent to
``--securityhub-region``) and sent in batches of 100. Security Hub answers a call with the
findings it rejected (``FailedFindings``); those, and calls that fail outright, come back as
:class:`ErrorEntry` items so the run exits 3 (incomplete) rather than pretending all is in.

boto3 is imported lazily: offline scans never load it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.model import ErrorEntry

if TYPE_CHECKING:
    from botocore.session import Session

BATCH_SIZE = 100
SOURCE = "securityhub"
# One error entry per rejected finding up to this many per region; the rest are summed up, so a
# run that is refused wholesale prints a screenful, not thousands of lines.
MAX_DETAILED_FAILURES = 20


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What one import did: how many findings went in, and what failed."""

    sent: int
    imported: int
    errors: tuple[ErrorEntry, ...]


def batches(items: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def product_region(finding: Mapping[str, Any]) -> str:
    """The region of a finding's ProductArn (``arn:partition:securityhub:REGION:...``)."""
    parts = str(finding.get("ProductArn", "")).split(":")
    return parts[3] if len(parts) > 3 and parts[3] else ""


def group_by_region(
    findings: Sequence[Mapping[str, Any]], region: str | None
) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        groups.setdefault(region or product_region(finding), []).append(finding)
    return groups


def _client(session: Session, region: str, endpoint_url: str | None) -> Any:
    from checker.awsapi.session import client_config

    config = client_config(retry_mode="standard", max_attempts=5, timeout=10, read_timeout=60)
    return session.create_client(
        "securityhub", region_name=region, endpoint_url=endpoint_url, config=config
    )


def _session(profile: str | None) -> Session:
    """The base session with its credentials resolved: missing credentials or an expired login
    are one :class:`CredentialsError`, not one failed call per region."""
    from checker.awsapi.credentials import require_credentials
    from checker.awsapi.session import base_session

    session = base_session(profile)
    require_credentials(session, profile)
    return session


def _call_error(exc: Exception, region: str, count: int) -> ErrorEntry:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "ClientError")
        message = str(exc.response.get("Error", {}).get("Message") or exc)
    else:
        code, message = type(exc).__name__, str(exc)
    return ErrorEntry(
        source=SOURCE,
        code=code,
        region=region,
        message=f"BatchImportFindings failed for {count} finding(s): {message}",
    )


def _failed_entries(
    failed: Sequence[Mapping[str, Any]], accounts: Mapping[str, str], region: str
) -> list[ErrorEntry]:
    entries = [
        ErrorEntry(
            source=SOURCE,
            code=str(item.get("ErrorCode") or "ImportFailed"),
            account=accounts.get(str(item.get("Id"))),
            region=region,
            message=f"finding {item.get('Id')} not imported: "
            f"{item.get('ErrorMessage') or 'no reason given'}",
        )
        for item in failed[:MAX_DETAILED_FAILURES]
    ]
    if len(failed) > MAX_DETAILED_FAILURES:
        entries.append(
            ErrorEntry(
                source=SOURCE,
                code="ImportFailed",
                region=region,
                message=f"{len(failed) - MAX_DETAILED_FAILURES} more finding(s) not imported",
            )
        )
    return entries


def import_findings(
    findings: Sequence[Mapping[str, Any]],
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    profile: str | None = None,
) -> ImportOutcome:
    """Send ``findings`` with BatchImportFindings; never raises for AWS-side failures. Missing
    credentials (or an expired login) are one error entry and no call."""
    from checker.awsapi.errors import CredentialsError

    errors: list[ErrorEntry] = []
    placed: list[tuple[str, list[Mapping[str, Any]]]] = []
    for target, group in sorted(group_by_region(findings, region).items()):
        if target:
            placed.append((target, group))
            continue
        errors.append(
            ErrorEntry(
                source=SOURCE,
                code="NoRegion",
                message=f"{len(group)} finding(s) have no region: give --securityhub-region",
            )
        )
    imported = 0
    if placed:
        try:
            session = _session(profile)
        except CredentialsError as exc:
            errors.append(ErrorEntry(SOURCE, f"nothing imported: {exc}", exc.code))
            return ImportOutcome(sent=len(findings), imported=0, errors=tuple(errors))
        for target, group in placed:
            count, failures = _import_region(session, target, group, endpoint_url)
            imported += count
            errors.extend(failures)
    return ImportOutcome(sent=len(findings), imported=imported, errors=tuple(errors))


def _import_region(
    session: Session, region: str, group: Sequence[Mapping[str, Any]], endpoint_url: str | None
) -> tuple[int, list[ErrorEntry]]:
    """(findings imported, errors) for the findings of one region, in batches."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = _client(session, region, endpoint_url)
    except (BotoCoreError, ValueError) as exc:  # a malformed endpoint URL
        return 0, [_call_error(exc, region, len(group))]
    errors: list[ErrorEntry] = []
    failed: list[Mapping[str, Any]] = []
    imported = 0
    for batch in batches(group):
        try:
            response = client.batch_import_findings(Findings=list(batch))
        except (BotoCoreError, ClientError) as exc:
            errors.append(_call_error(exc, region, len(batch)))
            continue
        rejected = list(response.get("FailedFindings") or [])
        unnamed = int(response.get("FailedCount") or 0) - len(rejected)
        if unnamed > 0:  # counted as failed but not listed: still not imported
            rejected += [{"Id": "?", "ErrorCode": "ImportFailed"}] * unnamed
        failed.extend(rejected)
        imported += int(response.get("SuccessCount", len(batch) - len(rejected)))
    accounts = {str(f.get("Id")): str(f.get("AwsAccountId")) for f in group}
    errors.extend(_failed_entries(failed, accounts, region))
    return imported, errors
