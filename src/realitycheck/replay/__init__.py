"""Differential replay of the corpus through the base and the head revision."""
