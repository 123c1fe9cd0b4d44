"""Koonto benchmarks: every figure is a ratio to the raw primitive measured in the same run."""
