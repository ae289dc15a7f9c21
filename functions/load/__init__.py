"""The load function."""
