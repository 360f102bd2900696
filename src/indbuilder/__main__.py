"""``python -m indbuilder``: the same command line as the ``indbuilder`` script."""

from .cli import main

if __name__ == "__main__":
    main()
