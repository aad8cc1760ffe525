"""Every client of a live run: the one-operation loader, per-account sessions and the factory
that creates them all (the base session, credentials and settings come from
:mod:`checker.awsapi`).

botocore Sessions are not thread-safe and a fresh one reloads the service model (~100 ms). So
one base session owns the loader (whose models list only the operations we call: see
:func:`called_operations_loader`); each assumed-role account gets one light session sharing that
loader (created once, not per unit) whose credentials refresh themselves; every client is
created under one lock.

boto3/botocore are imported inside functions only: offline commands never load them.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from checker.awsapi.credentials import fixed_credential_resolver, require_credentials
from checker.awsapi.session import (
    HOME_REGION,
    base_session,
    client_config,
    service_session,
    share_event_aliases,
)
from checker.related import IAM_ACTIONS
from checker.sources.aws.options import LiveOptions

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.session import Session


OPERATIONS: dict[str, tuple[str, ...]] = {
    "sagemaker": ("ListWorkforces", "ListWorkteams"),
    "cognito-idp": ("DescribeUserPool", "GetUserPoolMfaConfig", "DescribeUserPoolClient"),
    "ec2": ("DescribeRegions", "DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcEndpoints"),
}
"""The only operations a live run calls, per service; clients are built with these alone."""

BASE_SERVICES = (*OPERATIONS, "sts", "organizations", "sso", "sso-oidc", "signin")
"""The services of the base session's clients (the others: each account's session): ours,
and those botocore's credential chain creates (SSO roles, the SSO token refresh, sign-in)."""


def keep_only_called_operations(**event: Any) -> None:
    """``creating-client-class`` handler: drop the generated API methods we never call before
    botocore builds the class. Dropped now, they are freed by reference counting; kept, each
    client's class would hand them all to the cyclic GC (a third of its work)."""
    class_attributes: dict[str, Any] = event.get("class_attributes") or {}
    operations: dict[str, str] = class_attributes.get("_PY_TO_OP_NAME") or {}
    called = {name for names in OPERATIONS.values() for name in names}
    for method, operation in list(operations.items()):
        if operation not in called:
            class_attributes.pop(method, None)


def register_handlers(session: Any) -> None:
    for service in OPERATIONS:
        session.register(f"creating-client-class.{service}", keep_only_called_operations)


def called_operations_loader(loader: Any) -> Any:
    """A botocore Loader (same search paths) whose service models list only the operations we
    call (:data:`OPERATIONS`).

    botocore builds a client class per client, creating a method object for each of the ~450
    SageMaker (~860 EC2) operations before any ``creating-client-class`` handler can drop them:
    about a third of a client's creation cost. Giving the client a model that lists only the
    operations called (shapes, metadata, paginators and endpoint rules unchanged) skips that.
    Models are loaded through ``Loader.load_service_model``, the documented extension point
    (custom data paths work the same way). Its clients also share one ``ServiceModel`` per
    service (see :func:`share_service_models`).
    """
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    share_service_models()

    class CalledOperationsLoader(Loader):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.pruned: dict[tuple[str, str], dict[str, Any]] = {}
            self.models: dict[tuple[str, str], ServiceModel] = {}
            self.models_lock = threading.Lock()

        def service_model(self, service_name: str, api_version: str | None = None) -> Any:
            """The one ``ServiceModel`` of ``service_name`` for every client of this loader."""
            key = (service_name, api_version or "")
            with self.models_lock:
                model = self.models.get(key)
                if model is None:
                    description = self.load_service_model(service_name, "service-2", api_version)
                    model = self.models[key] = ServiceModel(description, service_name)
                return model

        def load_service_model(
            self, service_name: str, type_name: str, api_version: str | None = None
        ) -> Any:
            model = super().load_service_model(service_name, type_name, api_version)
            keep = OPERATIONS.get(service_name)
            if keep is None or type_name != "service-2":
                return model
            key = (service_name, api_version or "")
            pruned = self.pruned.get(key)
            if pruned is None:
                operations = model.get("operations") or {}
                pruned = dict(model)
                pruned["operations"] = {
                    name: operations[name] for name in keep if name in operations
                }
                self.pruned[key] = pruned
            return pruned

    return CalledOperationsLoader(
        extra_search_paths=list(loader.search_paths), include_default_search_paths=False
    )


def share_service_models() -> None:
    """Let clients created with a loader that offers ``service_model()`` share its models.

    botocore builds a ``ServiceModel`` for every client, and with it every shape and operation
    model the client's requests resolve again: in a live run, about 30,000 objects in reference
    cycles per 64 clients, which only the cyclic GC frees (each batched pass took 35-86 ms with
    every thread stalled; 8-20 ms with shared models). botocore never writes to a model after
    building it, so clients of one service can share one. ``ClientCreator`` offers no hook for
    this, so its model loading asks the loader first; other loaders (any other botocore use in
    the process) get botocore's own behaviour. Idempotent."""
    from botocore.client import ClientCreator

    creator: Any = ClientCreator  # the stubs lack its private methods
    build = creator._load_service_model
    if getattr(build, "shares_models", False):
        return

    def load_service_model(self: Any, service_name: str, api_version: str | None = None) -> Any:
        shared = getattr(self._loader, "service_model", None)
        if shared is None:
            return build(self, service_name, api_version)
        return shared(service_name, api_version)

    load_service_model.shares_models = True  # type: ignore[attr-defined]
    creator._load_service_model = load_service_model


class SharedConnections:
    """One pool of HTTP connections for every client of a process (``before-send`` handler).

    botocore gives each client its own connection pool, TLS context and connections, so a
    client per account x region x service opens (and, against AWS, handshakes) a connection of
    its own for a few requests, and the server sees thousands of short connections. Requests
    are signed one by one, so clients with the same settings can share connections: this sends
    every request through one ``URLLib3Session`` built the way botocore builds a client's (same
    timeouts, CA bundle and socket options), with a pool per host as large as the workers.
    Used only without proxies (botocore looks a proxy up per endpoint); a forked collector
    process builds its own pool, never reusing its parent's sockets."""

    POOLS = 64
    """Hosts kept connected at once (urllib3's default is 10: a region x service each)."""

    def __init__(self, session: Session, config: Any, size: int) -> None:
        self._session = session
        self._config = config
        self._size = size
        self._lock = threading.Lock()
        self._pid = -1
        self._http: Any = None

    @staticmethod
    def usable(config: Any) -> bool:
        """Only when the client settings name no proxy (see ``client_config``)."""
        return config.proxies == {} and not config.client_cert

    def send(self, **event: Any) -> Any:
        """The ``before-send`` handler: the response, from this process's pool."""
        http = self._http
        if http is None or self._pid != os.getpid():
            http = self._fresh()
        return http.send(event["request"])

    def close(self) -> None:
        """Close this process's connections (the run is over)."""
        with self._lock:
            if self._http is not None and self._pid == os.getpid():
                self._http.close()
            self._http = None

    def _fresh(self) -> Any:
        with self._lock:
            if self._http is None or self._pid != os.getpid():
                self._http = self._build()
                self._pid = os.getpid()
            return self._http

    def _build(self) -> Any:
        from botocore.httpsession import URLLib3Session

        pools = self.POOLS
        http_session: Any = URLLib3Session  # the stubs lack the pool settings' hook

        class ManyHosts(http_session):  # type: ignore[misc]
            def _get_pool_manager_kwargs(self, **extra: Any) -> Any:
                return super()._get_pool_manager_kwargs(num_pools=pools, **extra)

        return ManyHosts(
            verify=self.verify(),
            proxies={},
            timeout=(self._config.connect_timeout, self._config.read_timeout),
            max_pool_connections=self._size,
            socket_options=self.socket_options(),
        )

    def verify(self) -> Any:
        """What botocore verifies TLS with: the profile's ``ca_bundle``, else
        ``REQUESTS_CA_BUNDLE``, else the default trust store."""
        bundle = self._session.get_config_variable("ca_bundle")
        return bundle or os.environ.get("REQUESTS_CA_BUNDLE", True)

    def socket_options(self) -> list[tuple[int, int, int]]:
        """botocore's: no Nagle delay, and TCP keep-alive when configured."""
        options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        keepalive = self._config.tcp_keepalive
        if keepalive is None:
            keepalive = self._session.get_config_variable("tcp_keepalive")
        if keepalive:
            options.append((socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1))
        return options


class ClientFactory:
    """Every client of a live run comes from here: one loader, one lock, explicit retries and
    timeouts. Construction reads the profile (an unknown one is a :class:`CredentialsError`);
    :meth:`require_credentials` resolves the credentials, before any unit starts."""

    def __init__(self, options: LiveOptions) -> None:
        self.options = options
        self._lock = threading.Lock()
        self.session = base_session(options.profile, BASE_SERVICES)
        self.loader = called_operations_loader(self.session.get_component("data_loader"))
        self.session.register_component("data_loader", self.loader)
        self.config = client_config(
            retry_mode=options.retry_mode,
            max_attempts=options.max_attempts,
            timeout=options.timeout,
        )
        self.region: str | None = self.session.get_config_variable("region")
        try:
            self.partition = (
                self.session.get_partition_for_region(self.region) if self.region else "aws"
            )
        except Exception:  # an unknown region name: assume the main partition
            self.partition = "aws"
        self._sts: BaseClient | None = None
        self._sts_lock = threading.Lock()
        self.connections: SharedConnections | None = None
        if SharedConnections.usable(self.config):
            self.connections = SharedConnections(self.session, self.config, options.workers)
        self._equip(self.session)

    def _equip(self, session: Session) -> None:
        """The handlers every session of the run has: trimmed client classes, and the shared
        connections."""
        register_handlers(session)
        if self.connections is not None:
            session.register("before-send", self.connections.send)

    def close(self) -> None:
        """Close the shared connections (clients close their own)."""
        if self.connections is not None:
            self.connections.close()

    @property
    def home_region(self) -> str:
        """The session's region, else the partition's main one (for global services)."""
        return self.region or HOME_REGION.get(self.partition, "us-east-1")

    def require_credentials(self) -> None:
        """The base credentials, resolved once, now (see :func:`require_credentials`)."""
        require_credentials(self.session, self.options.profile)

    def warm_up(self) -> None:
        """Load the models, paginators and endpoint rules of every service the run calls once,
        before the GC freeze and before collector processes fork (which then share them rather
        than each loading them, the EC2 model among them, again)."""
        self.client("sagemaker", self.home_region, endpoint_url=self.options.endpoint_url).close()
        for service in self.services(self.options.related)[1:]:
            self.client(service, self.home_region).close()

    @staticmethod
    def services(related: Iterable[str]) -> list[str]:
        """The services a unit calls: SageMaker, then those the related kinds need."""
        actions = (action for kind in related for action in IAM_ACTIONS[kind])
        return ["sagemaker", *sorted({action.split(":")[0] for action in actions} - {"sagemaker"})]

    def account_session(self, credentials: Any) -> Session:
        """A session for one account's credentials that shares the base session's loader."""
        with self._lock:
            session = service_session(self.options.profile, OPERATIONS)
            session.user_agent_extra = self.session.user_agent_extra
            session.register_component("data_loader", self.loader)
            self._equip(session)
            share_event_aliases(session)
            session.register_component(
                "credential_provider", fixed_credential_resolver(credentials)
            )
            return session

    def client(
        self,
        service: str,
        region: str,
        session: Session | None = None,
        endpoint_url: str | None = None,
    ) -> Any:
        with self._lock:
            return (session or self.session).create_client(
                service, region_name=region, endpoint_url=endpoint_url, config=self.config
            )

    def sts(self) -> Any:
        """One STS client for every AssumeRole and refresh (clients are thread-safe), with a
        connection pool as large as the worker pool so no connection is discarded."""
        from botocore.config import Config

        with self._sts_lock:
            if self._sts is None:
                config = self.config.merge(Config(max_pool_connections=self.options.workers))
                with self._lock:
                    self._sts = self.session.create_client(
                        "sts",
                        region_name=self.home_region,
                        endpoint_url=self.options.sts_endpoint_url,
                        config=config,
                    )
            return self._sts

    def sagemaker_regions(self, partition: str) -> list[str]:
        with self._lock:
            return sorted(self.session.get_available_regions("sagemaker", partition))
