"""Interval-data semantics shared by every source: instants and zones, units, coverage, tables, reconciliation."""
