"""Local stand-ins for the cloud: embedded PostgreSQL and friends."""
