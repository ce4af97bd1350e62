"""Benchmarks: each `bench_*.py` module measures one capability against a reference."""
