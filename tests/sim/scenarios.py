"""Seeded scenarios shared by the golden, determinism, CLI and Pyodide tests."""

GOLDEN = {
    # The original page's experiments, as the browser tests run them.
    "stateless_two_kills": "v4.1..r3-kA-kB-r",
    "stateful_session_lost": "v4.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-r",
    "replicated_survives": "v4.1.eyJtb2RlIjoicmVwbGljYXRlZCJ9.r3-kA-r",
    # A vanished server, no redispatch, the detection window and a store fault.
    "vanish_no_redispatch": "v4.7.eyJraWxsX2tpbmQiOiJ2YW5pc2giLCJyZWRpc3BhdGNoIjpmYWxzZX0"
    ".r2-kB-r3-a6000000000-r-sB-a4000000000-r-d-r-u-r",
    # Background traffic, the Chaos Monkey and a kill, in stateful mode.
    "stateful_chaos_traffic": "v4.3.eyJtb2RlIjoic3RhdGVmdWwifQ"
    ".t20-c1-r3-a30000000000-kA-r2-a20000000000-r",
    # The store's Redis process killed without persistence, with traffic: a request during
    # the restart, the restart empty (its replica copies it), requests after.
    "store_crash_no_persistence": "v4.1.eyJzdG9yZV9wZXJzaXN0ZW5jZSI6Im5vbmUifQ"
    ".t5-r3-a2000000000-dc-r-a2000000000-r",
}

# For the Pyodide parity test: traffic, chaos, kills of both kinds, store faults, replication.
PARITY = (
    "v4.11.eyJtb2RlIjoicmVwbGljYXRlZCJ9"
    ".t40-c1-r3-a15000000000-kAv-r2-a7000000000-n-r-d-l2.5-a20000000000-u-kB-r3"
    "-a30000000000-x-r"
)

# The lessons' actions under Pyodide too: two tabs (read-modify-write and atomic), a rolling
# deploy with traffic, a kill during it, store failovers with and without WAIT, in replicated
# and stateless modes.
PARITY_LESSONS = (
    "v2.5.eyJtb2RlIjoicmVwbGljYXRlZCJ9.t30-r-rr-p-a40000000000-kCv-a80000000000-rr",
    "v2.6..r-rr-t50-p-a50000000000-rr-a60000000000-r-f-a40000000000-u-rr",
    "v2.8.eyJzdG9yZV93YWl0Ijp0cnVlfQ.t40-r3-a2000000000-f-a36000000000-r-u-a31000000000-r",
    # WAIT's time-out after a failover, and the store's Redis process killed (v3).
    "v3.9.eyJzdG9yZV93YWl0Ijp0cnVlfQ.t40-r3-f-a36000000000-r2-dc-r-a2000000000-u-r",
)
