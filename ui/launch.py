"""The program's front door: a subcommand goes to the CLI, anything else opens the window.

``vaughn`` (the console script) and ``python main.py`` both land here. Qt is imported only
when a window is wanted, so CLI commands start fast and run where no display exists.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.cli import COMMANDS
from app.cli import main as cli_main


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the CLI or the review window."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in COMMANDS or args[0] in ("-h", "--help", "--version")):
        return cli_main(args)
    if args == ["--sample"]:  # `make run`: make the sample matter, then open it
        return open_sample()
    return open_window(args)


def open_sample() -> int:
    """Make (once) and ingest the sample matter, then open the window on it if we can."""
    from app import sample

    matter_path, _ = sample.make_sample_matter()
    sample.describe(matter_path)
    if not sample.has_display():
        print(sample.no_display_hint(matter_path))
        return 0
    return open_window([str(matter_path)])


def open_window(args: list[str]) -> int:
    """Open the review window (on a matter when one is given)."""
    try:
        from ui.app import run_window
    except ImportError as exc:
        print(f"vaughn: the review window cannot start here ({exc}); "
              "use a command instead (vaughn --help)", file=sys.stderr)
        return 1
    return run_window(args)
