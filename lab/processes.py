"""The lab's child processes: started with their output in files, all stopped however it ends.

Children die with the lab even when it is killed outright (Linux's parent-death signal), and
`stop_all` ends them in reverse order of start, politely first.
"""

import ctypes
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
STOP_GRACE_S = 3.0


def _prepare_child(niceness: int, cgroup: Path | None) -> None:
    """In the child: ask Linux to SIGKILL it if the lab dies first; set its niceness; enter
    its cgroup before it opens a socket (a socket belongs to its creator's cgroup)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if niceness:
        os.nice(niceness)
    if cgroup is not None:
        (cgroup / "cgroup.procs").write_text(str(os.getpid()))


def free_ports(count: int) -> list[int]:
    """Return `count` distinct free TCP ports on 127.0.0.1 (held open together while chosen)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class ChildFailed(RuntimeError):
    """A child process exited or never started listening; the message has its log's tail."""


class Processes:
    """Every process the lab started, by name."""

    def __init__(self, workdir: Path) -> None:
        """Keep logs in workdir."""
        self.workdir = workdir
        self.children: dict[str, subprocess.Popen] = {}

    def start(
        self, name: str, argv: list[str], niceness: int = 0, cgroup: Path | None = None
    ) -> subprocess.Popen:
        """Start `argv` as `name`, its stdout and stderr in workdir/name.log; `cgroup`: a
        cgroup v2 folder to run it in (so the firewall can drop whatever it sends)."""
        log = open(self.log_path(name), "wb")  # noqa: SIM115 - the child owns it
        try:
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: _prepare_child(niceness, cgroup),
                start_new_session=True,  # Ctrl-C reaches the lab, which stops its children
            )
        finally:
            log.close()
        self.children[name] = child
        return child

    def log_path(self, name: str) -> Path:
        """Where the output of child `name` goes."""
        return self.workdir / f"{name}.log"

    def log_tail(self, name: str, lines: int = 15) -> str:
        """Return the last lines of a child's output."""
        try:
            text = self.log_path(name).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_for_port(self, name: str, port: int, timeout_s: float = 60.0) -> None:
        """Wait until child `name` accepts connections on 127.0.0.1:port."""
        child = self.children[name]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise ChildFailed(
                    f"{name} exited with status {child.returncode}:\n{self.log_tail(name)}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise ChildFailed(f"{name} did not listen on port {port} in {timeout_s:.0f} s")

    def kill(self, name: str) -> tuple[int, int]:
        """SIGKILL child `name`: a crash, connections refused from now on. Return when the
        signal was sent and when the process was gone (`time.time_ns()`). The first is the
        kill's moment: Linux frees a process's memory before it closes its files, so a large
        JVM keeps accepting connections (in the kernel's backlog) for a while after the
        signal, and its sockets close only just before it is gone."""
        child = self.children[name]
        sent = time.time_ns()
        child.kill()
        child.wait()
        return sent, time.time_ns()

    def stop_all(self) -> None:
        """Stop every child, newest first: SIGTERM, then SIGKILL after a grace period."""
        for child in reversed(list(self.children.values())):
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for child in reversed(list(self.children.values())):
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
