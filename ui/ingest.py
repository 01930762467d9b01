"""Ingest from the window: a dropped or chosen PDF, folder or volume goes into the open matter
in a child process (``app.session.IngestProcess``) while the window stays live; encrypted
files are asked about one at a time afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QProgressDialog

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.controller import Controller

if TYPE_CHECKING:
    from app.session import Event
    from ui.window import MainWindow

ENCRYPTED = "encrypted: a password is needed"


class Ingester(Controller):
    """One ingest at a time, with a progress dialog that can cancel it."""

    ingestDone = Signal(object)  # the IngestReport, or the Cancelled / IngestError it ended in
    passwordsDone = Signal()  # every encrypted file of an ingest re-ingested or skipped

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.ingest_dialog: QProgressDialog | None = None
        self._locked: list[tuple[str, str | None]] = []  # encrypted files still to ask about
        self._run: tuple[list[str], str | None, str | None] = ([], None, None)

    @property
    def ingesting(self) -> bool:
        """Whether an ingest is running (the window's job runner has one)."""
        return self.w.jobs.running("ingest") is not None

    def start_ingest(self, paths: list[str], production: str | None = None,
                     password: str | None = None) -> None:
        """Ingest files/folders in a child process with a progress dialog; the window stays live.

        The child writes to the matter file through its own connection (one transaction per
        file); the window's worker keeps serving pages meanwhile and reloads the tree after.
        """
        w = self.w
        if w.worker is None or w.matter_path is None:
            return
        if self.ingesting:
            self.say("An ingest is already running: wait for it, or cancel it first", 5000)
            return
        if not self.writable("nothing can be ingested"):
            return
        from app.session import IngestProcess

        job = IngestProcess(str(w.matter_path), [str(p) for p in paths], production, password)
        dialog = QProgressDialog("Starting the ingest…", "Cancel", 0, 0, w)
        dialog.setWindowTitle("Ingest")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(job.cancel)
        self.ingest_dialog = dialog
        self._run = (list(paths), production, password)
        w.jobs.start(job, self._event)

    def _event(self, event: Event) -> None:
        from app.session import Finished, Progress

        dialog = self.ingest_dialog
        paths, production, password = self._run
        if isinstance(event, Progress) and dialog is not None:
            if event.total:
                dialog.setMaximum(event.total)
                dialog.setValue(event.done)
            dialog.setLabelText(f"Ingesting {event.what}…" if event.what else "Finishing…")
        elif isinstance(event, Finished) and event.outcome == "done":
            self._reported(event.result, production, password)
        elif isinstance(event, Finished):
            from app.errors import Cancelled, IngestError

            result = Cancelled(event.message) if event.outcome == "cancelled" else IngestError(
                ", ".join(paths), event.message)
            self._finish(result, f"Ingest stopped: {event.message}")

    def _reported(self, report: Any, production: str | None, password: str | None) -> None:
        failed = report.by_status("failed")
        locked = [o for o in failed if ENCRYPTED in o.reason]
        if password is not None and locked:
            message = f"The password for {Path(locked[0].path).name} is wrong"
        else:
            message = f"Ingested {report.pages_added} pages" + (
                f"; {len(failed)} files failed" if failed else "")
        again = [(o.path, production) for o in locked]
        if password is not None:  # the same file again, before any other
            self._locked[0:0] = again
        else:
            self._locked.extend(again)
        self._finish(report, message, wrong=password is not None and bool(locked))

    def _finish(self, result: Any, message: str, wrong: bool = False) -> None:
        w = self.w
        if self.ingest_dialog is not None:
            self.ingest_dialog.reset()
            self.ingest_dialog.close()
        self.say(message, 10000)
        w.reload_tree(first=w.page_id is None)
        w.searching.refresh_saved()
        self.ingestDone.emit(result)
        if self._locked:  # ask outside this poll, once the dialog has gone
            QTimer.singleShot(0, lambda: self._ask_password(wrong))
        elif self._run[2] is not None:
            self.passwordsDone.emit()

    def _ask_password(self, wrong: bool = False) -> None:
        """Ask for the password of the next encrypted file and re-ingest just that file.

        A wrong password says so and asks again; Cancel skips the file.
        """
        while self._locked and not self.ingesting:
            path, production = self._locked[0]
            name = Path(path).name
            prompt = (f"The password for {name} is wrong. Try again, or Cancel to skip "
                      f"this file:" if wrong else
                      f"{name} is encrypted. Its password (Cancel skips this file):")
            password, ok = QInputDialog.getText(self.w, "Encrypted PDF", prompt,
                                                QLineEdit.EchoMode.Password)
            self._locked.pop(0)
            if not ok or not password:
                self.say(f"Skipped {name} (encrypted)", 8000)
                wrong = False
                continue
            self.start_ingest([path], production, password=password)
            return
        if not self._locked and not self.ingesting:
            self.passwordsDone.emit()

    def ask_ingest(self) -> None:
        """File ▸ Ingest: choose a production folder or volume (a new matter first if none)."""
        if self.w.worker is None:
            self.w.opener.ask_new()
        folder = QFileDialog.getExistingDirectory(self.w, "Ingest a production folder or volume")
        if folder:
            self.start_ingest([folder])

    def cancel(self) -> None:
        """Stop the ingest at its next page (files already committed stay)."""
        self.w.jobs.cancel("ingest")
