"""Vaughn's domain core: matter store, ingest, redaction analysis, search, review, exports.

Nothing in this package imports Qt; the GUI in ``ui/`` is a thin layer over it.
"""

__version__ = "0.1.0"
