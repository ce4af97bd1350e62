"""pipeline/stages package."""
