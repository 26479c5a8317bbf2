"""What a rolling deploy did, as typed records (see sim/core/records.py and deploy.py)."""

from typing import NamedTuple


class DeployStarted(NamedTuple):
    servers: tuple[str, ...]
    kind = "deploy_started"


class DeployIgnored(NamedTuple):
    server: str  # the one the running deploy is at
    kind = "deploy_ignored"


class DeployDraining(NamedTuple):
    server: str
    kind = "deploy_draining"


class DeployStopping(NamedTuple):
    server: str
    in_flight: int
    kind = "deploy_stopping"


class DeployKilled(NamedTuple):
    """The grace period ended with the process still running: SIGKILL."""

    server: str
    in_flight: int
    kind = "deploy_killed"


class DeployReplaced(NamedTuple):
    server: str
    kind = "deploy_replaced"


class DeploySkipped(NamedTuple):
    server: str
    why: str  # down or removed
    kind = "deploy_skipped"


class DeployFinished(NamedTuple):
    took_ns: int
    kind = "deploy_finished"
