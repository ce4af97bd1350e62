"""Boundaries: places a model may not change without a human owner."""
