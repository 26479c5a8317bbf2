"""A vanish: a server's packets dropped on loopback, as if its machine were gone.

Both directions of its ports are dropped, so a connection attempt times out (no SYN-ACK, no
RST) and a request already inside the server never gets its answer out. A SIGSTOPped process
would not do: the kernel still completes handshakes from its listen backlog. Each rule carries
a comment naming the lab's process (its run id), so a lab sees only its own rules beside
another lab's on the same machine, and rules left by a lab that was killed outright can be
found and removed by the next one.

A server that also opens connections of its own (a Tomcat cluster member sends to the other
members from ephemeral ports) runs in its own cgroup (v2), and a vanish also drops every
packet its sockets send (OUTPUT, `-m cgroup --path`): a machine that is gone sends nothing.
"""

import contextlib
import os
import shlex
import subprocess
from pathlib import Path

from lab.prerequisites import find_program

TAG = "stateless-guide-lab"


def drop_rule_specs(port: int, pid: int) -> list[list[str]]:
    """The rule specifications that cut `port` off on the loopback interface."""
    comment = ["-m", "comment", "--comment", f"{TAG} {pid}"]
    return [
        ["INPUT", "-i", "lo", "-p", "tcp", "--dport", str(port), *comment, "-j", "DROP"],
        ["INPUT", "-i", "lo", "-p", "tcp", "--sport", str(port), *comment, "-j", "DROP"],
    ]


def cgroup_rule_spec(cgroup: str, pid: int) -> list[str]:
    """The rule specification that drops every packet sent by sockets of cgroup `cgroup` (its
    path under the cgroup v2 root)."""
    comment = ["-m", "comment", "--comment", f"{TAG} {pid}"]
    return ["OUTPUT", "-m", "cgroup", "--path", cgroup, *comment, "-j", "DROP"]


def cgroup2_root() -> Path | None:
    """Where the cgroup v2 hierarchy is mounted, None if it is not."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        fields = line.split()
        if len(fields) > 2 and fields[2] == "cgroup2":
            return Path(fields[1])
    return None


def make_cgroup(name: str) -> Path:
    """Create this lab's cgroup for server `name`, right under the root (so its folder's name
    is its path for iptables); return its folder."""
    root = cgroup2_root()
    if root is None:
        raise RuntimeError("a Tomcat member's vanish needs a cgroup v2 hierarchy; none is mounted")
    folder = root / f"{TAG}-{os.getpid()}-{name}"
    folder.mkdir(exist_ok=True)
    return folder


def remove_cgroup(folder: Path) -> None:
    """Remove a cgroup folder once its processes are gone (left in place if one remains)."""
    with contextlib.suppress(OSError):
        folder.rmdir()


def _restore_line(rule: list[str]) -> str:
    """An insertion as iptables-restore reads it (it knows double quotes only)."""
    return " ".join(["-I", *(f'"{word}"' if " " in word else word for word in rule)])


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

    def drop(self, ports: list[int], cgroup: Path | None = None) -> None:
        """Drop every packet to and from 127.0.0.1 at each of `ports`, and every packet sent by
        the sockets of the cgroup in folder `cgroup` (if given), all at once: one
        `iptables-restore --noflush` inserts every rule in one transaction, so the server
        vanishes at one moment, not one port after another."""
        rules = [rule for port in ports for rule in drop_rule_specs(port, self.pid)]
        if cgroup is not None:
            rules.append(cgroup_rule_spec(cgroup.name, self.pid))
        batch = ["*filter", *(_restore_line(rule) for rule in rules), "COMMIT", ""]
        subprocess.run(
            [find_program("iptables-restore"), "--noflush", "-w"],
            input="\n".join(batch),
            check=True,
            capture_output=True,
            text=True,
        )
        self.inserted += rules

    def clear(self) -> None:
        """Remove every rule this lab inserted."""
        while self.inserted:
            rule = self.inserted.pop()
            subprocess.run(
                [find_program("iptables"), "-w", "-D", *rule], check=False, capture_output=True
            )


def _tagged_rules() -> list[tuple[int | None, str]]:
    """Every lab's rule in the INPUT and OUTPUT chains (as `iptables -S` lists them), with its
    owner's pid."""
    tagged = []
    for chain in ("INPUT", "OUTPUT"):
        for line in _iptables("-S", chain).stdout.splitlines():
            comment = f'--comment "{TAG} '
            if comment not in line or not line.startswith(f"-A {chain} "):
                continue
            owner = line.split(comment, 1)[1].split('"')[0].strip()
            tagged.append((int(owner) if owner.isdigit() else None, line))
    return tagged


def rules_of(pid: int) -> list[str]:
    """The drop rules the lab running as process `pid` has in the INPUT and OUTPUT chains now."""
    return [line for owner, line in _tagged_rules() if owner == pid]


def remove_stale_rules() -> list[str]:
    """Remove rules (and cgroups) left by labs that no longer run; return the rules."""
    root = cgroup2_root()
    for folder in root.glob(f"{TAG}-*") if root else ():
        owner = folder.name[len(TAG) + 1 :].split("-")[0]
        if owner.isdigit() and not _running(int(owner)):
            remove_cgroup(folder)
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
