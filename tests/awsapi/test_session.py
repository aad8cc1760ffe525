"""Client settings every AWS call shares (checker/awsapi/session.py): explicit retries and
timeouts instead of botocore's defaults."""

from __future__ import annotations

from typing import Any

import pytest

from checker.awsapi.session import client_config


@pytest.mark.parametrize(
    "settings, retries, timeouts",
    [
        ({"retry_mode": "standard", "max_attempts": 5, "timeout": 15.0}, ("standard", 5), (15, 15)),
        (
            {"retry_mode": "adaptive", "max_attempts": 2, "timeout": 10, "read_timeout": 60},
            ("adaptive", 2),
            (10, 60),
        ),
    ],
)
def test_client_config(
    settings: dict[str, Any], retries: tuple[str, int], timeouts: tuple[float, float]
) -> None:
    config = client_config(**settings)
    assert (config.retries["mode"], config.retries["total_max_attempts"]) == retries
    assert (config.connect_timeout, config.read_timeout) == timeouts
