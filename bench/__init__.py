"""Benchmarks: each prints its figures and a ratio to a floor measured in the same run."""
