"""The lab: the simulator's chaos experiment on a real cluster on 127.0.0.1.

Redis, three Starlette servers under uvicorn and HAProxy in front, configured with the
simulator's defaults; a client of simulated users; a crash (SIGKILL) or a vanish (the server's
packets dropped on loopback); the record of every request; and the simulator's prediction for
the same bindings beside what really happened. Not part of the browser bundle.
"""
