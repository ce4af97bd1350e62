"""Checks of assumptions against the corpus: compiled to DuckDB, probes in worker processes."""
