"""`python -m xxgk` — the same as the `xxgk` command."""

from .cli import main

main()
