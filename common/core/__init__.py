"""Use-cases: pure functions over explicit arguments and ports. They never read the environment."""
