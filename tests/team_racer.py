"""One racing reviewer for tests/test_team.py: the same new tags, the same redactions and the
same challenges as every other racer, as fast as it can. Prints one JSON line."""

from __future__ import annotations

import json
import sys
import time

from app.matter.store import Matter
from app.review import ops


def main(url: str, who: str, start_at: float, rounds: int) -> None:
    errors: list[str] = []
    with Matter.open(url) as m:
        pages = [r[0] for r in m.conn.execute("SELECT id FROM pages ORDER BY id")]
        reds = [r[0] for r in m.conn.execute("SELECT id FROM redactions ORDER BY id LIMIT 8")]
        while time.time() < start_at:  # every racer starts together
            time.sleep(0.001)
        for n in range(rounds):
            try:
                ops.add_tag(m, who, f"race-{n}", [("page", pages[n % len(pages)])])
                ops.toggle_redaction_exemption(m, who, reds, "(b)(5)")
                ops.set_review(m, who, [("redaction", r) for r in reds[:4]],
                               status="accept" if n % 2 else "challenge")
            except Exception as exc:  # anything a reviewer would see as an error
                errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"who": who, "errors": errors}))


if __name__ == "__main__":  # app/ is importable: the project is installed in the venv
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
