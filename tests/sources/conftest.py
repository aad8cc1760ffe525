"""Fixtures shared by the live-collection tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.aws_server import Behaviour, FakeAws


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Start loopback AWS servers with the given behaviour; Organizations points there (and
    EC2 and Cognito, which FakeAws points at itself while it serves)."""
    servers: list[FakeAws] = []

    def _start(**behaviour: Any) -> FakeAws:
        fake = FakeAws(Behaviour(**behaviour)).__enter__()
        servers.append(fake)
        monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", fake.url)
        return fake

    yield _start
    for fake in servers:
        fake.close()
