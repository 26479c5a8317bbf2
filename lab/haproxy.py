"""HAProxy in front of the lab's servers, configured with exactly the simulator's defaults.

The settings come from `sim.core.config.Config` (one place for the figures): round robin in
stateless mode, `cookie SERVERID insert` in stateful and replicated mode, `option
redispatch 1`, `retries`, `timeout connect`, `timeout server`, `default-server check inter
rise fall`, and no `timeout check`, so `inter` is also each check's whole time-out (HAProxy
2.6 manual, "timeout check"). Two settings the simulator assumes without naming them:
- `option http-server-close`: every request opens its own connection to a server, as in the
  model. With HAProxy's default connection reuse, a request sent on an idle connection to a
  vanished server would wait for `timeout server` instead of failing to connect. The lab's
  keep-alive run (`keep_alive=True`) leaves that option out, so HAProxy keeps its default
  (`option http-keep-alive`, `http-reuse safe`), to measure the difference.
- checks are plain TCP connects (`check` without `option httpchk`), as the model's pass/fail.
The runtime API (a Unix socket) reports each server's state. The log, with ISO timestamps in
microseconds, says per request which server answered and how many connection retries it
took, and (`option log-health-checks`, logging only) when each check of each server passed
or failed and when a server was marked down: HAProxy's own times, not a poller's.
"""

import datetime
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from sim.core.config import Config

SERVER_NAMES = ("A", "B", "C")
# Our client waits longer than any answer HAProxy can give (connect time-outs and retries,
# then the server time-out), so HAProxy, not the client, decides every outcome.
CLIENT_TIMEOUT_MS = 120_000
LOG_FORMAT = "%[capture.req.hdr(0)] %s %ST %rc %Tc %Tt %tsc"


# The simulator's redispatch as HAProxy's `option redispatch <interval>`: 1 redispatches
# every retry, -1 (what plain `option redispatch` means) only the last; None: no option.
OPTION_REDISPATCH = {"every": 1, "last": -1, "off": None}


def redispatch_of(option_redispatch: int | None) -> str:
    """The simulator's redispatch for a recorded `option_redispatch` interval."""
    return {interval: name for name, interval in OPTION_REDISPATCH.items()}[option_redispatch]


def model_config(settings: dict) -> dict:
    """The simulator's config fields for the balancer settings a run recorded
    (Settings.to_dict, HAProxy's names): what `sim predict` replays it with."""
    return {
        "retries": settings["retries"],
        "redispatch": redispatch_of(settings["option_redispatch"]),
        "connect_timeout_ms": settings["timeout_connect_ms"],
        "server_timeout_ms": settings["timeout_server_ms"],
        "health_check_interval_ms": settings["inter_ms"],
        "rise": settings["rise"],
        "fall": settings["fall"],
    }


@dataclass(frozen=True)
class Settings:
    """The balancer's settings, taken from the simulator's configuration."""

    retries: int
    redispatch: str  # the simulator's "every", "last" or "off"
    connect_timeout_ms: int
    server_timeout_ms: int
    check_interval_ms: int
    rise: int
    fall: int

    @classmethod
    def from_model(cls, config: Config | None = None) -> "Settings":
        """The simulator's defaults (or `config`'s values)."""
        config = config or Config()
        return cls(
            retries=config.retries,
            redispatch=config.redispatch,
            connect_timeout_ms=config.connect_timeout_ms,
            server_timeout_ms=config.server_timeout_ms,
            check_interval_ms=config.health_check_interval_ms,
            rise=config.rise,
            fall=config.fall,
        )

    @property
    def checked_health(self) -> int:
        """A server's check health once a check has passed (HAProxy: rise + fall - 1)."""
        return self.rise + self.fall - 1

    def to_dict(self) -> dict:
        """Plain data for the record, with HAProxy's names."""
        return {
            "retries": self.retries,
            "option_redispatch": OPTION_REDISPATCH[self.redispatch],
            "timeout_connect_ms": self.connect_timeout_ms,
            "timeout_server_ms": self.server_timeout_ms,
            "timeout_check_ms": None,
            "inter_ms": self.check_interval_ms,
            "rise": self.rise,
            "fall": self.fall,
        }


def render_config(
    settings: Settings,
    mode: str,
    port: int,
    servers: dict[str, int],
    socket_path: Path,
    keep_alive: bool = False,
) -> str:
    """Return haproxy.cfg for `mode` on 127.0.0.1:port (sticky but in stateless mode).

    `keep_alive`: reuse server connections (HAProxy's default) instead of one per request.
    """
    interval = OPTION_REDISPATCH[settings.redispatch]
    redispatch = [] if interval is None else [f"    option redispatch {interval}"]
    sticky = mode != "stateless"
    lines = [
        "global",
        "    log stderr format iso local0 info",
        f"    stats socket {socket_path} mode 600 level admin",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option log-health-checks",
        f'    log-format "{LOG_FORMAT}"',
        *([] if keep_alive else ["    option http-server-close"]),
        f"    retries {settings.retries}",
        *redispatch,
        f"    timeout connect {settings.connect_timeout_ms}ms",
        f"    timeout server {settings.server_timeout_ms}ms",
        f"    timeout client {CLIENT_TIMEOUT_MS}ms",
        f"    default-server check inter {settings.check_interval_ms}ms"
        f" rise {settings.rise} fall {settings.fall}",
        "",
        "frontend shop",
        f"    bind 127.0.0.1:{port}",
        "    http-request capture req.hdr(X-Request-Id) len 64",
        "    default_backend carts",
        "",
        "backend carts",
        "    balance roundrobin",
    ]
    if sticky:
        lines.append("    cookie SERVERID insert")
    for name, server_port in servers.items():
        cookie = f" cookie {name}" if sticky else ""
        lines.append(f"    server {name} 127.0.0.1:{server_port}{cookie}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ServerState:
    """One server as HAProxy sees it."""

    name: str
    up: bool  # srv_op_state: 0 is down
    check_health: int


def runtime_command(socket_path: Path, command: str) -> str:
    """Send one command to HAProxy's runtime API; return its whole answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2.0)
        sock.connect(str(socket_path))
        sock.sendall(f"{command}\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def servers_state(socket_path: Path) -> dict[str, ServerState]:
    """Ask the runtime API for `show servers state carts`."""
    lines = runtime_command(socket_path, "show servers state carts").splitlines()
    header = next(line for line in lines if line.startswith("# be_id"))
    columns = header[2:].split()
    states = {}
    for line in lines:
        if not line or line.startswith("#") or line.strip() == "1":
            continue
        row = dict(zip(columns, line.split(), strict=False))
        states[row["srv_name"]] = ServerState(
            name=row["srv_name"],
            up=row["srv_op_state"] != "0",
            check_health=int(row["srv_check_health"]),
        )
    return states


@dataclass(frozen=True)
class LogLine:
    """What HAProxy's log says of one request."""

    request_id: str
    server: str | None  # None: no server (<NOSRV>)
    status: int
    retries: int
    redispatched: bool
    termination: str


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
CHECK_EVENT = re.compile(
    r"^(?P<when>\S+) (?:Health check for server carts/(?P<checked>\w+) (?P<result>succeeded|failed)"
    r"|Server carts/(?P<changed>\w+) is (?P<state>UP|DOWN))"
)


def parse_check_events(text: str) -> list[dict]:
    """HAProxy's health-check events: time_ns (wall clock), server, and passed/failed/up/down."""
    events = []
    for line in text.splitlines():
        match = CHECK_EVENT.match(line)
        if match is None:
            continue
        since_epoch = datetime.datetime.fromisoformat(match["when"]) - EPOCH
        time_ns = since_epoch // datetime.timedelta(microseconds=1) * 1000
        if match["checked"]:
            server = match["checked"]
            event = "passed" if match["result"] == "succeeded" else "failed"
        else:
            server, event = match["changed"], match["state"].lower()
        events.append({"time_ns": time_ns, "server": server, "event": event})
    return events


def parse_log(text: str) -> dict[str, LogLine]:
    """Return the log lines of `text` by request id (other lines are ignored)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 8 or not parts[1].startswith("r-"):
            continue
        _when, request_id, server, status, retries, _connect, _total, termination = parts
        out[request_id] = LogLine(
            request_id=request_id,
            server=None if server.startswith("<") else server,
            status=int(status),
            retries=int(retries.lstrip("+")),
            redispatched=retries.startswith("+"),
            termination=termination,
        )
    return out
