"""A vanish: a server's packets dropped on loopback, as if its machine were gone.

Both directions are dropped, so a connection attempt times out (no SYN-ACK, no RST) and a
request already inside the server never gets its answer out. A SIGSTOPped process would not
do: the kernel still completes handshakes from its listen backlog. Each rule carries a comment
naming the lab's process (its run id), so a lab sees only its own rules beside another lab's
on the same machine, and rules left by a lab that was killed outright can be found and
removed by the next one.
"""

import os
import shlex
import subprocess

from lab.prerequisites import find_program

TAG = "stateless-guide-lab"


def drop_rule_specs(port: int, pid: int) -> list[list[str]]:
    """The rule specifications that cut `port` off on the loopback interface."""
    comment = ["-m", "comment", "--comment", f"{TAG} {pid}"]
    return [
        ["INPUT", "-i", "lo", "-p", "tcp", "--dport", str(port), *comment, "-j", "DROP"],
        ["INPUT", "-i", "lo", "-p", "tcp", "--sport", str(port), *comment, "-j", "DROP"],
    ]


def _iptables(*args: str) -> subprocess.CompletedProcess:
    """Run iptables, waiting for its lock; raise with its message on failure."""
    return subprocess.run(
        [find_program("iptables"), "-w", *args], check=True, capture_output=True, text=True
    )


class Firewall:
    """The drop rules this lab inserted, removed by `clear` (idempotent)."""

    def __init__(self) -> None:
        """Nothing inserted yet."""
        self.pid = os.getpid()
        self.inserted: list[list[str]] = []

    def drop(self, port: int) -> None:
        """Drop every packet to and from 127.0.0.1:port."""
        for rule in drop_rule_specs(port, self.pid):
            _iptables("-I", *rule)
            self.inserted.append(rule)

    def clear(self) -> None:
        """Remove every rule this lab inserted."""
        while self.inserted:
            rule = self.inserted.pop()
            subprocess.run(
                [find_program("iptables"), "-w", "-D", *rule], check=False, capture_output=True
            )


def _tagged_rules() -> list[tuple[int | None, str]]:
    """Every lab's rule in the INPUT chain (as `iptables -S` lists it), with its owner's pid."""
    tagged = []
    for line in _iptables("-S", "INPUT").stdout.splitlines():
        if TAG not in line or not line.startswith("-A INPUT "):
            continue
        owner = line.split(TAG, 1)[1].split('"')[0].strip()
        tagged.append((int(owner) if owner.isdigit() else None, line))
    return tagged


def rules_of(pid: int) -> list[str]:
    """The drop rules the lab running as process `pid` has in the INPUT chain now."""
    return [line for owner, line in _tagged_rules() if owner == pid]


def remove_stale_rules() -> list[str]:
    """Remove rules left by labs that no longer run; return them."""
    removed = []
    for owner, line in _tagged_rules():
        if owner is not None and _running(owner):
            continue
        spec = shlex.split(line[len("-A ") :])  # keeps the quoted comment whole
        subprocess.run([find_program("iptables"), "-w", "-D", *spec], check=False)
        removed.append(line)
    return removed


def _running(pid: int) -> bool:
    """Whether process `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
