"""Vaughn's entry point: ``python main.py`` is the same as the ``vaughn`` command."""

import sys

from ui.launch import main

if __name__ == "__main__":
    sys.exit(main())
