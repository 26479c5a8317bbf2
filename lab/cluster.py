"""The real cluster on 127.0.0.1: Redis, three application servers and HAProxy.

    with Cluster.start(mode, settings, workdir) as cluster:
        ...

Everything it starts it stops when the block ends, also on Ctrl-C or an error; the drop rules
of a vanish are removed then too.
"""

import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lab import haproxy
from lab.firewall import Firewall
from lab.haproxy import SERVER_NAMES, Settings
from lab.prerequisites import find_program
from lab.processes import Processes, free_ports

HAPROXY_NICENESS = -10  # root may raise a priority; the lab runs as root
STATE_POLL_S = 0.01  # how often the lab asks HAProxy about its servers while it waits


@dataclass
class Cluster:
    """A running cluster and the tools to break it."""

    mode: str
    settings: Settings
    workdir: Path
    processes: Processes
    firewall: Firewall
    balancer_port: int
    server_ports: dict[str, int]
    redis_port: int | None
    keep_alive: bool = False

    @classmethod
    @contextlib.contextmanager
    def start(
        cls,
        mode: str,
        settings: Settings,
        workdir: Path | None = None,
        keep_alive: bool = False,
    ) -> Iterator["Cluster"]:
        """Start the cluster for `mode`; stop everything when the block ends.

        `keep_alive`: HAProxy reuses its connections to the servers.
        """
        with contextlib.ExitStack() as stack:
            if workdir is None:
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lab-")))
            processes = Processes(workdir)
            firewall = Firewall()
            stack.callback(processes.stop_all)
            stack.callback(firewall.clear)  # runs first: nothing stays cut off
            redis_port, balancer_port, *ports = free_ports(2 + len(SERVER_NAMES))
            cluster = cls(
                mode=mode,
                settings=settings,
                workdir=workdir,
                processes=processes,
                firewall=firewall,
                balancer_port=balancer_port,
                server_ports=dict(zip(SERVER_NAMES, ports, strict=True)),
                redis_port=redis_port if mode == "stateless" else None,
                keep_alive=keep_alive,
            )
            cluster._start_processes()
            yield cluster

    @property
    def socket_path(self) -> Path:
        """HAProxy's runtime API socket."""
        return self.workdir / "haproxy.sock"

    @property
    def url(self) -> str:
        """Where clients send requests."""
        return f"http://127.0.0.1:{self.balancer_port}"

    def _start_processes(self) -> None:
        """Start Redis (stateless mode), the servers, then HAProxy, each once it listens."""
        if self.redis_port is not None:
            self.processes.start("redis", self._redis_argv())
            self.processes.wait_for_port("redis", self.redis_port)
        for name, port in self.server_ports.items():
            argv = [sys.executable, "-m", "lab.app", "--name", name, "--port", str(port)]
            argv += ["--mode", self.mode]
            if self.redis_port is not None:
                argv += ["--redis-port", str(self.redis_port)]
            self.processes.start(f"server-{name}", argv)
        for name, port in self.server_ports.items():
            self.processes.wait_for_port(f"server-{name}", port)
        config = self.workdir / "haproxy.cfg"
        config.write_text(
            haproxy.render_config(
                self.settings,
                self.mode,
                self.balancer_port,
                self.server_ports,
                self.socket_path,
                keep_alive=self.keep_alive,
            )
        )
        # -db: stay in the foreground, so the lab owns the process. A higher priority keeps
        # its check timers on time on a loaded machine (seen here at a load of 14 on 2
        # cores: each timer 30 ms late, so the check schedule drifted 0.3 s in 10 s), since
        # the lab measures HAProxy's schedule, not the machine's.
        argv = [find_program("haproxy"), "-db", "-f", str(config)]
        self.processes.start("haproxy", argv, niceness=HAPROXY_NICENESS)
        self.processes.wait_for_port("haproxy", self.balancer_port)
        self._wait_for_runtime_api()

    def _wait_for_runtime_api(self, timeout_s: float = 10.0) -> None:
        """Wait for HAProxy's runtime socket: it can appear after the port listens (seen under
        load), since HAProxy binds it under a temporary name and then renames it."""
        deadline = time.monotonic() + timeout_s
        while not self.socket_path.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy's runtime socket did not appear in {timeout_s:.0f} s")
            time.sleep(STATE_POLL_S)

    def _redis_argv(self) -> list[str]:
        """redis-server on loopback, its files in the work folder, no snapshots."""
        return [
            find_program("redis-server"),
            "--port", str(self.redis_port),
            "--bind", "127.0.0.1",
            "--dir", str(self.workdir),
            "--save", "",
            "--appendonly", "no",
        ]  # fmt: skip

    def wait_until_checked(self, timeout_s: float = 60.0) -> None:
        """Wait until every server has passed a health check (its health is rise + fall - 1)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            states = haproxy.servers_state(self.socket_path)
            if all(s.check_health >= self.settings.checked_health for s in states.values()):
                return
            time.sleep(STATE_POLL_S)
        raise RuntimeError(f"not every server passed a health check in {timeout_s:.0f} s")

    def wait_until_down(self, name: str, timeout_s: float) -> bool:
        """Wait until HAProxy marks server `name` down; False if it has not by the time-out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not haproxy.servers_state(self.socket_path)[name].up:
                return True
            time.sleep(STATE_POLL_S)
        return False

    def crash(self, name: str) -> None:
        """SIGKILL server `name`'s process."""
        self.processes.kill(f"server-{name}")

    def vanish(self, name: str) -> None:
        """Drop every packet to and from server `name`: its connections time out."""
        self.firewall.drop(self.server_ports[name])

    def haproxy_log(self) -> str:
        """HAProxy's output so far (its request log and its warnings)."""
        return self.processes.log_path("haproxy").read_text(errors="replace")


class Clock:
    """Nanoseconds since the experiment's origin, from the system clock HAProxy's log uses."""

    def __init__(self) -> None:
        """Start at 0 now."""
        self.origin = time.time_ns()

    def now_ns(self) -> int:
        """Nanoseconds since the origin."""
        return time.time_ns() - self.origin

    def since_origin(self, wall_ns: int) -> int:
        """A system-clock time in nanoseconds since the origin."""
        return wall_ns - self.origin
