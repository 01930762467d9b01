"""The agency's Vaughn index: read a table, map its columns, import it, and what it says about
the pages under review (its entries and the findings of reconciling it with the stamps)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn
from app.session.types import PageId
from app.vaughn_index import findings as fmod
from app.vaughn_index.columns import guess_columns
from app.vaughn_index.imports import (
    ImportResult,
    current_index_ids,
    entry_rows,
    import_index,
    indexes,
    production_names,
    version_changes,
)
from app.vaughn_index.parse import Table, read_table
from app.vaughn_index.reconcile import ensure_current


def read_index_table(path: Path, *, progress: ProgressFn | None = None,
                     cancel: CancelToken | None = None) -> tuple[Table, dict[str, int]]:
    """An index file's table (CSV, XLSX, DOCX or PDF) and a first guess at its columns."""
    table = read_table(path, progress=progress, cancel=cancel)
    return table, guess_columns(table.headers)


class VaughnIndex:
    """The Vaughn index versions of one matter and their findings."""

    def __init__(self, matter: Matter) -> None:
        self._matter = matter

    def productions(self) -> list[str]:
        """Production names an index may be tied to, in tranche order."""
        return production_names(self._matter)

    def import_table(self, path: str | Path, table: Table, *, production: str | None,
                     mapping: dict[str, int] | None, reviewer: str) -> ImportResult:
        """Import an index already read (a new version when this file was imported before)
        and reconcile it with the stamps; one transaction."""
        return import_index(self._matter, path, production=production, mapping=mapping,
                            reviewer=reviewer, table=table)

    def refresh(self) -> bool:
        """Recompute the findings when the matter changed since they were made; whether it
        did."""
        return ensure_current(self._matter)

    def page_entries(self, page: PageId) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                  bool]:
        """The entries naming a page, the findings on it, and whether any index is imported."""
        if not current_index_ids(self._matter):
            return [], [], False
        return (fmod.entries_for_page(self._matter, page),
                fmod.page_findings(self._matter, page), True)

    def overview(self) -> dict[str, Any]:
        """What the index view shows: a caption naming each current version (and what changed
        since the one before), its entries and every finding."""
        found = fmod.findings(self._matter)
        parts = []
        for v in (v for v in indexes(self._matter) if v["current"]):
            text = (f"{v['file_name']} (version {v['version']}, "
                    f"{v['production'] or 'every production'}): {v['entries']} entries, "
                    f"{v['findings']} findings")
            c = version_changes(self._matter, v["id"])
            if c["previous_index_id"]:
                text += (f"; since version {v['version'] - 1}: {len(c['added'])} added, "
                         f"{len(c['removed'])} removed, {len(c['changed'])} changed")
            parts.append(text)
        return {"caption": "; ".join(parts) or "No index imported",
                "entries": entry_rows(self._matter, current_index_ids(self._matter)),
                "findings": found}
