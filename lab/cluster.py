"""The real cluster on 127.0.0.1: Redis, three application servers and HAProxy.

In replicated mode the three servers are Tomcat 10.1 instances with BackupManager
(lab/tomcat.py), each in its own cgroup so that a vanish can silence what it sends.

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
from dataclasses import dataclass, field
from pathlib import Path

from lab import haproxy, tomcat
from lab.firewall import Firewall, make_cgroup, remove_cgroup
from lab.haproxy import SERVER_NAMES, Settings
from lab.prerequisites import find_program
from lab.processes import ChildFailed, Processes, free_ports

# Redis's options for each of the simulator's `store_persistence` settings (Redis persistence
# manual): nothing on disk; the built-in save points of a Redis started without a
# configuration file (the shipped redis.conf leaves them commented out); an AOF, fsynced
# each second or at each write.
REDIS_PERSISTENCE = {
    "none": ["--save", "", "--appendonly", "no"],
    "rdb": ["--save", "3600 1 300 100 60 10000", "--appendonly", "no"],
    "aof-everysec": ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"],
    "aof-always": ["--save", "", "--appendonly", "yes", "--appendfsync", "always"],
}
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
    cluster_ports: dict[str, int] = field(default_factory=dict)  # Tomcat's Receivers
    cgroups: dict[str, Path] = field(default_factory=dict)  # Tomcat's, for iptables
    tribes: tomcat.TribesSettings = field(default_factory=tomcat.TribesSettings.from_model)
    persistence: str = "none"  # Redis's (lab/store_crash.py)

    @classmethod
    @contextlib.contextmanager
    def start(
        cls,
        mode: str,
        settings: Settings,
        workdir: Path | None = None,
        keep_alive: bool = False,
        persistence: str = "none",
    ) -> Iterator["Cluster"]:
        """Start the cluster for `mode`; stop everything when the block ends.

        `keep_alive`: HAProxy reuses its connections to the servers. `persistence`: Redis's,
        one of the simulator's `store_persistence` settings (stateless mode).
        """
        with contextlib.ExitStack() as stack:
            if workdir is None:
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lab-")))
            processes = Processes(workdir)
            firewall = Firewall()
            cgroups: dict[str, Path] = {}
            stack.callback(lambda: [remove_cgroup(folder) for folder in cgroups.values()])
            stack.callback(processes.stop_all)
            stack.callback(firewall.clear)  # runs first: nothing stays cut off
            count = len(SERVER_NAMES)
            redis_port, balancer_port, *ports = free_ports(2 + 2 * count)
            cluster = cls(
                mode=mode,
                settings=settings,
                workdir=workdir,
                processes=processes,
                firewall=firewall,
                balancer_port=balancer_port,
                server_ports=dict(zip(SERVER_NAMES, ports[:count], strict=True)),
                redis_port=redis_port if mode == "stateless" else None,
                keep_alive=keep_alive,
                persistence=persistence,
            )
            if mode == "replicated":
                cluster.cluster_ports = dict(zip(SERVER_NAMES, ports[count:], strict=True))
                cgroups.update({name: make_cgroup(name) for name in SERVER_NAMES})
                cluster.cgroups = cgroups
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
        if self.mode == "replicated":
            self._start_tomcats()
        else:
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

    def _start_tomcats(self, timeout_s: float = 120.0) -> None:
        """Start the three Tomcat instances; wait until each has started and its session map
        has met the other two (so every session gets a backup from the first request on)."""
        classes = tomcat.compile_servlet(self.workdir)
        for name, port in self.server_ports.items():
            base = tomcat.make_base(
                self.workdir, name, port, self.cluster_ports, self.tribes, classes
            )
            argv = tomcat.java_argv(base, name, self.cluster_ports)
            self.processes.start(f"server-{name}", argv, cgroup=self.cgroups[name])
        deadline = time.monotonic() + timeout_s
        for name in self.server_ports:
            while not tomcat.ready(self.processes.log_path(f"server-{name}").read_text()):
                child = self.processes.children[f"server-{name}"]
                if child.poll() is not None or time.monotonic() > deadline:
                    raise ChildFailed(
                        f"Tomcat {name} did not start:\n{self.processes.log_tail(f'server-{name}')}"
                    )
                time.sleep(0.1)

    def _wait_for_runtime_api(self, timeout_s: float = 10.0) -> None:
        """Wait for HAProxy's runtime socket: it can appear after the port listens (seen under
        load), since HAProxy binds it under a temporary name and then renames it."""
        deadline = time.monotonic() + timeout_s
        while not self.socket_path.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy's runtime socket did not appear in {timeout_s:.0f} s")
            time.sleep(STATE_POLL_S)

    def _redis_argv(self) -> list[str]:
        """redis-server on loopback, its files in the work folder, persisting as
        `persistence` says (none by default: no snapshots, no AOF)."""
        return [
            find_program("redis-server"),
            "--port", str(self.redis_port),
            "--bind", "127.0.0.1",
            "--dir", str(self.workdir),
            *REDIS_PERSISTENCE[self.persistence],
        ]  # fmt: skip

    def crash_store(self) -> int:
        """SIGKILL redis-server (it cannot save on its way out); return when."""
        return self.processes.kill("redis")[0]

    def restart_store(self) -> None:
        """Start redis-server again on the same folder (it loads what it kept); wait until it
        accepts connections."""
        self.processes.start("redis", self._redis_argv())
        self.processes.wait_for_port("redis", self.redis_port)

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

    def crash(self, name: str) -> tuple[int, int]:
        """SIGKILL server `name`'s process; return when, and when it was gone."""
        return self.processes.kill(f"server-{name}")

    def vanish(self, name: str) -> None:
        """Drop every packet to and from server `name`: its connections time out. A Tomcat
        member's cluster port too, and whatever its own sockets send."""
        if name in self.cluster_ports:
            ports = [self.server_ports[name], self.cluster_ports[name]]
            self.firewall.drop(ports, self.cgroups[name])
        else:
            self.firewall.drop([self.server_ports[name]])

    def tomcat_logs(self) -> dict[str, str]:
        """Each Tomcat instance's log so far (empty outside replicated mode)."""
        if self.mode != "replicated":
            return {}
        return {
            name: self.processes.log_path(f"server-{name}").read_text(errors="replace")
            for name in self.server_ports
        }

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
