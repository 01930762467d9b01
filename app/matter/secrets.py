"""Server passwords in the system keyring (Windows Credential Manager, macOS Keychain, the
Secret Service on Linux desktops), never in Vaughn's own files (issue #20).

One entry per login: service ``Vaughn``, account ``user@host:port``. A URL without a password
takes the keyring's when there is one. A machine with no keyring (a bare server, CI) has none:
lookups find nothing and :func:`store` says it could not keep it.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

SERVICE = "Vaughn"


def account(url: str) -> str | None:
    """The keyring account of the login ``url`` names (None without a user)."""
    parts = urlsplit(url)
    if not parts.username or not parts.hostname:
        return None
    return f"{parts.username}@{parts.hostname}:{parts.port or 5432}"


def lookup(url: str) -> str | None:
    """The password the keyring holds for ``url``'s login, if any."""
    name = account(url)
    if name is None:
        return None
    try:
        import keyring

        return keyring.get_password(SERVICE, name)
    except Exception:  # no keyring on this machine, or it is locked: nothing to use
        return None


def store(url: str, password: str) -> bool:
    """Keep ``password`` for ``url``'s login in the keyring; False when there is none."""
    name = account(url)
    if name is None or not password:
        return False
    try:
        import keyring

        keyring.set_password(SERVICE, name, password)
    except Exception:  # keyring.errors.NoKeyringError and kin: this machine has no keyring
        return False
    return True


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it (kept in memory only)."""
    parts = urlsplit(url)
    netloc = f"{quote(parts.username or '', safe='')}:{quote(password, safe='')}@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def filled(url: str) -> str:
    """``url``, with the keyring's password when it has none of its own."""
    if urlsplit(url).password:
        return url
    password = lookup(url)
    return with_password(url, password) if password else url
