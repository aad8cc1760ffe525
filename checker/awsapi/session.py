"""The base botocore session every AWS call starts from, and the client settings they share:
one user agent, explicit retries and timeouts (botocore's defaults are 60 s timeouts and legacy
retries), and each partition's home region (for global services).

boto3/botocore are imported inside functions only: offline commands never load them.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from checker import __version__
from checker.awsapi.credentials import credentials_error, profile_origin

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session

RetryMode = Literal["standard", "adaptive"]

USER_AGENT = f"wfcheck/{__version__}"
HOME_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


EVENT_NAMES = {
    "sagemaker": ("sagemaker",),
    "cognito-idp": ("cognito-idp", "cognito-identity-provider"),
    "ec2": ("ec2",),
    "sts": ("sts",),
    "organizations": ("organizations",),
    "sso": ("sso",),
    "sso-oidc": ("sso-oidc",),
    "signin": ("signin",),
}
"""The names botocore's events give each service's clients (``before-call.ec2.*``): the
service name and its hyphenated service id, where they differ."""


def base_session(profile: str | None, services: Collection[str] | None = None) -> Session:
    """A botocore session for ``profile`` (None: the standard chain), the profile checked now:
    an unknown one is a :class:`CredentialsError`, not an error per unit later. ``services``:
    the only services its clients call (see :func:`service_session`)."""
    from botocore.exceptions import BotoCoreError

    try:
        session = service_session(profile, services)
        session.get_scoped_config()
    except BotoCoreError as exc:  # ProfileNotFound, an unparsable config file
        name = profile or os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE")
        error = credentials_error(exc, name, profile_origin(profile, dict(os.environ)))
        if error is None:
            raise
        raise error from exc
    session.user_agent_extra = USER_AGENT
    share_event_aliases(session)
    return session


def service_session(profile: str | None, services: Collection[str] | None = None) -> Session:
    """A botocore session whose clients are only of ``services`` (None: any), with only the
    builtin handlers that can fire for them.

    Every client copies its session's event handlers, a trie of every event botocore's
    builtins register (S3's, Glacier's, documentation's...): ~190 nodes copied per client, and
    each freed by the cyclic GC, where a few dozen can ever fire. A handler registered for
    ``before-call.s3`` is never reached by an EC2 client's events, so leaving it out changes no
    behaviour. Unknown services keep every handler."""
    import botocore.session

    if services is None or not set(services) <= EVENT_NAMES.keys():
        return botocore.session.Session(profile=profile)
    names = {name for service in services for name in EVENT_NAMES[service]}
    from botocore import handlers
    from botocore.hooks import EventAliaser, HierarchicalEmitter

    emitter = HierarchicalEmitter()
    events = EventAliaser(emitter)  # registers under the same names the session would
    for spec in handlers.BUILTIN_HANDLERS:
        event, handler = spec[0], spec[1]
        if not _can_fire(event, names):
            continue
        if len(spec) == 2:
            events.register(event, handler)
        elif spec[2] is handlers.REGISTER_FIRST:
            events.register_first(event, handler)
        else:
            events.register_last(event, handler)
    return botocore.session.Session(
        event_hooks=emitter, include_builtin_handlers=False, profile=profile
    )


def _can_fire(event: str, services: set[str]) -> bool:
    """Whether a handler for ``event`` can run for a client of ``services`` (event names are
    ``kind[.service[.operation]]``; ``docs.*`` only while generating documentation)."""
    parts = event.split(".")
    if parts[0] == "docs":
        return False
    return len(parts) == 1 or parts[1] == "*" or parts[1] in services


def client_config(
    *, retry_mode: RetryMode, max_attempts: int, timeout: float, read_timeout: float | None = None
) -> Config:
    """Explicit retries and timeouts (botocore's defaults: 60 s timeouts, legacy retries)."""
    from botocore.config import Config

    return Config(
        retries={"mode": retry_mode, "total_max_attempts": max_attempts},
        connect_timeout=timeout,
        read_timeout=timeout if read_timeout is None else read_timeout,
        max_pool_connections=2,
        proxies=_no_proxies(),
    )


def _no_proxies() -> dict[str, str] | None:
    """``{}`` when the environment names no proxy, else None (botocore then looks the proxy up
    for each endpoint, honouring ``NO_PROXY``). Botocore reads the proxies from the
    environment alone, twice per client it creates, each time walking every environment
    variable; with none set, saying so once gives every client the same answer."""
    import urllib.request

    return {} if not urllib.request.getproxies() else None


def share_event_aliases(session: Session) -> None:
    """Let every client of ``session`` share one cache of botocore's event-name aliases.

    Each client copies the session's ``EventAliaser``, and the copy starts with an empty cache,
    so every client re-derives the aliases of the ~45 event names it registers and emits (a
    loop over every alias each time: a tenth of a live run's CPU). The aliases are botocore's
    fixed table, so one cache serves every copy. Only a session with botocore's own aliaser
    over that table changes (its registered ``event_emitter`` component, the one clients copy);
    with any other layout nothing does."""
    from botocore.hooks import EventAliaser
    from botocore.utils import EVENT_ALIASES

    events = session.get_component("event_emitter")
    emitter = getattr(events, "_emitter", None)
    aliases = getattr(events, "_event_aliases", None)
    if type(events) is EventAliaser and emitter is not None and aliases == EVENT_ALIASES:
        session.register_component("event_emitter", _shared_aliaser()(emitter))


@lru_cache(maxsize=1)
def _shared_aliaser() -> type[Any]:
    """``EventAliaser`` whose copies share one alias cache (made on first use: botocore is
    imported only by live runs)."""
    import copy

    from botocore.hooks import EventAliaser

    cache: dict[str, str] = {}

    class SharedAliases(EventAliaser):
        def __init__(self, emitter: Any) -> None:
            super().__init__(emitter)
            self.emitter = emitter
            self._alias_name_cache = cache

        def __copy__(self) -> SharedAliases:
            return SharedAliases(copy.copy(self.emitter))

    return SharedAliases
