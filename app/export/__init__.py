"""Exports for the brief: exhibit list, challenge table, redaction log, exhibit PDF, summary,
Vaughn index findings.

:func:`export` is the one entry point the CLI and the window's Export dialog call: the kind,
the output path (its extension picks the format, see :data:`FORMATS`), a progress callback and
a CancelToken. Every file is written under a temporary name in the destination folder and moved
into place when complete; a cancel (``Cancelled``) or an error leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.export.writers import ExportError, export_format
from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn

KINDS = ("exhibits", "challenges", "redaction-log", "exhibit-pdf", "summary", "index-findings")
FORMATS: dict[str, tuple[str, ...]] = {
    "exhibits": ("xlsx", "csv", "docx", "pdf"),
    "challenges": ("xlsx", "csv", "docx"),
    "redaction-log": ("xlsx", "csv"),
    "exhibit-pdf": ("pdf",),
    "summary": ("pdf",),
    "index-findings": ("xlsx", "docx", "csv"),
}


def resolve_kind(text: str) -> str:
    """The export kind ``text`` names (an unambiguous prefix is enough, ``_`` = ``-``)."""
    wanted = text.strip().lower().replace("_", "-")
    if wanted in KINDS:
        return wanted
    found = [k for k in KINDS if k.startswith(wanted)] if wanted else []
    if len(found) == 1:
        return found[0]
    raise ExportError(f"{text!r} is {'ambiguous' if found else 'not an export'}; "
                      f"choose one of: {', '.join(KINDS)}")


def export(matter: Matter, kind: str, out: str | Path, *, progress: ProgressFn | None = None,
           cancel: CancelToken | None = None, **options: Any) -> Path:
    """Write export ``kind`` to ``out``; returns the final path.

    Options: ``as_produced`` and ``mark`` (exhibit-pdf), ``statuses`` (challenges).
    Raises ExportError for an unknown kind or a format the kind does not offer, and
    Cancelled when ``cancel`` is set while it runs.
    """
    kind = resolve_kind(kind)
    fmt = export_format(out)
    if fmt not in FORMATS[kind]:
        raise ExportError(f"{Path(out).name}: {kind} exports as "
                          f"{', '.join('.' + f for f in FORMATS[kind])}")
    if kind == "exhibits":
        from app.export.exhibits import export_exhibits as fn
    elif kind == "challenges":
        from app.export.challenges import export_challenges as fn
    elif kind == "redaction-log":
        from app.export.redaction_log import export_redaction_log as fn
    elif kind == "exhibit-pdf":
        from app.export.exhibit_pdf import export_exhibit_pdf as fn
    elif kind == "index-findings":
        from app.export.index_findings import export_index_findings as fn
    else:
        from app.export.summary import export_summary as fn
    try:
        return fn(matter, out, progress=progress, cancel=cancel, **options)
    except OSError as exc:  # unwritable folder, disk full: a plain message, not a traceback
        raise ExportError(f"{out}: cannot be written ({exc.strerror or exc})") from exc


__all__ = ["FORMATS", "KINDS", "ExportError", "export", "resolve_kind"]
