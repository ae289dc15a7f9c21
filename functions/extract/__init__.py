"""The extract function."""
