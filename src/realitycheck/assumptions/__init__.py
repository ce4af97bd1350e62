"""Assumptions: the ledger an AI change carries, what mining finds, checks against the corpus."""
