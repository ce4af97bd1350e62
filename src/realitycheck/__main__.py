"""`python -m realitycheck`."""

from realitycheck.cli.main import main

main()
