"""The one-line acceptance reason SARIF, JUnit and CSV show for waived and baseline results."""

from __future__ import annotations

from typing import Any

import pytest

from checker.reports.acceptance import acceptance_reason
from checker.results import Report


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (None, None),
        ({}, None),
        ({"baseline": True}, None),
        ({"reason": "accepted"}, "accepted"),
        (
            {
                "waiver": {
                    "reason": "vendor",
                    "owner": "a@example.com",
                    "expires": "2026-12-31",
                    "ticket": "SEC-1",
                }
            },
            "vendor (owner a@example.com, ticket SEC-1, expires 2026-12-31)",
        ),
        (
            {"waiver": {"reason": "vendor", "owner": "a@example.com", "ticket": None}},
            "vendor (owner a@example.com)",
        ),
        ({"waiver": {"reason": "vendor"}}, "vendor"),
        ({"waiver": {"owner": "x"}}, None),
    ],
)
def test_acceptance_reason(
    example_report: Report, annotation: dict[str, Any] | None, expected: str | None
) -> None:
    result = example_report.results[0]._replace(annotation=annotation)
    assert acceptance_reason(result) == expected
