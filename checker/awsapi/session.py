"""The base botocore session every AWS call starts from, and the client settings they share:
one user agent, explicit retries and timeouts (botocore's defaults are 60 s timeouts and legacy
retries), and each partition's home region (for global services).

boto3/botocore are imported inside functions only: offline commands never load them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from checker import __version__
from checker.awsapi.credentials import credentials_error, profile_origin

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session

RetryMode = Literal["standard", "adaptive"]

USER_AGENT = f"wfcheck/{__version__}"
HOME_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def base_session(profile: str | None) -> Session:
    """A botocore session for ``profile`` (None: the standard chain), the profile checked now:
    an unknown one is a :class:`CredentialsError`, not an error per unit later."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        session = botocore.session.Session(profile=profile)
        session.get_scoped_config()
    except BotoCoreError as exc:  # ProfileNotFound, an unparsable config file
        name = profile or os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE")
        error = credentials_error(exc, name, profile_origin(profile, dict(os.environ)))
        if error is None:
            raise
        raise error from exc
    session.user_agent_extra = USER_AGENT
    return session


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
    )
