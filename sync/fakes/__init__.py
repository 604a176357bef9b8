"""Stateful fake APIs, served through `responses` callbacks, for tests and benchmarks."""
