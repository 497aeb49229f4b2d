"""Benchmarks: speed and quality figures printed as measured values, targets and ratios (run as scripts)."""
