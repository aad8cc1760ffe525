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


def _handlers_for(session: Any, event: str) -> list[Any]:
    """The handlers ``session``'s clients would run for ``event`` (botocore's own lookup)."""
    emitter = session.get_component("event_emitter")
    return list(emitter._emitter._handlers.prefix_search(emitter._alias_event_name(event)))


@pytest.mark.parametrize(
    "service",
    ["sagemaker", "cognito-idp", "ec2", "sts", "organizations", "sso", "sso-oidc", "signin"],
)
def test_a_service_session_runs_every_builtin_handler_its_clients_can_reach(service: str) -> None:
    import botocore.session
    from botocore import handlers

    from checker.awsapi.session import EVENT_NAMES, service_session
    from checker.sources.aws.clients import BASE_SERVICES

    full = botocore.session.Session()
    pruned = service_session(None, BASE_SERVICES)
    model = full.get_service_model(service)
    service_id = model.service_id.hyphenize()
    assert service_id in EVENT_NAMES[service]  # the name botocore's events use
    kinds = sorted({spec[0].split(".")[0] for spec in handlers.BUILTIN_HANDLERS} - {"docs"})
    operations = [*model.operation_names[:40], "RunInstances", "CopySnapshot", "AssumeRoleWithSAML"]
    reached = 0
    for kind in kinds:
        for event in (
            kind,
            f"{kind}.{service_id}",
            *(f"{kind}.{service_id}.{op}" for op in operations),
        ):
            expected = _handlers_for(full, event)
            assert _handlers_for(pruned, event) == expected, event
            reached += bool(expected)
    assert reached > 0


def test_a_service_session_leaves_out_what_no_client_of_it_reaches() -> None:
    import botocore.session

    from checker.awsapi.session import service_session

    full, pruned = botocore.session.Session(), service_session(None, ["sagemaker"])
    for event in ("before-parameter-build.s3.PutObject", "before-call.glacier.UploadArchive"):
        kept, every = _handlers_for(pruned, event), _handlers_for(full, event)
        assert set(kept) < set(every)  # the generic ones stay, S3's and Glacier's go
        assert kept == [handler for handler in every if handler in kept]


def test_a_session_for_an_unknown_service_keeps_every_builtin_handler() -> None:
    import botocore.session

    from checker.awsapi.session import service_session

    event = "before-parameter-build.s3.PutObject"
    for session in (service_session(None, ["sagemaker", "s3"]), service_session(None)):
        assert _handlers_for(session, event) == _handlers_for(botocore.session.Session(), event)
