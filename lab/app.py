"""One application server of the lab: a cart per user, in Redis (stateless) or in memory.

    python -m lab.app --name A --port 8101 --mode stateless --redis-port 6390

Each add answers with the whole cart, so the client can tell which acknowledged items a
server still has. `X-Server` names the server; `X-Store-Us` is the time the handler spent on
the cart itself (a Redis round trip or a dictionary), for the store-over-memory ratio.
"""

import argparse
import time

import redis.asyncio as aioredis
import uvicorn
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class MemoryCarts:
    """Carts as sessions in this process's memory: they die with it."""

    def __init__(self) -> None:
        """Start with no sessions."""
        self._carts: dict[str, list[str]] = {}

    async def add(self, user: str, item: str) -> list[str]:
        """Append an item to the user's cart (a new, empty one if unknown); return the cart."""
        cart = self._carts.setdefault(user, [])
        cart.append(item)
        return list(cart)

    async def read(self, user: str) -> list[str]:
        """Return the user's cart, empty if this server has no session for it."""
        return list(self._carts.get(user, ()))


class RedisCarts:
    """Carts in the shared Redis: one list per user, written and read in one round trip."""

    def __init__(self, port: int) -> None:
        """Connect lazily to Redis on 127.0.0.1:port. No retries: redis-py's default retries
        a refused connection ten times with a growing back-off, so a request would wait for a
        restarted Redis instead of failing at once as the simulator's does (503)."""
        self._redis = aioredis.Redis(
            host="127.0.0.1", port=port, decode_responses=True, retry=Retry(NoBackoff(), 0)
        )

    async def add(self, user: str, item: str) -> list[str]:
        """Append and read back in one transaction (one round trip), as a session store does."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(f"cart:{user}", item)
            pipe.lrange(f"cart:{user}", 0, -1)
            _, cart = await pipe.execute()
        return cart

    async def read(self, user: str) -> list[str]:
        """Return the user's cart."""
        return await self._redis.lrange(f"cart:{user}", 0, -1)


MODES = ("stateless", "stateful")  # replicated mode runs on Tomcat instead (lab/tomcat.py)


def make_app(name: str, carts: MemoryCarts | RedisCarts) -> Starlette:
    """Return the ASGI application of server `name`."""

    def answer(cart: list[str], spent_ns: int) -> JSONResponse:
        headers = {"X-Server": name, "X-Store-Us": f"{spent_ns / 1000:.1f}"}
        return JSONResponse({"server": name, "cart": cart}, headers=headers)

    async def add_item(request: Request) -> JSONResponse:
        item = (await request.body()).decode()
        started = time.perf_counter_ns()
        try:
            cart = await carts.add(request.path_params["user"], item)
        except RedisConnectionError:
            return store_down()
        return answer(cart, time.perf_counter_ns() - started)

    async def read_cart(request: Request) -> JSONResponse:
        started = time.perf_counter_ns()
        try:
            cart = await carts.read(request.path_params["user"])
        except RedisConnectionError:
            return store_down()
        return answer(cart, time.perf_counter_ns() - started)

    def store_down() -> JSONResponse:
        """The store cannot be reached: 503, as the simulator answers."""
        return JSONResponse({"server": name, "error": "store down"}, status_code=503)

    return Starlette(
        routes=[
            Route("/cart/{user}/items", add_item, methods=["POST"]),
            Route("/cart/{user}", read_cart, methods=["GET"]),
        ]
    )


def main() -> None:
    """Serve one server until killed."""
    parser = argparse.ArgumentParser(prog="python -m lab.app")
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--redis-port", type=int)
    args = parser.parse_args()
    if args.mode == "stateless" and args.redis_port is None:
        parser.error("--redis-port is needed in stateless mode")
    carts = RedisCarts(args.redis_port) if args.mode == "stateless" else MemoryCarts()
    uvicorn.run(
        make_app(args.name, carts),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
