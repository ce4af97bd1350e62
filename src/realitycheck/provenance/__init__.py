"""Provenance: which commits and which changed lines a model wrote."""
