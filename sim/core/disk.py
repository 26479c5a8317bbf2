"""What the store's primary keeps on disk (Redis persistence), for the restart after a crash.

`store_persistence` (Redis persistence manual; the source is Redis's `src/`):
- "none": `save ""` and `appendonly no`: a killed process restarts empty.
- "rdb": Redis's built-in save points, `save 3600 1 300 100 60 10000` (`initServerConfig`
  in server.c; the shipped redis.conf leaves the line commented out). `serverCron` starts a
  background save once `dirty >= changes` and more than `seconds` have passed since the
  last save; the snapshot holds the data as it was then. A killed process restarts with its
  last snapshot (or empty, before the first one). Simplified: one change per cart write
  (one HSET field), the save is instant and checked continuously (serverCron runs 10 times
  a second), and it always succeeds; a replica promoted by Sentinel starts with a snapshot
  of what it holds then (a real replica has its own save points, and the file its first
  synchronisation wrote).
- "aof-everysec" and "aof-always": `beforeSleep` writes the append-only buffer to the file
  (`flushAppendOnlyFile`) before it sends the replies (`handleClientsWithPendingWrites`),
  so a killed process loses nothing a client was told; the kernel has it. `everysec`
  fsyncs once a second, so only a machine crash loses up to the last second (not
  modelled: a kill here is the process); `always` fsyncs before replying. Simplified: with
  `everysec` and a slow disk Redis may postpone that write for up to 2 s
  (`aof_flush_postponed_start` in aof.c); the model's disk is never slow.
"""

from sim.core.units import S

# (seconds, changes): Redis's default save points, in the order server.c appends them.
SAVE_POINTS = ((3600, 1), (300, 100), (60, 10000))
NEVER = 1 << 62


class Disk:
    """The primary's persistence: its last RDB snapshot and the changes since, or its AOF;
    and whether its process is down, restarting."""

    __slots__ = (
        "dirty",
        "down_until",
        "next_save",
        "persistence",
        "replica_view",
        "saved_at",
        "snapshot",
    )

    def __init__(self, persistence: str) -> None:
        """Start empty, with no snapshot; save points count from time 0 (Redis sets
        `lastsave` when it starts)."""
        self.persistence = persistence
        # user id -> (items, acked) at the last save; None: no snapshot file yet
        self.snapshot: dict[str, tuple[int, int]] | None = None
        self.saved_at = 0
        self.dirty = 0  # changes since the last save
        self.next_save = NEVER  # when the next save fires, given the changes so far
        self.down_until: int | None = None  # the process was killed: it restarts then
        # The carts the replica has (the lag's writes missing) while the killed primary is
        # down, for a promotion if Sentinel calls it down before it restarts.
        self.replica_view: dict[str, tuple[int, int]] | None = None

    def wrote(self, now: int, carts: dict, changes: int = 1) -> None:
        """Writes are about to change `carts`: take any snapshot due before them, count them."""
        if self.persistence != "rdb":
            return
        if now > self.next_save:
            self.save(self.next_save, carts)
        before = self.dirty
        self.dirty += changes
        for seconds, count in SAVE_POINTS:
            if before < count <= self.dirty:  # this save point's changes are reached now
                self.next_save = min(self.next_save, max(self.saved_at + seconds * S, now))

    def save(self, at: int, carts: dict) -> None:
        """A background save at `at` (nothing written since): the snapshot is the data now."""
        self.snapshot = {uid: (cart.items, cart.acked) for uid, cart in carts.items()}
        self.saved_at = at
        self.dirty = 0
        self.next_save = NEVER

    def kept(self, now: int, carts: dict) -> dict[str, tuple[int, int]]:
        """What a process killed now restarts with: user id -> (items, acked)."""
        if self.persistence == "none":
            return {}
        if self.persistence == "rdb":
            if now > self.next_save:
                self.save(self.next_save, carts)
            return dict(self.snapshot or {})
        return {uid: (cart.items, cart.acked) for uid, cart in carts.items()}

    def restarted(self, now: int, carts: dict) -> None:
        """The process starts again with `carts` loaded: a save counts from now."""
        self.save(now, carts)
