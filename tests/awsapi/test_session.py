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


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def test_no_proxy_in_the_environment_is_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, *(name.lower() for name in PROXY_VARIABLES)):
        monkeypatch.delenv(name, raising=False)
    assert client_config(retry_mode="standard", max_attempts=3, timeout=5).proxies == {}


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_a_proxy_in_the_environment_is_left_to_botocore(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """botocore then looks it up per endpoint (and honours NO_PROXY)."""
    monkeypatch.setenv(name, "http://proxy.example.com:3128")
    assert client_config(retry_mode="standard", max_attempts=3, timeout=5).proxies is None


def test_clients_share_one_alias_cache_and_alias_as_botocore_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import copy

    import botocore.session
    from botocore.hooks import EventAliaser
    from botocore.utils import EVENT_ALIASES

    from checker.awsapi.session import share_event_aliases

    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    session = botocore.session.Session()
    share_event_aliases(session)
    shared = session.get_component("event_emitter")
    assert type(shared) is not EventAliaser
    first, second = copy.copy(shared), copy.copy(shared)
    names = [f"before-call.{old}.Operation" for old in EVENT_ALIASES] + ["after-call.s3.Get"]
    plain = EventAliaser(None)
    assert [first._alias_event_name(name) for name in names] == [
        plain._alias_event_name(name) for name in names
    ]
    assert first._alias_name_cache is second._alias_name_cache
    assert second._alias_name_cache  # filled by the other copy
    calls: list[str] = []
    first.register("wfcheck-test.sagemaker.Thing", lambda **kwargs: calls.append("x"))
    first.emit("wfcheck-test.api.sagemaker.Thing")  # the alias reaches the handler
    assert calls == ["x"]
    assert second._emitter is not first._emitter  # each copy keeps its own handlers
