"""`python -m xxgk.cli`."""

from . import main

main()
