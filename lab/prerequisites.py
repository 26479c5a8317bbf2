"""What the lab needs from the machine: Debian's redis-server, haproxy and iptables, and root.

Each missing piece gives one message that says how to get it.
"""

import os
import shutil

# The Debian packages behind the commands the lab runs (iptables drops a vanished server's
# packets; it needs root).
PACKAGES = {"redis-server": "redis-server", "haproxy": "haproxy", "iptables": "iptables"}
INSTALL_COMMAND = "sudo apt-get install -y " + " ".join(sorted(set(PACKAGES.values())))


class MissingPrerequisite(RuntimeError):
    """The machine lacks something the lab needs; the message says how to get it."""


def find_program(name: str) -> str:
    """Return the path of `name`, looking in the sbin folders too (iptables lives there)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    path = shutil.which(name, path=search)
    if path is None:
        raise MissingPrerequisite(
            f"the lab needs {name} (Debian package {PACKAGES[name]}); install with: "
            f"{INSTALL_COMMAND}"
        )
    return path


def missing() -> list[str]:
    """Return one line per missing prerequisite (empty when the lab can run)."""
    problems = []
    absent = [name for name in PACKAGES if _absent(name)]
    if absent:
        problems.append(f"missing {', '.join(absent)}; install with: {INSTALL_COMMAND}")
    if os.geteuid() != 0:
        problems.append("the lab must run as root: a vanish drops a server's packets with iptables")
    return problems


def _absent(name: str) -> bool:
    """Whether `name` cannot be found."""
    try:
        find_program(name)
    except MissingPrerequisite:
        return True
    return False


def check() -> None:
    """Raise MissingPrerequisite naming everything missing."""
    problems = missing()
    if problems:
        raise MissingPrerequisite("; ".join(problems))
