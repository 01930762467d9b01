"""Search: one query language for the CLI and the window, over a matter's FTS5 index.

The API the window uses (all take an open ``Matter``; none needs Qt):

- ``index.search(matter, query, limit=, offset=, rank=, ocr_tolerant=) -> Results`` (exact
  ``total``, ``hits`` in page order with snippets); ``index.count``; ``index.page_ids`` (every
  hit, for bulk actions); ``index.explain`` (how a query was read, fuzzy expansions included).
- ``highlight.hit_boxes(matter, page_id, query, ocr_tolerant=)``: word boxes to paint.
- ``saved``: ``save_search``, ``saved_searches(counts=True)``, ``rename_saved_search``,
  ``delete_saved_search``, ``record_history``, ``history``, ``clear_history``.
- ``report``: ``term_report``, ``parse_terms``/``read_terms``, ``write_report`` (.csv/.xlsx).
- ``query.parse`` raises ``QueryError`` with ``.message`` and ``.position`` for the query box.

The language is described in ``app/search/query.py``.
"""
