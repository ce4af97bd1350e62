"""Where teams already work: the pull request, the commit hook, the test run.

`github.py` keeps one sticky pull-request comment and the job summary; `precommit.py` holds the
fast checks the pre-commit hooks run; `recorded.py` turns recorded samples into test cases and
checks the current code against recorded outputs; `pytest_plugin.py` is the pytest plugin
(`pytest11` entry point) over it. Like the CLI, this package is a front end: it sits above the
pipeline and the capabilities, and nothing below imports it.
"""
