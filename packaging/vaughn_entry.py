"""Entry point of the packaged (PyInstaller) build: the same as ``python main.py``.

``freeze_support`` must run first: ingest and OCR start worker processes with the "spawn"
method, and in a frozen build each worker is this same executable, told by its command line
to run the worker instead of the program.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from ui.launch import main

    sys.exit(main())
