"""Adapters: local and cloud implementations of the ports in common.ports."""
