"""The words the simulator shares with the lab (`lab/`), declared once: both import them.

The lab runs the same experiment on a real cluster (HAProxy, Redis, servers), records its
runs as bindings that `python -m sim predict` replays, and checks the model's predictions.
"""

MODES = ("stateless", "stateful", "replicated")
LAB_MODES = MODES  # replicated: three Tomcat 10.1 instances with BackupManager (lab/tomcat.py)
KILL_KINDS = ("crash", "vanish")  # SIGKILL (connections refused), or the machine gone
# How the store is killed: its host unreachable, or its Redis process killed (SIGKILL).
STORE_KILL_KINDS = ("unreachable", "crash")
# What a killed Redis restarts with: nothing, its last RDB snapshot (Redis's built-in save
# points), or its append-only file, written before each reply (fsync each second or each write).
STORE_PERSISTENCE = ("none", "rdb", "aof-everysec", "aof-always")
BINDINGS_VERSION = 1  # the format of a lab run's bindings (sim/cli/predict.py)
# How far a predicted detection window may be from the measured one and still agree (s).
DETECTION_TOLERANCE_S = 0.5
