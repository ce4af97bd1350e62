"""realitycheck's pytest plugin, registered under the `pytest11` entry point.

A top-level module of its own, not a module inside the `realitycheck` package: pytest rewrites
the assertions of the whole package that holds an entry-point plugin, and it should not rewrite
realitycheck itself in every test session of a project that has it installed. The plugin is
`realitycheck.integrations.pytest_plugin`; this module only hands pytest its hooks and fixture.
"""

from realitycheck.integrations.pytest_plugin import (
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_generate_tests,
    sample,
)

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_generate_tests",
    "sample",
]
