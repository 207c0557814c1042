"""Benchmarks (`make bench`): a synthetic province-sized registry and the measurements of issue 7."""
