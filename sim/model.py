"""The cluster model: the life of a request, from the balancer's choice to the user's answer.

A request is planned when it reaches a server: its draws fix when it would answer, and one
event is scheduled for that moment. Anything that changes the outcome before then (the server
dies, the store goes down or comes back, a dead server restarts before the connection
arrives) re-plans the requests it touches. A request's generation number makes stale events
harmless. This keeps a normal request to two events, which is what makes 100,000 requests a
second of work, without giving up exactness.
"""

from collections import deque
from heapq import heappush
from random import Random

from sim.balancer import Balancer
from sim.cluster import Copy, Server, Store, User, next_server_name
from sim.config import MAX_SERVERS, MODE_LABELS, SERVER_NAMES, Config
from sim.errors import ScenarioError
from sim.events import EventQueue
from sim.latency import MS, Latency, S, trunc
from sim.log import Log, plural, seconds
from sim.metrics import Metrics, Series

TRACE_LIMIT = 20
DEMO_USER = "you"
# Independent random streams, one per concern, so that switching traffic on does not move
# the chaos schedule, and `compare` meets the same faults in every mode. Each is seeded by
# (stream << 32) | seed, which is unique for seeds below 2**32.
STREAM_MODEL, STREAM_TRAFFIC, STREAM_CHAOS = 0, 1, 2


def stream(seed: int, number: int) -> Random:
    """Return the seeded random stream `number` of a run."""
    return Random((number << 32) | seed)


class Request:
    """One add-item request on its way through the cluster."""

    __slots__ = (
        "done_ns",
        "doomed",
        "draws",
        "finished",
        "gen",
        "hops",
        "reasons",
        "refused",
        "retried",
        "seq",
        "server",
        "start_ns",
        "store_fail",
        "t_conn",
        "t_kill",
        "t_send",
        "tried",
        "user",
    )

    # Only the fields read before they are first assigned are set here; the others are set
    # where a request first needs them, so a request costs fewer stores (hot path): `server`,
    # `tried` (a list from the first send), `draws` and the times at the send, `store_fail`
    # when a stateless server accepts it, `reasons` and `hops` only when the model records.
    def __init__(self, seq: int, user: User, start_ns: int) -> None:
        """Start a request of `user` at start_ns."""
        self.seq = seq
        self.user = user
        self.start_ns = start_ns
        self.gen = 0
        self.doomed = False
        self.retried = False
        self.finished = False

    # Derived, not stored: only faults and the store's outages ask (a stateless request).
    @property
    def load_land(self) -> int:
        """When the cart load reaches the store."""
        return self.t_conn + self.draws[0] // 2

    @property
    def save_land(self) -> int:
        """When the cart save reaches the store."""
        load, work, save = self.draws
        return self.t_conn + load + work + save // 2


class Model:
    """A load balancer, servers, a shared store, users, faults, traffic and a Chaos Monkey."""

    def __init__(self, config: Config, seed: int, record: bool = True) -> None:
        """Build the cluster of `config` at time 0; `record` keeps traces and request logs."""
        self.config = config
        self.seed = seed
        self.record = record
        # The mode, as flags read once per request (hot path) instead of config.mode compares.
        self.stateless = config.mode == "stateless"
        self.replicated = config.mode == "replicated"
        # Unrecorded round robin: the balancer's choice needs no reason in words (hot path).
        self.plain_round_robin = not record and config.policy == "round_robin"
        self.queue = EventQueue()
        self._heap = self.queue.heap
        self._counter = self.queue.counter
        self.rng = stream(seed, STREAM_MODEL)
        self.traffic_rng = stream(seed, STREAM_TRAFFIC)
        self.chaos_rng = stream(seed, STREAM_CHAOS)
        self.latency = Latency(config, self.rng)
        self.servers = [Server(name) for name in SERVER_NAMES[: config.servers]]
        self.store = Store()
        self.balancer = Balancer(config.policy, explain=record)
        self.users: dict[str, User] = {DEMO_USER: User(DEMO_USER)}
        self.metrics = Metrics()
        self.series = Series(config.series_bucket_ms * MS)
        self.log = Log()
        self.traces: deque[dict] = deque(maxlen=TRACE_LIMIT)
        self.trace_seq = 0
        self.request_seq = 0
        self.session_seq = 0
        self.active = 0
        self.waiting = 0
        self.chaos_on = False
        self.chaos_gen = 0
        self.next_kill_ns: int | None = None
        self.traffic_milli = 0  # requests per 1,000 s, so the rate stays an integer
        self.traffic_gen = 0
        self._backup_targets: dict[Server, Server | None] = {}
        self._on_respond = self._respond  # one bound method, not one per request (hot path)
        self.queue.push(config.health_check_interval_ms * MS, self._health_check, None)
        self.say("info", f"Simulator initialized. Mode: {MODE_LABELS[config.mode]}.")
        self.say("info", "Simulation Ready. Select a mode and send a request.")

    # -- small helpers ---------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The simulated time in nanoseconds."""
        return self.queue.now

    def say(self, level: str, text: str) -> None:
        """Add a line to the console at the current time."""
        self.log.add(self.queue.now, level, text)

    def _topology_changed(self) -> None:
        """Forget cached backup targets: membership changed (added, removed, dropped, back)."""
        self._backup_targets.clear()

    def server(self, name: str) -> Server:
        """Return the server called `name`, or raise ScenarioError."""
        for server in self.servers:
            if server.name == name:
                return server
        raise ScenarioError(f"there is no Server {name} (servers: {self._names()})")

    def _names(self) -> str:
        """Return the server names for messages."""
        return ", ".join(s.name for s in self.servers)

    def user(self, user_id: str) -> User:
        """Return the user `user_id`, creating it on first use."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(user_id)
        return user

    # -- the request lifecycle -------------------------------------------------------------

    def offer(self, user: User) -> None:
        """Send a request for `user` now, or once its previous request has been answered."""
        if user.busy or self.queue.now < user.free_at:
            user.pending += 1
            self.waiting += 1
            if not user.busy and not user.waking:
                user.waking = True
                self.queue.push(user.free_at, self._wake, user)
        else:
            self.start_request(user)

    def _wake(self, user: User, _gen: int) -> None:
        """Send a user's next waiting request."""
        user.waking = False
        if user.pending and not user.busy:
            user.pending -= 1
            self.waiting -= 1
            self.start_request(user)

    def start_request(self, user: User) -> Request:
        """Send one add-item request of `user` to the balancer now."""
        seq = self.request_seq = self.request_seq + 1
        req = Request(seq, user, self.queue.now)
        user.busy = True
        user.attempted += 1
        self.active += 1
        if self.record:
            req.hops = [("user", "lb", 0, "request reaches the balancer")]
            req.reasons = []
        elif self.plain_round_robin:
            # Balancer._rotate's usual case, inlined (hot path): a new request has tried no
            # server, so the one at the cursor is eligible if the balancer believes it up.
            balancer = self.balancer
            servers = self.servers
            count = len(servers)
            cursor = balancer.cursor
            if cursor < count and servers[cursor].lb_up:
                balancer.cursor = (cursor + 1) % count
                self._send(req, servers[cursor], "")
                return req
        server, reason = self.balancer.choose(self.servers, user, ())
        if server is None:
            req.server = None
            req.tried = []
            self._finish(req, 503, "no server available")
        else:
            self._send(req, server, reason)
        return req

    def _send(self, req: Request, server: Server, reason: str) -> None:
        """Open a connection from the balancer to `server`."""
        if not server.lb_up:
            self.balancer.sent_to_down += 1
        if req.retried:
            req.tried.append(server.name)
        else:
            req.tried = [server.name]  # the first send makes the list
        if self.record:
            req.reasons.append(reason)
        req.server = server
        server.in_flight += 1
        seq = req.seq
        server.attached[seq] = req
        now = req.t_send = self.queue.now
        lat = self.latency
        random = lat.random
        # Small ints first, so only one addition involves a large one (here and below).
        start = req.t_conn = now + (lat.hop_half + trunc(random() * lat.hop_span))
        store = self.store
        if not server.alive or not self.stateless or not store.up:
            req.draws = None
            if server.alive:
                self._accept(req)
            else:
                self._refuse(req)
            return
        # _accept's usual stateless case, inlined (hot path): _stateless_draws (in their
        # order: load, work, save), then _plan_stateless; the answer is after now.
        req.refused = False
        store.attached[seq] = req
        base = lat.store_rtt + store.added_latency_ns
        jitter = lat.jitter_span
        load = base + trunc(random() * jitter)
        handle = lat.work_half + trunc(random() * lat.work_span)
        save = base + trunc(random() * jitter)
        req.draws = (load, handle, save)
        req.store_fail = None
        when = start + (load + handle + save)
        gen = req.gen = req.gen + 1
        heappush(self._heap, (when, next(self._counter), self._on_respond, req, gen))

    def _accept(self, req: Request) -> None:
        """Plan a request that the server accepts: one event when it answers."""
        req.refused = False
        if self.stateless:
            store = self.store
            store.attached[req.seq] = req
            if req.draws is None:
                req.draws = self._stateless_draws()
            req.store_fail = None if store.up else "load"
            self._plan_stateless(req)
            return
        draws = req.draws
        if draws is None:
            # The draws, inlined (hot path), in their fixed order: fetch, replicate, work.
            lat = self.latency
            random = lat.random
            fetch = replicate = 0
            miss = None
            if self.replicated:
                server = req.server
                user = req.user
                copy = server.sessions.get(user.id)
                if (copy is None or copy.sid != user.sid) and self._needs_fetch(server, user):
                    fetch = lat.replication_half + trunc(random() * lat.replication_span)
                targets = self._backup_targets  # _backup_target's cache hit, inlined
                target = targets[server] if server in targets else self._backup_target(server)
                if target is not None:
                    replicate = lat.replication_half + trunc(random() * lat.replication_span)
                    if not target.alive:
                        # Still a member, so Tomcat replicates to it and fails: a crashed
                        # process refuses within the round trip just drawn (drawn either
                        # way, so the stream does not depend on the kill kind); a vanished
                        # machine costs the sender's whole time-out.
                        miss = (target.name, target.kill_kind)
                        if target.kill_kind == "vanish":
                            replicate = self.config.replication_timeout_ms * MS
            work = lat.work_half + trunc(random() * lat.work_span)
            draws = req.draws = (lat.session_read, fetch, work, replicate, miss)
        read, fetch, work, replicate, _miss = draws
        when = req.t_conn + read + fetch + work + replicate
        req.gen += 1
        heappush(self._heap, (when, next(self._counter), self._on_respond, req, req.gen))

    def _stateless_draws(self) -> tuple:
        """Draw a stateless request's store load, work and store save durations."""
        lat = self.latency
        added = self.store.added_latency_ns
        return (lat.store_round_trip(added), lat.server_work(), lat.store_round_trip(added))

    def _plan_stateless(self, req: Request) -> None:
        """Schedule the answer of a stateless request: load, work, save, each store op timed."""
        load, work, save = req.draws
        start = req.t_conn
        when = start + load if req.store_fail == "load" else start + load + work + save
        req.gen += 1
        self.queue.push(when, self._respond, req, req.gen)

    def _refuse(self, req: Request) -> None:
        """Plan a connection to a dead server: refused at once (crash) or timed out (vanish)."""
        req.refused = True
        self.store.attached.pop(req.seq, None)
        gen = req.gen = req.gen + 1
        if req.server.kill_kind == "vanish":
            when = req.t_send + self.config.connect_timeout_ms * MS
            self.queue.push(when, self._connect_failed, req, gen)
            return
        # Latency.hop, inlined (hot path: round robin sends about a fifth of the requests to
        # a dead server before health checks notice); the refusal comes after t_conn >= now.
        lat = self.latency
        when = req.t_conn + (lat.hop_half + trunc(lat.random() * lat.hop_span))
        heappush(self._heap, (when, next(self._counter), self._connect_failed, req, gen))

    def _detach(self, req: Request) -> None:
        """The balancer closes its connection to the request's server."""
        server = req.server
        if server.attached.pop(req.seq, None) is not None:
            server.in_flight -= 1
        self.store.attached.pop(req.seq, None)

    def _connect_failed(self, req: Request, gen: int) -> None:
        """The connection failed: retry as configured, or answer 503."""
        if gen != req.gen:
            return
        server = req.server
        seq = req.seq
        # _detach, inlined (hot path)
        if server.attached.pop(seq, None) is not None:
            server.in_flight -= 1
        self.store.attached.pop(seq, None)
        req.retried = True
        if self.record:
            vanished = server.kill_kind == "vanish"
            req.hops.append(("lb", server.name, req.t_conn - req.t_send, "connect"))
            req.hops.append(
                (
                    server.name,
                    "lb",
                    self.queue.now - req.t_conn,
                    "no answer: connect time-out" if vanished else "connection refused",
                )
            )
        config = self.config
        if len(req.tried) > config.retries:
            self._finish(req, 503, f"{plural(len(req.tried), 'attempt')} failed")
        elif config.redispatch:
            # The balancer chooses again, among the servers not tried yet.
            server, reason = self.balancer.choose(self.servers, req.user, req.tried)
            if server is None:
                self._finish(req, 503, "no server available")
            else:
                self._send(req, server, reason)
        else:
            # HAProxy waits min(timeout connect, 1 s) before retrying the same server.
            wait = min(self.config.connect_timeout_ms * MS, S)
            if self.record:
                req.hops.append(("lb", "lb", wait, "wait before retrying the same server"))
            self.queue.push(self.queue.now + wait, self._retry_same, req, req.gen)

    def _retry_same(self, req: Request, gen: int) -> None:
        """Retry the same server (no redispatch), unless it has been marked down or removed."""
        if gen != req.gen:
            return
        server = req.server
        if server not in self.servers or not server.lb_up:
            self._finish(req, 503, f"Server {server.name} is down and redispatch is off")
            return
        self._send(req, server, f"retry Server {server.name} (redispatch is off)")

    def _respond(self, req: Request, gen: int) -> None:
        """The server answers: commit the item and send the response back."""
        if gen != req.gen:
            return
        server = req.server
        seq = req.seq
        # _detach, inlined (hot path)
        if server.attached.pop(seq, None) is not None:
            server.in_flight -= 1
        server.requests += 1
        user = req.user
        if self.stateless:
            store = self.store
            store.attached.pop(seq, None)  # only a stateless server uses the store
            if req.store_fail is not None:
                if self.record:
                    self._stateless_hops(req, failed=True)
                self._finish(req, 503, "the Shared DB is unavailable", via_server=True)
                return
            cart = store.carts.get(user.id)
            if cart is None:
                cart = store.carts[user.id] = Copy(0)
            cart.items += 1
            cart.acked += 1
            lost = False
            if self.record:
                self._stateless_hops(req, failed=False)
        else:
            cart = server.sessions.get(user.id)
            if cart is not None and cart.sid == user.sid:
                lost, origin = False, "memory"  # _session_for's first case, inlined (hot path)
            else:
                cart, lost, origin = self._session_for(server, user)
            cart.items += 1
            cart.acked += 1
            backup = self._place_backup(server, user.id, cart) if self.replicated else None
            if (
                self.record  # first: compare and the benchmark run unrecorded (hot path)
                and self.replicated
                and (backup is None or req.draws[4] is not None)
                and user.id == DEMO_USER
            ):
                self._say_failed_replication(server, req.draws[4], backup)
            if self.record:
                self._session_hops(req, origin, backup)
        user.affinity = server.name
        user.acked += 1
        items = user.cart_items = cart.items
        # The answer goes back through the balancer. What _finish does for a failure, done
        # here for the 200 (hot path), with Metrics.record and Histogram.add inlined.
        lat = self.latency
        back = lat.hop_half + trunc(lat.random() * lat.hop_span)
        done = self.queue.now + back
        req.finished = True
        req.done_ns = done
        latency = done - req.start_ns
        metrics = self.metrics
        metrics.requests += 1
        if req.retried:
            metrics.retried += 1
        metrics.ok += 1
        histogram = metrics.latency
        shift = latency.bit_length() - 8
        key = (shift << 8) | (latency >> shift) if shift > 0 else latency
        buckets = histogram.buckets
        buckets[key] = buckets.get(key, 0) + 1
        histogram.count += 1
        # _free_user, inlined (hot path)
        self.active -= 1
        user.busy = False
        user.free_at = done
        if user.pending and not user.waking:
            user.waking = True
            heappush(self._heap, (done, next(self._counter), self._wake, user, 0))
        if self.record:
            self.series.record(done, True, latency)
            outcome = "session_lost" if lost else "retried" if req.retried else "ok"
            req.hops.append((server.name, "lb", back, "200 OK"))
            req.hops.append(("lb", "user", 0, "response 200"))
            self._trace(req, 200, outcome, items, "", latency)

    def _needs_fetch(self, server: Server, user: User) -> bool:
        """Whether `server` must fetch the user's session from another server first."""
        sid = user.sid
        if sid is None:
            return False
        for holder in (server.sessions, server.backups):
            copy = holder.get(user.id)
            if copy is not None and copy.sid == sid:
                return False
        return self._find_copy(user, exclude=server) is not None

    def _find_copy(self, user: User, exclude: Server | None = None) -> tuple | None:
        """Return (server, copy) of a live copy of the user's current session, primary first."""
        sid = user.sid
        if sid is None:
            return None
        for kind in ("sessions", "backups"):
            for server in self.servers:
                if server is exclude or not server.alive:
                    continue
                copy = getattr(server, kind).get(user.id)
                if copy is not None and copy.sid == sid:
                    return server, copy
        return None

    def _session_for(self, server: Server, user: User) -> tuple:
        """Return (copy, lost, origin): the user's session on `server`, found or created."""
        uid = user.id
        sid = user.sid
        copy = server.sessions.get(uid)
        if copy is not None and copy.sid == sid:
            return copy, False, "memory"
        origin = None
        if self.config.mode == "replicated" and sid is not None:
            backup = server.backups.get(uid)
            if backup is not None and backup.sid == sid:
                del server.backups[uid]
                copy, origin = backup, "backup"
            else:
                found = self._find_copy(user, exclude=server)
                if found is not None:
                    holder, copy = found
                    origin = f"fetched from Server {holder.name}"
            if copy is not None and origin is not None:
                self._drop_copies(uid, sid)
                server.sessions[uid] = copy
                return copy, False, origin
        self.session_seq += 1
        copy = server.sessions[uid] = Copy(self.session_seq)
        lost = sid is not None
        user.sid = copy.sid
        return copy, lost, "new"

    def _drop_copies(self, uid: str, sid: int) -> None:
        """Forget every copy of session `sid` (before it moves to a new primary)."""
        for server in self.servers:
            for holder in (server.sessions, server.backups):
                copy = holder.get(uid)
                if copy is not None and copy.sid == sid:
                    del holder[uid]

    def _backup_target(self, server: Server) -> Server | None:
        """Return the next member after `server`, in name order, for the backup copy."""
        # Asked twice per replicated request (hot path), and the answer depends only on which
        # servers exist and are members, so it is cached until _topology_changed().
        targets = self._backup_targets
        if server in targets:
            return targets[server]
        target = targets[server] = self._find_backup_target(server)
        return target

    def _find_backup_target(self, server: Server) -> Server | None:
        """Search the servers after `server`, in name order, for the first cluster member."""
        # Membership, not liveness: Tomcat learns of a death only when membership drops the
        # member (McastService dropTime), so a dead member is still chosen until then.
        servers = self.servers
        if server not in servers:
            return None
        start = servers.index(server)
        for step in range(1, len(servers)):
            other = servers[(start + step) % len(servers)]
            if other.member:
                return other
        return None

    def _place_backup(self, server: Server, uid: str, copy: Copy) -> Server | None:
        """Copy the session synchronously to one backup server (Tomcat's BackupManager)."""
        targets = self._backup_targets  # _backup_target's cache hit, inlined (hot path)
        target = targets[server] if server in targets else self._backup_target(server)
        if target is not None and copy.peer == target.name:
            backup = target.backups.get(uid)
            if backup is not None and backup.sid == copy.sid:  # the usual case: update it
                backup.items = copy.items
                backup.acked = copy.acked
                return target
        for other in self.servers:
            stale = other.backups.get(uid)
            if stale is not None and stale.sid == copy.sid and other is not target:
                del other.backups[uid]
        if target is None or not target.alive:
            # No member to copy to, or the copy to a dead member failed: Tomcat logs it and
            # answers anyway, so the session has no backup until membership moves on.
            copy.peer = None
            return None
        backup = copy.clone()
        backup.peer = server.name
        target.backups[uid] = backup
        copy.peer = target.name
        return target

    def _say_failed_replication(
        self, server: Server, miss: tuple | None, backup: Server | None
    ) -> None:
        """Log a failed replication to a dead member (the demo user's requests only)."""
        if miss is None:  # planned to succeed, but the target died during the request
            target = self._backup_target(server)
            if target is None or target.alive:
                return
            miss = (target.name, target.kill_kind)
        name, kind = miss
        how = "no answer before the time-out" if kind == "vanish" else "connection refused"
        if backup is None:
            then = (
                f"Server {server.name}'s session has no backup "
                f"until the cluster drops Server {name}"
            )
        else:
            # The wait outlasted the membership window: the map re-replicated at the drop.
            then = (
                f"the cluster dropped Server {name} meanwhile, so Server {server.name}'s "
                f"session has its backup on Server {backup.name}"
            )
        self.say("warn", f"Replication to Server {name} failed ({how}); {then}.")

    def _died_inside(self, req: Request, gen: int) -> None:
        """The balancer learns that the server died while handling the request."""
        if gen != req.gen:
            return
        server = req.server
        self._detach(req)
        server.requests += 1
        vanished = server.kill_kind == "vanish"
        if self.record:
            req.hops.append(("lb", server.name, req.t_conn - req.t_send, "connect"))
            req.hops.append(
                (
                    server.name,
                    server.name,
                    req.t_kill - req.t_conn,
                    "server died while handling the request",
                )
            )
            req.hops.append(
                (
                    server.name,
                    "lb",
                    self.queue.now - req.t_kill,
                    "no response: server time-out" if vanished else "connection reset",
                )
            )
        status = 504 if vanished else 502
        self._finish(
            req,
            status,
            f"Server {server.name} died while handling it; outcome unknown, "
            "not retried (adding an item is not idempotent)",
        )

    def _finish(self, req: Request, status: int, note: str, via_server: bool = False) -> None:
        """Answer the user with a failure: count it, free the user, keep a trace."""
        # A success is answered by _respond, its only source (hot path).
        now = self.queue.now
        if via_server:
            lat = self.latency
            back = lat.lb_hop // 2 + trunc(lat.random() * lat.lb_hop)
        else:
            back = 0
        done = now + back
        req.finished = True
        req.done_ns = done
        latency = done - req.start_ns
        metrics = self.metrics
        metrics.requests += 1
        if req.retried:
            metrics.retried += 1
        metrics.failed += 1
        if self.record:
            self.series.record(done, False, latency)
        self._free_user(req.user, done)
        if not self.record:
            return
        if via_server:
            req.hops.append((req.server.name, "lb", back, f"{status}"))
        req.hops.append(("lb", "user", 0, f"response {status}"))
        self._trace(req, status, "failed", None, note, latency)

    def _free_user(self, user: User, done: int) -> None:
        """The user has its answer at `done`: wake its next waiting request then."""
        self.active -= 1
        user.busy = False
        user.free_at = done
        if user.pending and not user.waking:
            user.waking = True
            heappush(self._heap, (done, next(self._counter), self._wake, user, 0))

    # -- traces and log lines --------------------------------------------------------------

    def _stateless_hops(self, req: Request, failed: bool) -> None:
        """Record the hops of a stateless request inside its server."""
        name = req.server.name
        load, work, save = req.draws
        hops = req.hops
        hops.append(("lb", name, req.t_conn - req.t_send, "connect"))
        hops.append((name, "store", load // 2, "load cart"))
        if req.store_fail == "load":
            hops.append(("store", name, load - load // 2, "Shared DB unavailable"))
            return
        hops.append(("store", name, load - load // 2, "cart loaded"))
        hops.append((name, name, work, "add the item"))
        hops.append((name, "store", save // 2, "save cart"))
        hops.append(
            ("store", name, save - save // 2, "Shared DB unavailable" if failed else "cart saved")
        )

    def _session_hops(self, req: Request, origin: str, backup: Server | None) -> None:
        """Record the hops of a stateful request inside its server."""
        name = req.server.name
        read, fetch, work, replicate, miss = req.draws
        hops = req.hops
        hops.append(("lb", name, req.t_conn - req.t_send, "connect"))
        if fetch:
            source = origin.rsplit(" ", 1)[-1] if origin.startswith("fetched") else name
            hops.append((name, source, fetch // 2, "fetch session"))
            hops.append((source, name, fetch - fetch // 2, "session copied"))
        note = {
            "memory": "read session in memory",
            "backup": "promote the backup copy",
            "new": "create a new session",
        }.get(origin, "use the fetched session")
        hops.append((name, name, read + work, f"{note}, add the item"))
        if replicate and miss is not None:
            target, kind = miss
            if kind == "vanish":
                hops.append((name, target, 0, "copy session to backup"))
                hops.append((target, name, replicate, "no answer: replication time-out"))
            else:
                hops.append((name, target, replicate // 2, "copy session to backup"))
                hops.append((target, name, replicate - replicate // 2, "connection refused"))
        elif replicate:
            target = backup.name if backup is not None else name
            hops.append((name, target, replicate // 2, "copy session to backup"))
            hops.append(
                (
                    target,
                    name,
                    replicate - replicate // 2,
                    "backup stored" if backup is not None else "no backup server",
                )
            )

    def _trace(
        self, req: Request, status: int, outcome: str, cart: int | None, note: str, latency: int
    ) -> None:
        """Keep a trace of a finished request and log it."""
        user = req.user
        text = self._log_line(req, status, outcome, cart, note)
        level = {"ok": "info", "retried": "info", "session_lost": "warn"}.get(outcome, "error")
        if user.id == DEMO_USER or outcome in ("failed", "session_lost"):
            self.say(level, text)
        hops = [{"from": h[0], "to": h[1], "ns": h[2], "note": h[3]} for h in req.hops]
        path = [hops[0]["from"]]
        for hop in hops:
            if hop["to"] != path[-1]:
                path.append(hop["to"])
        self.trace_seq += 1
        self.traces.append(
            {
                "seq": self.trace_seq,
                "request": req.seq,
                "user": user.id,
                "server": req.server.name if status == 200 else None,
                "tried": list(req.tried),
                "reason": "; then ".join(req.reasons) if req.reasons else "no server available",
                "path": path,
                "hops": hops,
                "start_ns": req.start_ns,
                "latency_ns": latency,
                "outcome": outcome,
                "status": status,
                "cart_items": cart,
                "log": text,
            }
        )

    def _log_line(
        self, req: Request, status: int, outcome: str, cart: int | None, note: str
    ) -> str:
        """Return the console line for a finished request, in the original page's voice."""
        mine = req.user.id == DEMO_USER
        who = "you" if mine else req.user.id
        prefix = "" if mine else f"[{who}] "
        if status != 200:
            return f"{prefix}Request failed ({status}): {note}."
        name = req.server.name
        detour = ""
        if req.retried:
            failed = list(dict.fromkeys(n for n in req.tried[:-1]))
            servers = "Server" if len(failed) == 1 else "Servers"
            vanished = any(s.name in failed and s.kill_kind == "vanish" for s in self.servers)
            how = "did not answer in time" if vanished else "refused the connection"
            detour = (
                f"{servers} {', '.join(failed)} {how}; "
                f"the balancer redispatched the request to Server {name}. "
            )
        items = plural(cart, "item")
        mode = self.config.mode
        if outcome == "session_lost":
            return (
                f"{prefix}{detour}Session lost: Server {name} has no session for {who}. "
                f"New cart: {items}."
            )
        if mode == "stateless":
            return (
                f"{prefix}{detour}Server {name} handled the request. "
                f"Cart saved to Shared DB: {items}."
            )
        where = f"Session on Server {name}: {items}"
        if mode == "replicated":
            copy = req.server.sessions.get(req.user.id)
            peer = copy.peer if copy is not None else None
            if peer:
                where += f", backup on Server {peer}"
            elif self._backup_target(req.server) is None:
                where += ", no backup (no other server)"
            else:
                where += ", no backup (replication failed)"
        return f"{prefix}{detour}Server {name} handled the request. {where}."

    # -- health checks ---------------------------------------------------------------------

    def _health_check(self, _arg: object, _gen: int) -> None:
        """Check every server, as HAProxy does every `inter`; change beliefs after rise/fall."""
        config = self.config
        now = self.queue.now
        for server in self.servers:
            change = self.balancer.check(server, config.rise, config.fall)
            if change == "down":
                server.down_since = now
                after = (
                    ""
                    if server.killed_at_ns is None
                    else (f", {seconds(now - server.killed_at_ns)} after it died")
                )
                self.say(
                    "warn",
                    f"Health checks marked Server {server.name} DOWN "
                    f"({config.fall} failed in a row{after}).",
                )
            elif change == "up":
                server.down_since = None
                self.say(
                    "info",
                    f"Health checks marked Server {server.name} UP "
                    f"({config.rise} passed in a row).",
                )
        self.queue.push(now + config.health_check_interval_ms * MS, self._health_check, None)

    # -- faults ----------------------------------------------------------------------------

    def kill(self, server: Server, kind: str | None = None, cause: str = "") -> None:
        """Kill a live server: its memory is gone; requests heading there or inside fail."""
        kind = kind or self.config.kill_kind
        now = self.queue.now
        server.alive = False
        # No _topology_changed(): the backup target follows membership, which notices the
        # death only at the membership drop.
        server.killed_at_ns = now
        server.kill_kind = kind
        server.incarnation += 1
        for req in list(server.attached.values()):
            if req.refused or req.doomed:
                continue
            if req.t_conn > now:
                self._refuse(req)
                continue
            # Inside the server: the outcome is unknown to the user.
            if (
                self.config.mode == "stateless"
                and req.draws is not None
                and req.store_fail is None
                and req.save_land <= now
            ):
                cart = self.store.carts.get(req.user.id)
                if cart is None:
                    cart = self.store.carts[req.user.id] = Copy(0)
                cart.items += 1  # written, never acknowledged: indeterminate, not lost
            self.store.attached.pop(req.seq, None)
            req.t_kill = now
            req.doomed = True
            when = (
                now + self.latency.hop()
                if kind == "crash"
                else max(now, req.t_conn + self.config.server_timeout_ms * MS)
            )
            req.gen += 1
            self.queue.push(when, self._died_inside, req, req.gen)
        how = (
            "crashed: connections are refused at once"
            if kind == "crash"
            else "vanished: connections time out"
        )
        by = f"{cause} killed Server {server.name}" if cause else f"Server {server.name} killed"
        self.say(
            "error",
            f"{by} ({how}). The balancer still sends it requests until health checks notice.",
        )
        self._lose_memory(server)

    def _lose_memory(self, server: Server) -> None:
        """Wipe a server's memory, log what that cost, and let the cluster repair copies."""
        mode = self.config.mode
        sessions = len(server.sessions)
        if mode == "stateful" and sessions:
            items = 0
            for copy in server.sessions.values():
                items += copy.items
            self.say(
                "warn",
                f"Server {server.name} took {plural(sessions, 'session')} with it "
                f"({plural(items, 'item')} in memory).",
            )
        server.wipe()
        if mode == "replicated":
            delay = self.config.membership_drop_ms * MS
            when = self.queue.now + delay
            self.queue.push(when, self._membership_drop, server, server.incarnation)

    def restart(self, server: Server, cause: str = "") -> None:
        """Bring a dead server back, empty; the balancer re-admits it after `rise` checks."""
        server.alive = True
        server.member = True
        self._topology_changed()
        server.killed_at_ns = None
        server.kill_kind = None
        server.incarnation += 1
        server.check_ok = 0
        server.check_fail = 0
        server.wipe()
        now = self.queue.now
        for req in list(server.attached.values()):
            if req.refused and req.t_conn > now:
                self._accept(req)
        if server.lb_up:
            note = "The balancer never noticed it was gone."
        else:
            note = f"The balancer re-admits it after {self.config.rise} passed health checks."
        lead = f"{cause}: Server {server.name}" if cause else f"Server {server.name}"
        self.say("info", f"{lead} restarted, empty. {note}")
        if self.config.mode == "replicated":
            self._repair(f"Server {server.name} joined the cluster")

    def _auto_restart(self, server: Server, incarnation: int) -> None:
        """Restart a server killed by chaos, unless someone already did or removed it."""
        if server in self.servers and server.incarnation == incarnation and not server.alive:
            self.restart(server, "Auto-restart")

    def schedule_restart(self, server: Server) -> None:
        """Restart `server` after the configured time (a supervisor or an autoscaler)."""
        self.queue.push(
            self.queue.now + self.config.restart_after_ms * MS,
            self._auto_restart_event,
            (server, server.incarnation),
        )

    def _auto_restart_event(self, arg: tuple, _gen: int) -> None:
        """Event wrapper for _auto_restart."""
        self._auto_restart(*arg)

    def _membership_drop(self, server: Server, incarnation: int) -> None:
        """The cluster notices a member left: promote orphaned backups, make missing ones."""
        # A server restarted before the drop never left the membership.
        if server.incarnation == incarnation and not server.alive:
            server.member = False
            self._topology_changed()
        self._repair(f"Cluster membership dropped Server {server.name}")

    def _repair(self, why: str) -> None:
        """Promote backups whose primary is gone; give every primary a live backup."""
        promoted = 0
        made = 0
        live = [s for s in self.servers if s.alive]
        by_name = {s.name: s for s in live}
        for server in live:
            for uid, backup in list(server.backups.items()):
                holder = by_name.get(backup.peer)
                primary = holder.sessions.get(uid) if holder is not None else None
                if primary is None or primary.sid != backup.sid:
                    del server.backups[uid]
                    server.sessions[uid] = backup
                    backup.peer = None
                    promoted += 1
        for server in live:
            for uid, copy in list(server.sessions.items()):
                holder = by_name.get(copy.peer)
                backup = holder.backups.get(uid) if holder is not None else None
                missing = backup is None or backup.sid != copy.sid
                if missing and self._place_backup(server, uid, copy) is not None:
                    made += 1
        if promoted or made:
            self.say(
                "info",
                f"{why}: {plural(promoted, 'backup')} promoted, {plural(made, 'new backup')} made.",
            )

    def add_server(self) -> Server:
        """Add a server, empty and believed up at once."""
        name = next_server_name(self.servers)
        if name is None or len(self.servers) >= MAX_SERVERS:
            raise ScenarioError(f"cannot add a server: at most {MAX_SERVERS}")
        server = Server(name)
        self.servers.append(server)
        self._topology_changed()
        self.say("info", f"Server {name} added; the balancer sends it requests at once.")
        if self.config.mode == "replicated":
            self._repair(f"Server {name} joined the cluster")
        return server

    def remove_server(self) -> None:
        """Remove the last server: no new requests, the ones inside finish, memory is gone."""
        if len(self.servers) <= 1:
            raise ScenarioError("cannot remove the last server")
        server = self.servers.pop()
        self._topology_changed()
        self.balancer.cursor %= len(self.servers)
        self.say("info", f"Server {server.name} removed; requests already inside it finish.")
        self._lose_memory(server)

    def kill_store(self) -> None:
        """Make the shared store unreachable; stateless servers cannot serve carts."""
        if not self.store.up:
            self.say("info", "The Shared DB is already down.")
            return
        self.store.up = False
        now = self.queue.now
        for req in list(self.store.attached.values()):
            if req.store_fail is not None:
                continue
            if req.load_land > now:
                req.store_fail = "load"
            elif req.save_land > now:
                req.store_fail = "save"
            else:
                continue
            self._plan_stateless(req)
        note = (
            "Stateless servers cannot load or save carts now: the state problem moved, "
            "it did not vanish."
            if self.config.mode == "stateless"
            else "This mode keeps carts in server memory, so requests go on."
        )
        self.say("error", f"Shared DB / Redis is down. {note}")

    def restore_store(self) -> None:
        """Bring the shared store back, with its data (it is durable)."""
        if self.store.up:
            self.say("info", "The Shared DB is already up.")
            return
        self.store.up = True
        now = self.queue.now
        for req in list(self.store.attached.values()):
            land = req.load_land if req.store_fail == "load" else req.save_land
            if req.store_fail is not None and land > now:
                req.store_fail = None
                self._plan_stateless(req)
        self.say("info", "Shared DB / Redis is back, with every cart it held.")

    def set_store_latency(self, added_ns: int) -> None:
        """Add latency to each store round trip that starts from now on."""
        self.store.added_latency_ns = added_ns
        if added_ns:
            self.say("info", f"Store link slowed: +{seconds(added_ns)} per round trip.")
        else:
            self.say("info", "Store link back to normal.")

    # -- chaos and traffic -----------------------------------------------------------------

    def set_chaos(self, on: bool) -> None:
        """Switch the Chaos Monkey on or off."""
        if on == self.chaos_on:
            return
        self.chaos_on = on
        self.chaos_gen += 1
        if on:
            mean = self.config.chaos_mean_interval_ms * MS
            self._schedule_chaos()
            self.say(
                "info",
                f"Chaos Monkey on: it kills a random server about every "
                f"{seconds(mean)}; killed servers restart after "
                f"{seconds(self.config.restart_after_ms * MS)}.",
            )
        else:
            self.next_kill_ns = None
            self.say("info", "Chaos Monkey off.")

    def _schedule_chaos(self) -> None:
        """Pick the next kill time, uniform around the mean interval."""
        mean = self.config.chaos_mean_interval_ms * MS
        self.next_kill_ns = self.queue.now + mean // 2 + int(self.chaos_rng.random() * mean)
        self.queue.push(self.next_kill_ns, self._chaos, None, self.chaos_gen)

    def _chaos(self, _arg: object, gen: int) -> None:
        """Kill a random live server, never the last one, and schedule its restart."""
        if gen != self.chaos_gen:
            return
        self.chaos_kill(self.chaos_rng)
        self._schedule_chaos()

    def chaos_kill(self, rng: Random) -> Server | None:
        """Kill a live server drawn from `rng` (one draw), unless it is the last live one."""
        live = [s for s in self.servers if s.alive]
        draw = rng.random()
        if len(live) <= 1:
            if self.record:
                self.say("info", "Chaos Monkey spared the last live server.")
            return None
        victim = live[int(draw * len(live))]
        self.kill(victim, None, "Chaos Monkey")
        self.schedule_restart(victim)
        return victim

    def set_traffic(self, rate_milli: int) -> None:
        """Send background requests from simulated users at rate_milli/1000 per second."""
        self.traffic_milli = rate_milli
        self.traffic_gen += 1
        if rate_milli:
            users = self.config.traffic_users
            rate = rate_milli // 1000 if rate_milli % 1000 == 0 else rate_milli / 1000
            self.say(
                "info",
                f"Background traffic: {rate} requests/s from {plural(users, 'simulated user')}.",
            )
            self._schedule_arrival()
        else:
            self.say("info", "Background traffic off.")

    def _schedule_arrival(self) -> None:
        """Pick the next background arrival: gaps uniform in [0, 2/rate)."""
        mean = 1_000 * S // self.traffic_milli
        gap = 1 + int(self.traffic_rng.random() * 2 * mean)
        self.queue.push(self.queue.now + gap, self._arrival, None, self.traffic_gen)

    def _arrival(self, _arg: object, gen: int) -> None:
        """One simulated user adds an item."""
        if gen != self.traffic_gen:
            return
        self.offer(self.user(self.pick_user(self.traffic_rng)))
        self._schedule_arrival()

    def pick_user(self, rng: Random) -> str:
        """Return the id of a simulated user drawn from `rng`."""
        return f"u{1 + int(rng.random() * self.config.traffic_users)}"

    # -- driving time ----------------------------------------------------------------------

    def request(self) -> Request:
        """The demo user adds one item; time runs until the answer arrives."""
        req = self.start_request(self.users[DEMO_USER])
        limit = req.start_ns + 24 * 3600 * S
        queue = self.queue
        while not req.finished:
            next_time = queue.next_time()
            if next_time is None or next_time > limit:
                raise AssertionError("a request never finished")  # a model bug, not input
            queue.step()
        queue.run_until(req.done_ns)
        return req

    def advance(self, duration_ns: int) -> None:
        """Let simulated time pass."""
        self.queue.run_until(self.queue.now + duration_ns)

    def drain(self) -> None:
        """Run until every request sent or waiting has been answered."""
        queue = self.queue
        while self.active or self.waiting:
            queue.step()

    # -- reading the state -----------------------------------------------------------------

    def current_cart(self, user: User) -> Copy | None:
        """Return the copy of the user's cart that a read would find now (omniscient)."""
        if self.config.mode == "stateless":
            return self.store.carts.get(user.id)
        found = self._find_copy(user)
        return found[1] if found is not None else None

    def item_counts(self) -> dict:
        """Return acknowledged, present and lost items over all users."""
        acked = present = lost = 0
        for user in self.users.values():
            cart = self.current_cart(user)
            acked += user.acked
            if cart is not None:
                present += cart.items
                lost += user.acked - cart.acked
            else:
                lost += user.acked
        return {"acknowledged_items": acked, "present_items": present, "lost_items": lost}
