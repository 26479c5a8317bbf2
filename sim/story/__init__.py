"""Everything said about a run: console lines, traces, status words and the lessons."""
