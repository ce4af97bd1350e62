"""The demo's steps, one module per capability."""
