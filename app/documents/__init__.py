"""Records inside a production file (unitization): boundaries, their reasons, record metadata.

``signals`` reads what a page shows (headers, footers, slip sheets, layout), ``boundaries``
decides where records start and why, ``metadata`` gives each record its type, date, title and
correspondents, ``units`` writes records to the matter keeping document ids and the reviewer's
decisions, ``edit`` is the reviewer's split and merge (one audited, undoable transaction each).
"""
