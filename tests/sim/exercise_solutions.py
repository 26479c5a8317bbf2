"""Correct and incorrect solutions of the exercises, for the unit tests and the browser tests."""

CORRECT = {
    "skip-down": """def choose(user, servers, memory):
    up = [s for s in servers if s.up]
    turn = memory.get("turn", 0)
    memory["turn"] = turn + 1
    return up[turn % len(up)].name
""",
    "least-connections": """def choose(user, servers, memory):
    return min((s for s in servers if s.up), key=lambda s: s.busy).name
""",
    "sticky-rebind": """def choose(user, servers, memory):
    up = {s.name for s in servers if s.up}
    if memory.get(user.id) in up:
        return memory[user.id]
    turn = memory.get("turn", 0)
    memory["turn"] = turn + 1
    names = sorted(up)
    memory[user.id] = names[turn % len(names)]
    return memory[user.id]
""",
    "modulo-hash": """def choose(user, servers, memory):
    return servers[user.address % len(servers)].name
""",
    "consistent-hash": """def mix(x):
    x = (x ^ (x >> 16)) * 0x45D9F3B % 2**32
    x = (x ^ (x >> 16)) * 0x45D9F3B % 2**32
    return x ^ (x >> 16)

def choose(user, servers, memory):
    key = tuple(s.name for s in servers)
    if memory.get("key") != key:
        ring = sorted((mix(ord(s.name) * 1000 + i), s.name) for s in servers for i in range(100))
        memory["key"], memory["ring"] = key, ring
    ring = memory["ring"]
    point = mix(user.address)
    for spot, name in ring:
        if spot >= point:
            return name
    return ring[0][1]
""",
    "weighted": """def choose(user, servers, memory):
    wheel = [s.name for s in servers for _ in range(s.weight)]
    turn = memory.get("turn", 0)
    memory["turn"] = turn + 1
    return wheel[turn % len(wheel)]
""",
}

# Each fails its own check for the reason the exercise is about.
INCORRECT = {
    "skip-down": """def choose(user, servers, memory):
    turn = memory.get("turn", 0)
    memory["turn"] = turn + 1
    return servers[turn % len(servers)].name
""",
    "least-connections": """def choose(user, servers, memory):
    return [s for s in servers if s.up][0].name
""",
    "sticky-rebind": CORRECT["skip-down"],
    "modulo-hash": """def choose(user, servers, memory):
    return servers[0].name
""",
    "consistent-hash": CORRECT["modulo-hash"],
    "weighted": CORRECT["skip-down"],
}
