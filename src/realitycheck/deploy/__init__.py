"""Deploy treatment: the risk tier of a change."""
