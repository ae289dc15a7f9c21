"""Benchmarks: scripts that print figures. Not tests; not run by `make test`."""
