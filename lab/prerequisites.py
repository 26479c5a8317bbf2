"""What the lab needs from the machine: Debian's redis-server, haproxy and iptables, Tomcat 10.1
and a JDK (replicated mode), and root.

Each missing piece gives one message that says how to get it.
"""

import os
import shutil
from pathlib import Path

# The Debian packages behind the commands the lab runs (iptables drops a vanished server's
# packets; it needs root; javac compiles the cart servlet, java runs Tomcat).
PACKAGES = {
    "redis-server": "redis-server",
    "haproxy": "haproxy",
    "iptables": "iptables",
    "iptables-restore": "iptables",
    "java": "default-jdk-headless",
    "javac": "default-jdk-headless",
}
TOMCAT_PACKAGE = "tomcat10-common"  # the system CATALINA_HOME, run by lab/tomcat.py
CATALINA_HOME = Path("/usr/share/tomcat10")
INSTALL_COMMAND = "sudo apt-get install -y " + " ".join(
    sorted({*PACKAGES.values(), TOMCAT_PACKAGE})
)


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
    if not (CATALINA_HOME / "bin" / "bootstrap.jar").is_file():
        absent.append(f"Tomcat 10.1 ({TOMCAT_PACKAGE})")
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
