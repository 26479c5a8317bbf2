"""Replicated mode on real Tomcat 10.1: three instances on 127.0.0.1 with BackupManager.

Each instance is its own CATALINA_BASE (conf/, webapps/, logs/, work/, temp/) under the lab's
work folder, run by the system CATALINA_HOME (Debian's tomcat10) in a JVM the lab starts
itself, so a crash is a SIGKILL of that JVM. The cluster is the one of Tomcat's cluster
how-to ("For the impatient": NioReceiver, PooledParallelSender, TcpFailureDetector,
MessageDispatchInterceptor, ReplicationValve, JvmRouteBinderValve, ClusterSessionListener)
with `BackupManager` and static membership (`StaticMembershipService`, one `StaticMember` per
instance) instead of multicast, which loopback does not carry reliably. The figures come from
the simulator's configuration, one place for them:
- the Transport's `timeout` is `replication_timeout_ms` (3,000 ms, Tomcat's default);
- TcpFailureDetector's `connectTimeout` is `failure_check_timeout_ms` (1,000 ms, its default);
- the membership's `expirationTime` is `membership_drop_ms` (3,000 ms, McastService's
  `dropTime`; StaticMembershipService's own default is 5,000 ms), pinged every 500 ms by its
  own thread (`useThread`, `pingInterval` as McastService's `frequency`).
The cart is a servlet (CartServlet.java, compiled at lab time against Tomcat's servlet API).
"""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lab.prerequisites import CATALINA_HOME, find_program
from sim.core.config import Config

SERVLET_SOURCE = Path(__file__).resolve().parent / "tomcat" / "CartServlet.java"
PING_INTERVAL_MS = 500  # McastService's `frequency` default: how often a member says it lives
# A small heap and the client compiler: three JVMs share the lab's two cores.
JVM_OPTIONS = ("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
# Each log line: epoch milliseconds, level, logger, message (java.util.logging.SimpleFormatter).
LOG_FORMAT = "%1$tQ %4$s %3$s %5$s%6$s%n"


@dataclass(frozen=True)
class TribesSettings:
    """The cluster's time-outs, taken from the simulator's configuration."""

    send_timeout_ms: int
    check_timeout_ms: int
    expiration_ms: int

    @classmethod
    def from_model(cls, config: Config | None = None) -> "TribesSettings":
        """The simulator's defaults (or `config`'s values)."""
        config = config or Config()
        return cls(
            send_timeout_ms=config.replication_timeout_ms,
            check_timeout_ms=config.failure_check_timeout_ms,
            expiration_ms=config.membership_drop_ms,
        )

    def to_dict(self) -> dict:
        """Plain data for the record, with Tomcat's names."""
        return {
            "transport_timeout_ms": self.send_timeout_ms,
            "tcp_failure_detector_connect_timeout_ms": self.check_timeout_ms,
            "static_membership_expiration_ms": self.expiration_ms,
            "static_membership_ping_interval_ms": PING_INTERVAL_MS,
        }


def unique_id(index: int) -> str:
    """A member's 16-byte uniqueId in Tomcat's notation, distinct per index."""
    return "{" + ",".join(str((index * 16 + i) % 128) for i in range(16)) + "}"


def render_server_xml(
    name: str, http_port: int, members: dict[str, int], settings: TribesSettings
) -> str:
    """server.xml of instance `name`: its HTTP port, and every member's cluster port (its own
    included: StaticMembershipService finds itself among them by the Receiver's port)."""
    static_members = "\n".join(
        f'            <Member className="org.apache.catalina.tribes.membership.StaticMember"'
        f' host="127.0.0.1" port="{port}" uniqueId="{unique_id(index)}"/>'
        for index, port in enumerate(members.values())
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector address="127.0.0.1" port="{http_port}" protocol="HTTP/1.1"
               connectionTimeout="20000"/>
    <Engine name="Catalina" defaultHost="localhost" jvmRoute={quoteattr(name)}>
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" channelSendOptions="6">
        <Manager className="org.apache.catalina.ha.session.BackupManager" mapSendOptions="6"/>
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.StaticMembershipService"
                      expirationTime="{settings.expiration_ms}" useThread="true"
                      pingInterval="{PING_INTERVAL_MS}">
{static_members}
          </Membership>
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                    address="127.0.0.1" port="{members[name]}" autoBind="0"
                    selectorTimeout="5000" maxThreads="6"/>
          <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
            <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"
                       timeout="{settings.send_timeout_ms}"/>
          </Sender>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"
                       connectTimeout="{settings.check_timeout_ms}"/>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
        </Channel>
        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>
        <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>
        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
      </Cluster>
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
"""  # noqa: E501


APP_WEB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0" metadata-complete="true">
  <distributable/>
  <servlet>
    <servlet-name>cart</servlet-name>
    <servlet-class>CartServlet</servlet-class>
  </servlet>
  <servlet-mapping>
    <servlet-name>cart</servlet-name>
    <url-pattern>/cart/*</url-pattern>
  </servlet-mapping>
</web-app>
"""
# The instance-wide web.xml: nothing (no default servlet, no JSP), so start-up stays short.
GLOBAL_WEB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"/>
"""
LOGGING_PROPERTIES = f"""handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.ConsoleHandler.formatter = java.util.logging.SimpleFormatter
java.util.logging.SimpleFormatter.format = {LOG_FORMAT}
"""


def compile_servlet(workdir: Path) -> Path:
    """Compile the cart servlet against Tomcat's servlet API; return the classes folder."""
    classes = workdir / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    argv = [find_program("javac"), "-nowarn", "-d", str(classes)]
    argv += ["-cp", str(CATALINA_HOME / "lib" / "servlet-api.jar"), str(SERVLET_SOURCE)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"javac failed:\n{done.stderr.strip()}")
    return classes


def make_base(
    root: Path,
    name: str,
    http_port: int,
    members: dict[str, int],
    settings: TribesSettings,
    classes: Path,
) -> Path:
    """Write instance `name`'s CATALINA_BASE under root; return it."""
    base = root / f"tomcat-{name}"
    for folder in ("conf", "logs", "work", "temp", "webapps/ROOT/WEB-INF/classes"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    (base / "conf" / "server.xml").write_text(render_server_xml(name, http_port, members, settings))
    (base / "conf" / "web.xml").write_text(GLOBAL_WEB_XML)
    (base / "conf" / "logging.properties").write_text(LOGGING_PROPERTIES)
    (base / "webapps" / "ROOT" / "WEB-INF" / "web.xml").write_text(APP_WEB_XML)
    for compiled in classes.glob("*.class"):
        shutil.copy(compiled, base / "webapps" / "ROOT" / "WEB-INF" / "classes")
    return base


def java_argv(base: Path, name: str, members: dict[str, int]) -> list[str]:
    """The command that runs instance `name` in the foreground (what `catalina.sh run` execs)."""
    home = CATALINA_HOME
    classpath = f"{home / 'bin' / 'bootstrap.jar'}:{home / 'bin' / 'tomcat-juli.jar'}"
    named_ports = ",".join(f"{member}:{port}" for member, port in members.items())
    return [
        find_program("java"),
        *JVM_OPTIONS,
        f"-Dcatalina.home={home}",
        f"-Dcatalina.base={base}",
        f"-Djava.io.tmpdir={base / 'temp'}",
        f"-Djava.util.logging.config.file={base / 'conf' / 'logging.properties'}",
        "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
        f"-Dlab.server={name}",
        f"-Dlab.members={named_ports}",
        "-cp",
        classpath,
        "org.apache.catalina.startup.Bootstrap",
        "start",
    ]


def ready(log: str) -> bool:
    """Whether an instance's log says it has started and its session map has met both other
    members (AbstractReplicatedMap logs each member it adds)."""
    return "Server startup in" in log and log.count("Map member added") >= 2


# What the cluster logs about a member, by the message's start (Tomcat's LocalStrings).
CLUSTER_MESSAGES = {
    "Member send is failing for": "send_failing",  # ParallelNioSender: a send failed
    "Received memberDisappeared[": "verify",  # TcpFailureDetector: will check the member
    "Verification complete. Member disappeared[": "confirmed",  # its check failed: removed
    "Verification complete. Member still alive[": "still_alive",
    # a failed send's check found the member removed already (it waited for the lock first)
    "Verification complete. Member already disappeared[": "already_gone",
    "Received member disappeared:[": "removed",  # SimpleTcpCluster: the cluster heard it
    "Replication member added:[": "added",
    # AbstractReplicatedMap.get: a send failed while this node took over a session it held a
    # proxy of; get() returns null, so the request does not find its session (no member named)
    "Unable to replicate out data for an AbstractReplicatedMap.get": "get_failed",
}
MEMBER_PORT = re.compile(r"tcp://\{[\d, ]+\}:(\d+)")


def parse_cluster_events(server: str, log: str, members: dict[str, int]) -> list[dict]:
    """The membership events in instance `server`'s log: time_ns (wall clock), server (who
    logged it), event (CLUSTER_MESSAGES' names) and member (whom it is about)."""
    names = {port: name for name, port in members.items()}
    events = []
    for line in log.splitlines():
        parts = line.split(" ", 3)
        if len(parts) < 4 or not parts[0].isdigit():
            continue
        message = parts[3]
        event = next(
            (e for start, e in CLUSTER_MESSAGES.items() if message.startswith(start)), None
        )
        port = MEMBER_PORT.search(message)
        if event is None or (port is None and event != "get_failed"):
            continue
        events.append(
            {
                "time_ns": int(parts[0]) * 1_000_000,
                "server": server,
                "event": event,
                "member": names.get(int(port.group(1)), port.group(1)) if port else "",
            }
        )
    return events
