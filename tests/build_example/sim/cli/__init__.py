"""The example's command line: never in the browser's archive."""
