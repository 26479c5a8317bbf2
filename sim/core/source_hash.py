"""HAProxy's `balance source`: the client's address hashed over the running servers.

Built as HAProxy builds it (src/backend.c `get_server_sh`, src/lb_map.c, src/lb_chash.c,
src/cfgparse-listen.c `hash-type`; include/haproxy/intops.h `full_hash`):
- the key is the IPv4 source address as a 32-bit number (`h ^= ntohl(addr)`); with a single
  running server it is not hashed at all (h = 0);
- `hash-type map-based` (HAProxy's default) ignores the hash function: the server is
  `map[h % tot_weight]`, where the map lists each running server as often as its effective
  weight (16 per unit of weight, BE_WEIGHT_SCALE), spread by `recalc_server_map`;
- `hash-type consistent` with no function named applies the avalanche hash (`full_hash`) to
  the key, and places 16 ring nodes per unit of weight for each running server at
  `full_hash(puid * 4096 + i)` (SRV_EWGHT_RANGE = 256 x 16; `hash-key id`, the default);
  the nearest node wins, the one before on a tie (`chash_get_server_hash`), and a retry that
  must avoid a server walks on to the next node.
Every server here has weight 1 and the id (`puid`) of its letter: A is 1, B is 2.

A simulated user's address is derived from its id, with no random draw: `you` is 192.0.2.1
(TEST-NET-1, RFC 5737) and `uN` is 198.18.0.0 + N (the benchmarking range, RFC 2544).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, NamedTuple

from sim.core import visits
from sim.core.config import SERVER_NAMES

if TYPE_CHECKING:
    from sim.core.model import Model


class Remapped(NamedTuple):
    """The record of a change of the servers a source hash spreads over: `moved` of `users`
    go elsewhere now (kept here, with the mechanism, rather than in records.py)."""

    servers: tuple
    users: int
    moved: int
    kind = "remapped"


WEIGHT_SCALE = 16  # BE_WEIGHT_SCALE: effective weight (and ring nodes) per unit of weight
EWGHT_RANGE = 256 * WEIGHT_SCALE  # SRV_EWGHT_RANGE: the spacing of servers' ring keys
MASK = 0xFFFFFFFF
DEMO_ADDRESS = 0xC0000201  # 192.0.2.1
USERS_BASE = 0xC6120000  # 198.18.0.0


def full_hash(a: int) -> int:
    """Bob Jenkins' full avalanche hash of a 32-bit integer, as HAProxy's `full_hash`."""
    a = ((a + 0x7ED55D16) + (a << 12)) & MASK
    a = ((a ^ 0xC761C23C) ^ (a >> 19)) & MASK
    a = ((a + 0x165667B1) + (a << 5)) & MASK
    a = ((a + 0xD3A2646C) ^ (a << 9)) & MASK
    a = ((a + 0xFD7046C5) + (a << 3)) & MASK
    a = ((a ^ 0xB55A4F09) ^ (a >> 16)) & MASK
    return (a * 3221225473) & MASK


def address(user_id: str) -> int:
    """The IPv4 source address of a user, as a 32-bit number, derived from its id."""
    digits = user_id.lstrip("abcdefghijklmnopqrstuvwxyz")
    if user_id == "you" or not digits.isdigit():
        return DEMO_ADDRESS
    return (USERS_BASE + int(digits)) & MASK


def puid(name: str) -> int:
    """A server's HAProxy id: its letter's place, A = 1."""
    return SERVER_NAMES.index(name) + 1


class SourceHash:
    """The lookup table for one set of running servers (names in declaration order)."""

    __slots__ = ("hash_type", "keys", "map", "names", "owners")

    def __init__(self, hash_type: str, names: tuple[str, ...]) -> None:
        """Build the map (map-based) or the ring (consistent) over `names`."""
        self.hash_type = hash_type
        self.names = names
        self.map: list[str] = []
        self.keys: list[int] = []
        self.owners: list[str] = []
        if hash_type == "consistent":
            nodes = sorted(
                (full_hash(puid(name) * EWGHT_RANGE + i), name)
                for name in names
                for i in range(WEIGHT_SCALE)
            )
            self.keys = [key for key, _ in nodes]
            self.owners = [name for _, name in nodes]
        else:
            self.map = _server_map(names)

    def pick(self, user_id: str, avoid: str | None = None) -> str | None:
        """The server name for this user's address (None when no server runs)."""
        return self.pick_address(address(user_id), avoid)

    def pick_address(self, source: int, avoid: str | None = None) -> str | None:
        """The server name for an IPv4 source address, a 32-bit number (None: no server)."""
        if not self.names:
            return None
        h = source if len(self.names) > 1 else 0
        if self.hash_type != "consistent":
            return self.map[h % len(self.map)]
        return self._nearest(full_hash(h) if len(self.names) > 1 else h, avoid)

    def _nearest(self, h: int, avoid: str | None) -> str:
        """The owner of the ring node nearest to h (the one before on a tie); then onwards
        past `avoid`, at most once round the ring."""
        keys, count = self.keys, len(self.keys)
        after = bisect_left(keys, h) % count  # the first node at or after h, wrapping
        before = (after - 1) % count
        at = before if (h - keys[before]) & MASK <= (keys[after] - h) & MASK else after
        for step in range(count):
            owner = self.owners[(at + step) % count]
            if owner != avoid:
                return owner
        return self.owners[at]


def _server_map(names: tuple[str, ...]) -> list[str]:
    """HAProxy's `recalc_server_map` for servers of equal weight: each slot goes to the server
    with the highest score, the first declared on a tie."""
    total = WEIGHT_SCALE * len(names)
    score = dict.fromkeys(names, 0)
    out = []
    for _ in range(total):
        best, best_value = names[0], -1
        for name in names:
            score[name] += WEIGHT_SCALE
            value = (score[name] + total) // total
            if value > best_value:
                best, best_value = name, value
        out.append(best)
        score[best] -= total
    return out


def moved(old: SourceHash, new: SourceHash, user_ids: list[str]) -> int:
    """How many of these users the new table sends to another server than the old one."""
    return len([uid for uid in user_ids if old.pick(uid) != new.pick(uid)])


def moved_share(model: Model) -> float | None:
    """The share of the users still visiting that the last change of the servers moved, to
    three places; None before any change, with another policy, or with no user visiting."""
    remap = model.remap
    if remap is None or not remap["users"]:
        return None
    return round(remap["moved"] / remap["users"], 3)


def remapped(model: Model, old: SourceHash, new: SourceHash) -> None:
    """The servers hashed over changed: count the users still visiting who now go elsewhere."""
    users = visits.present_users(model)
    count = moved(old, new, users)
    model.remap = {"users": len(users), "moved": count}
    model.note(Remapped(new.names, len(users), count))
