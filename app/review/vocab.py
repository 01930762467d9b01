"""The review vocabulary's old name: it lives in :mod:`app.vocabulary` (the domain layer, below
review and search). The window still imports it from here; new code imports app.vocabulary."""

from app.vocabulary import *  # noqa: F403
