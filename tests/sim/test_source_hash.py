"""Policy "source": HAProxy's `balance source` with `hash-type` map-based and consistent."""

import pytest

from sim.core.config import build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model
from sim.core.source_hash import SourceHash, address, full_hash, moved
from sim.core.units import S
from sim.story.traces import reason_text

USERS = [f"u{n}" for n in range(1, 10_001)]


def test_full_hash_gives_what_haproxys_c_gives():
    # __full_hash of include/haproxy/intops.h, compiled with gcc 12 and run on these inputs.
    assert [full_hash(x) for x in (0, 1, 4096, 4097, 0xC6120001, 0xC0000201)] == [
        2874071335,
        881230262,
        1237450891,
        2761370759,
        1893317011,
        1063906109,
    ]


def test_a_users_address_comes_from_its_id_without_a_draw():
    assert address("you") == (192 << 24) | (2 << 8) | 1  # 192.0.2.1
    assert address("u5") == (198 << 24) | (18 << 16) | 5  # 198.18.0.5
    assert address("u5") == address("u5") != address("u6")


def test_map_based_takes_the_raw_address_modulo_the_servers_weight():
    table = SourceHash("map-based", ("A", "B", "C"))
    assert table.map[:6] == ["A", "B", "C", "A", "B", "C"]  # recalc_server_map, equal weights
    assert len(table.map) == 48  # 16 per server of weight 1
    for user in USERS[:50]:
        assert table.pick(user) == table.map[address(user) % 48]


def test_adding_a_fourth_server_moves_three_quarters_map_based_and_a_quarter_consistent():
    shares = {}
    for hash_type in ("map-based", "consistent"):
        three = SourceHash(hash_type, ("A", "B", "C"))
        four = SourceHash(hash_type, ("A", "B", "C", "D"))
        shares[hash_type] = moved(three, four, USERS) / len(USERS)
    assert shares["map-based"] == pytest.approx(0.75, abs=0.01)
    assert shares["consistent"] == pytest.approx(0.28, abs=0.01)


def test_consistent_hashing_moves_only_the_users_of_a_server_that_leaves():
    four = SourceHash("consistent", ("A", "B", "C", "D"))
    three = SourceHash("consistent", ("A", "B", "D"))
    for user in USERS[:2_000]:
        if four.pick(user) != "C":
            assert three.pick(user) == four.pick(user)


def test_a_ring_node_is_placed_at_the_avalanche_hash_of_puid_times_4096_plus_i():
    table = SourceHash("consistent", ("A", "B"))
    expected = sorted(full_hash(p * 4096 + i) for p in (1, 2) for i in range(16))
    assert table.keys == expected


def test_a_retry_walks_the_ring_past_the_server_it_avoids_but_the_map_ignores_it():
    ring = SourceHash("consistent", ("A", "B", "C"))
    first = ring.pick("u1")
    assert ring.pick("u1", avoid=first) not in (first, None)
    plain = SourceHash("map-based", ("A", "B", "C"))
    assert plain.pick("u1", avoid=plain.pick("u1")) == plain.pick("u1")


def test_hash_type_is_checked_and_defaults_to_haproxys_map_based():
    assert build_config({}).hash_type == "map-based"
    with pytest.raises(ScenarioError, match="hash_type"):
        build_config({"hash_type": "ring"})


def test_the_balancer_sends_each_user_where_its_address_hashes():
    model = Model(build_config({"policy": "source", "hash_type": "consistent"}), 1)
    model.set_traffic(50_000)
    model.advance(5 * S)
    table = SourceHash("consistent", ("A", "B", "C"))
    for server in model.servers:
        for uid in server.sessions:
            assert table.pick(uid) == server.name
    assert reason_text(("source", "consistent")) == "source address hash (consistent)"


@pytest.mark.parametrize("hash_type", ["map-based", "consistent"])
def test_adding_a_server_remaps_users_and_stateful_sessions_are_lost(hash_type):
    config = build_config({"mode": "stateful", "policy": "source", "hash_type": hash_type})
    model = Model(config, 1)
    assert model.remap is None
    model.set_traffic(50_000)
    model.advance(10 * S)
    model.add_server()
    users = [uid for uid in model.users]
    three = SourceHash(hash_type, ("A", "B", "C"))
    four = SourceHash(hash_type, ("A", "B", "C", "D"))
    assert model.remap == {"users": len(users), "moved": moved(three, four, users)}
    before = model.metrics.lost_sessions
    model.advance(20 * S)  # every user comes back (100 users, 50/s)
    returned = [uid for uid in users if uid != "you" and three.pick(uid) != four.pick(uid)]
    assert model.metrics.lost_sessions - before == len(returned)


def test_stateless_users_moved_by_a_remap_keep_their_carts():
    config = build_config({"policy": "source"})
    model = Model(config, 1)
    model.set_traffic(50_000)
    model.advance(10 * S)
    model.add_server()
    model.advance(20 * S)
    assert model.remap["moved"] > 50
    assert model.metrics.lost_sessions == 0
    assert model.item_counts()["lost_items"] == 0


def test_a_source_address_picks_the_server_its_user_would():
    for hash_type in ("map-based", "consistent"):
        table = SourceHash(hash_type, ("A", "B", "C"))
        for user in USERS[:200]:
            assert table.pick_address(address(user)) == table.pick(user)
        assert SourceHash(hash_type, ("B",)).pick_address(address("u7")) == "B"
