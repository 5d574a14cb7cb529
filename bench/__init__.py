"""Benchmarks that print their figures (not timed tests: these machines are shared and noisy)."""
