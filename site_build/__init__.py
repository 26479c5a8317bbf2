"""The build's parts, one job per module; `build.py` runs them in order (see its `build()`)."""
