"""The command line: run, compare, compare --lesson, predict."""
