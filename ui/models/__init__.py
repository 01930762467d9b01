"""Item models holding ids plus a row cache (no QTableWidget for 20,000 pages)."""
