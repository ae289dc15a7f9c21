"""MiniMeter's product code: models, ports, core use-cases and adapters shared by every function."""
