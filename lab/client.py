"""Simulated users of the real cluster: each adds items to its cart, one request at a time.

Every user is a thread with its own HTTP client (so its own SERVERID cookie, as a browser
has), waits a random think time between requests, and records each request. Each item has a
unique id, so the final read tells exactly which acknowledged items a cart lost.
"""

import random
import threading
import time
from dataclasses import dataclass, field

import httpx

from lab.cluster import Clock
from lab.haproxy import CLIENT_TIMEOUT_MS


@dataclass
class Record:
    """One add-item request as the user saw it."""

    request_id: str
    user: str
    item: str
    sent_ns: int
    received_ns: int
    status: int  # 0: no HTTP answer at all (the client gave up)
    server: str | None  # the application server that answered (its X-Server header)
    cart: list[str] | None  # the cart in a 200 answer
    store_us: float | None  # the handler's time on the cart (X-Store-Us)
    error: str | None = None  # why there was no HTTP answer
    backup: str | None = None  # Tomcat: the member holding the session's backup (X-Backup)


@dataclass
class User:
    """One user: an HTTP client with its cookies, and what it did."""

    name: str
    client: httpx.Client
    records: list[Record] = field(default_factory=list)
    final_cart: list[str] | None = None
    final_server: str | None = None

    def add_item(self, clock: Clock) -> Record:
        """Send one add-item request and record its outcome."""
        seq = len(self.records) + 1
        item = f"{self.name}-{seq}"
        request_id = f"r-{item}"
        sent = clock.now_ns()
        try:
            response = self.client.post(
                f"/cart/{self.name}/items", content=item, headers={"X-Request-Id": request_id}
            )
        except httpx.HTTPError as error:
            received = clock.now_ns()
            why = f"{type(error).__name__}: {error}"
            record = Record(request_id, self.name, item, sent, received, 0, None, None, None, why)
        else:
            ok = response.status_code == 200
            body = response.json() if ok else None
            record = Record(
                request_id=request_id,
                user=self.name,
                item=item,
                sent_ns=sent,
                received_ns=clock.now_ns(),
                status=response.status_code,
                server=response.headers.get("X-Server"),
                cart=body["cart"] if ok else None,
                store_us=float(response.headers["X-Store-Us"]) if ok else None,
                backup=response.headers.get("X-Backup") or None,
            )
        self.records.append(record)
        return record

    def read_cart(self) -> None:
        """Read the cart as the user's browser would now (through the balancer, its cookie)."""
        response = self.client.get(f"/cart/{self.name}", headers={"X-Request-Id": "-"})
        if response.status_code == 200:
            self.final_cart = response.json()["cart"]
            self.final_server = response.headers.get("X-Server")


class Users:
    """A crowd of users sending requests until told to stop."""

    def __init__(self, url: str, count: int, think_ms: float, seed: int, clock: Clock) -> None:
        """`count` users against `url`; think times uniform in [0, 2 * think_ms]."""
        timeout = httpx.Timeout(CLIENT_TIMEOUT_MS / 1000)
        self.users = [
            User(f"u{i + 1}", httpx.Client(base_url=url, timeout=timeout)) for i in range(count)
        ]
        self.think_s = think_ms / 1000
        self.seed = seed
        self.clock = clock
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start every user's thread."""
        for index, user in enumerate(self.users):
            rng = random.Random(self.seed * 1000 + index)
            thread = threading.Thread(target=self._run, args=(user, rng), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _run(self, user: User, rng: random.Random) -> None:
        """Add items until stopped; a think time before each request."""
        while not self.stop.wait(rng.uniform(0, 2 * self.think_s)):
            try:
                user.add_item(self.clock)
            except RuntimeError:  # httpx: the client was closed (the lab is stopping)
                return

    def finish(self, timeout_s: float) -> None:
        """Stop sending; wait for requests still under way (up to timeout_s)."""
        self.stop.set()
        deadline = time.monotonic() + timeout_s
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def read_carts(self) -> None:
        """Every user reads its cart once more."""
        for user in self.users:
            user.read_cart()

    def close(self) -> None:
        """Stop sending (if not yet told to) and close the HTTP clients."""
        self.stop.set()
        for user in self.users:
            user.client.close()
