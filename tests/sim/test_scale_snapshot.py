"""The snapshot's scaling keys: each server's load, the spread, the last remap; links."""

import json

from sim.browser.facade import Demo, load
from sim.browser.scenario import parse
from sim.core.units import S

SCALE = {"server_threads": 1, "server_work_us": 16_000, "visit_s": 60}


def loaded_demo(config: dict) -> Demo:
    demo = Demo()
    demo.apply({"type": "reset", "config": config})
    demo.apply({"type": "traffic", "rate_per_s": 200})
    demo.apply({"type": "advance", "ns": 20 * S})
    return demo


def test_each_server_shows_its_load_and_the_spread_is_measured():
    snap = loaded_demo(SCALE).snapshot()
    for server in snap["servers"]:
        assert set(server["load"]) == {"busy", "queued", "rps"}
        assert server["load"]["busy"] == 1  # one thread, saturated
        assert 40 <= server["load"]["rps"] <= 90
    assert sum(s["load"]["queued"] for s in snap["servers"]) > 0
    assert 1.0 <= snap["metrics"]["load_spread"] < 1.5
    assert snap["remap"] is None  # no source policy
    assert all("p99_ms" in point for point in snap["series"])
    json.dumps(snap, allow_nan=False)


def test_an_idle_demo_has_no_spread_and_no_remap():
    snap = Demo().snapshot()
    assert snap["metrics"]["load_spread"] is None
    assert snap["remap"] is None
    assert snap["servers"][0]["load"] == {"busy": 0, "queued": 0, "rps": 0.0}


def test_adding_a_server_under_source_hashing_reports_the_remap():
    demo = loaded_demo({**SCALE, "mode": "stateful", "policy": "source"})
    snap = demo.apply({"type": "add_server"})
    assert snap["remap"]["users"] == 101  # you and the 100 visitors
    assert 60 <= snap["remap"]["moved"] <= 85  # map-based: about three quarters
    assert any("Source hash (map-based) now spans" in e["text"] for e in snap["log"])


def test_a_link_carries_the_new_fields_and_replays_to_the_same_run():
    config = {**SCALE, "policy": "source", "hash_type": "consistent", "accept_queue": 5}
    demo = loaded_demo(config)
    demo.apply({"type": "add_server"})
    text = demo.snapshot()["scenario"]
    assert parse(text).config.hash_type == "consistent"
    again = load(text).snapshot()
    assert again["remap"] == demo.snapshot()["remap"]
    assert again["metrics"] == demo.snapshot()["metrics"]


def test_an_old_link_parses_with_the_defaults():
    scenario = parse("v2.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-r")
    assert scenario.config.server_threads == 200 and scenario.config.visit_s == 0
    assert scenario.config.hash_type == "map-based"


def test_the_store_shows_the_commands_it_answers_each_second():
    snap = loaded_demo(SCALE).snapshot()
    served = sum(s["load"]["rps"] for s in snap["servers"])
    assert snap["store"]["ops_per_s"] == 2 * served  # each request a GET and a SET
    waiting = loaded_demo({**SCALE, "store_wait": True}).snapshot()
    assert waiting["store"]["ops_per_s"] == 3 * sum(s["load"]["rps"] for s in waiting["servers"])
    assert loaded_demo({**SCALE, "mode": "stateful"}).snapshot()["store"]["ops_per_s"] is None
    assert Demo().snapshot()["store"]["ops_per_s"] == 0
