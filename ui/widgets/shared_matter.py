"""File ▸ Open shared matter…: where a team's matter lives on a PostgreSQL server.

Host, port, database and user are remembered (they are not secret); the password is held
only in the connection URL handed to the worker, never written to Vaughn's files, logged or
shown, unless the reviewer asks to keep it in the system keyring (app/matter/secrets.py).
Left empty, the keyring's is used, else libpq's own ``PGPASSWORD`` or ``~/.pgpass``. TLS
whenever the server offers it (``sslmode=prefer``).
"""

from __future__ import annotations

from urllib.parse import quote

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui import settings as prefs


class SharedMatterDialog(QDialog):
    """Asks for a server connection; :meth:`url` is the matter's ``postgresql://`` URL."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open shared matter")
        form = QFormLayout(self)
        form.addRow(QLabel("A matter your team reviews together, on a PostgreSQL server."))
        last = prefs.settings()
        self.host = QLineEdit(str(last.value("shared/host", "localhost")))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(str(last.value("shared/port", 5432))))
        self.database = QLineEdit(str(last.value("shared/database", "")))
        self.user = QLineEdit(str(last.value("shared/user", prefs.reviewer() or "")))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: the keyring's, PGPASSWORD or ~/.pgpass")
        self.keep = QCheckBox("Keep it in this computer's keyring")
        self.kept: bool | None = None  # after Open: whether the keyring took it
        for label, widget in (("Server", self.host), ("Port", self.port),
                              ("Database", self.database), ("User", self.user),
                              ("Password", self.password)):
            form.addRow(label, widget)
        form.addRow("", self.keep)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept(self) -> None:
        if not self.host.text().strip() or not self.database.text().strip():
            return
        s = prefs.settings()
        s.setValue("shared/host", self.host.text().strip())
        s.setValue("shared/port", self.port.value())
        s.setValue("shared/database", self.database.text().strip())
        s.setValue("shared/user", self.user.text().strip())
        if self.keep.isChecked() and self.password.text():
            from app.session import remember_password

            self.kept = remember_password(self.url(), self.password.text())
        self.accept()

    def url(self) -> str:
        """The connection URL, with the password in it when one was typed (keep it in memory
        only)."""
        user = quote(self.user.text().strip(), safe="")
        password = self.password.text()
        auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
        host = self.host.text().strip()
        database = quote(self.database.text().strip(), safe="")
        return f"postgresql://{auth}{host}:{self.port.value()}/{database}"
