"""The remap experiment: `balance source` on real HAProxy, a fourth server added at run time.

For each `hash-type` (map-based, consistent): HAProxy balances by source address over servers
A, B, C (`id 1` to `id 3`), with D (`id 4`) declared `disabled`, so it starts in maintenance
(HAProxy 2.6 manual, "disabled"). Every client address asks once and notes its server; the
runtime API's `set server carts/D state ready` brings D in; every address asks again. The
share of addresses whose server changed is compared with the simulator's `balance source`
(sim/core/source_hash.py) given the same addresses and servers.

The servers carry no health check (`check` is absent), so D runs as soon as it leaves
maintenance, and the four all point at one HAProxy frontend that answers 200 itself: which
server a request went to is HAProxy's own answer, `srv_name`, in a response header. The
client addresses are loopback ones (127.0.0.0/8 is local on Linux): each request's socket
is bound to its address before it connects.
"""

import contextlib
import http.client
import ipaddress
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from lab.haproxy import runtime_command, servers_state
from lab.prerequisites import find_program
from lab.processes import Processes, free_ports
from sim.core.source_hash import SourceHash

HASH_TYPES = ("map-based", "consistent")
SERVERS = ("A", "B", "C", "D")  # ids 1 to 4, as the simulator's puid
ADDED = "D"
ADDRESSES = 250  # 127.0.0.1 to 127.0.0.250
TOLERANCE = 0.02  # two points of the share moved
HEADER = "X-Server"


def source_addresses(count: int = ADDRESSES) -> list[str]:
    """The clients' distinct loopback addresses, from 127.0.0.1 on."""
    first = int(ipaddress.IPv4Address("127.0.0.1"))
    return [str(ipaddress.IPv4Address(first + i)) for i in range(count)]


def render_config(hash_type: str, port: int, server_port: int, socket_path: Path) -> str:
    """haproxy.cfg: `balance source` with `hash_type` on 127.0.0.1:port over A-C, D disabled;
    the servers' frontend on server_port answers every request with 200."""
    if hash_type not in HASH_TYPES:
        raise ValueError(f"hash type {hash_type!r} is not one of {', '.join(HASH_TYPES)}")
    lines = [
        "global",
        f"    stats socket {socket_path} mode 600 level admin",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 5s",
        "    timeout client 10s",
        "    timeout server 10s",
        "",
        "frontend shop",
        f"    bind 127.0.0.1:{port}",
        "    default_backend carts",
        "",
        "backend carts",
        "    balance source",
        f"    hash-type {hash_type}",
        f"    http-response set-header {HEADER} %[srv_name]",
    ]
    for number, name in enumerate(SERVERS, start=1):
        disabled = " disabled" if name == ADDED else ""
        lines.append(f"    server {name} 127.0.0.1:{server_port} id {number}{disabled}")
    lines += [
        "",
        "frontend servers",
        f"    bind 127.0.0.1:{server_port}",
        "    http-request return status 200",
    ]
    return "\n".join(lines) + "\n"


def predicted_moved(hash_type: str, addresses: list[str]) -> float:
    """The simulator's share of these addresses that go to another server once D runs."""
    before = SourceHash(hash_type, SERVERS[:-1])
    after = SourceHash(hash_type, SERVERS)
    numbers = [int(ipaddress.IPv4Address(a)) for a in addresses]
    moved = [n for n in numbers if before.pick_address(n) != after.pick_address(n)]
    return len(moved) / len(numbers)


def misplaced(hash_type: str, names: tuple[str, ...], chosen: dict[str, str]) -> int:
    """How many addresses HAProxy sent elsewhere than the simulator's server for them."""
    table = SourceHash(hash_type, names)
    return sum(table.pick_address(int(ipaddress.IPv4Address(a))) != s for a, s in chosen.items())


def measured_moved(before: dict[str, str], after: dict[str, str]) -> float:
    """The share of addresses whose server changed (both maps: address -> server)."""
    if set(before) != set(after) or not before:
        raise ValueError("the two rounds must cover the same addresses")
    return sum(before[a] != after[a] for a in before) / len(before)


def remap_line(hash_type: str, measured: float, predicted: float) -> tuple[bool, str]:
    """The verdict line: AGREE when the shares are within two points."""
    agree = abs(measured - predicted) <= TOLERANCE + 1e-9
    word = "AGREE" if agree else "DISAGREE"
    line = f"remap {hash_type}: moved {measured:.2f}, predicted {predicted:.2f}: {word}"
    return agree, line


def _server_of(port: int, source: str) -> str:
    """Ask HAProxy from `source`; return the server it chose."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/", headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        server = response.getheader(HEADER)
    finally:
        connection.close()
    if response.status != 200 or server is None:
        raise RuntimeError(f"HAProxy answered {response.status} without {HEADER} to {source}")
    return server


def _round(port: int, addresses: list[str]) -> dict[str, str]:
    """Each address's server."""
    return {source: _server_of(port, source) for source in addresses}


@contextlib.contextmanager
def _balancer(hash_type: str) -> Iterator[tuple[int, Path]]:
    """HAProxy configured for `hash_type`, running; its port and runtime socket."""
    with tempfile.TemporaryDirectory(prefix="lab-remap-") as folder:
        workdir = Path(folder)
        processes = Processes(workdir)
        port, server_port = free_ports(2)
        socket_path = workdir / "haproxy.sock"
        config = workdir / "haproxy.cfg"
        config.write_text(render_config(hash_type, port, server_port, socket_path))
        try:
            processes.start("haproxy", [find_program("haproxy"), "-db", "-f", str(config)])
            processes.wait_for_port("haproxy", port)
            _wait(lambda: socket_path.exists(), "HAProxy's runtime socket")
            yield port, socket_path
        finally:
            processes.stop_all()


def _wait(condition, what: str, timeout_s: float = 10.0) -> None:
    """Wait until condition() holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not seen in {timeout_s:.0f} s")
        time.sleep(0.02)


def run_remap(hash_type: str, addresses: list[str] | None = None) -> dict:
    """Measure one hash type on real HAProxy: each address's server before and after D."""
    addresses = addresses or source_addresses()
    with _balancer(hash_type) as (port, socket_path):
        if servers_state(socket_path)[ADDED].up:
            raise RuntimeError(f"server {ADDED} runs before it was added")
        before = _round(port, addresses)
        answer = runtime_command(socket_path, f"set server carts/{ADDED} state ready").strip()
        if answer:
            raise RuntimeError(f"HAProxy refused to add {ADDED}: {answer}")
        _wait(lambda: servers_state(socket_path)[ADDED].up, f"server {ADDED} running")
        after = _round(port, addresses)
    measured = measured_moved(before, after)
    predicted = predicted_moved(hash_type, addresses)
    agree, line = remap_line(hash_type, measured, predicted)
    return {
        "hash_type": hash_type,
        "addresses": len(addresses),
        "servers_before": sorted(set(before.values())),
        "servers_after": sorted(set(after.values())),
        "measured_moved": round(measured, 4),
        "predicted_moved": round(predicted, 4),
        # addresses whose server itself the simulator got wrong, before and after D came in
        "misplaced": [
            misplaced(hash_type, SERVERS[:-1], before),
            misplaced(hash_type, SERVERS, after),
        ],
        "agree": agree,
        "line": line,
    }
