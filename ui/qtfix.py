"""Work around PySide6 6.12's lost references to None, True and False on CPython < 3.12.

Measured here (PySide6-Essentials 6.12, CPython 3.11): every ``Signal.emit()`` from Python
drops one reference to ``True``, every ``QTimer.singleShot`` and every slot call drops one to
``None``, ``QComboBox.addItem(text)`` and ``itemData`` of an empty item drop one to ``None``.
On 3.12+ these objects are immortal and nothing happens; on 3.11 their counts run down with use
and the process aborts ("Fatal Python error: bool_dealloc / none_dealloc") after a few thousand
signals, at exit or mid-session. Until PySide6 is fixed, :func:`pin_singletons` gives the three
objects a reference count no session can exhaust, which is what 3.12 does for them anyway.
"""

from __future__ import annotations

import sys

_PINNED = False
_PIN = 1 << 40


def pin_singletons() -> None:
    """Make None, True and False effectively immortal (once; no-op on CPython 3.12+)."""
    global _PINNED
    if _PINNED or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _PIN
    _PINNED = True


pin_singletons()
