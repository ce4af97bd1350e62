"""A judge whose verdicts follow a script, for testing the service's contract and persistence.

The script is read from the state the service carries: poll n answers `script[n]` (the last entry
repeats). Because the poll number lives in the carried state, a service that lost its state
would start the script over, and one that changed a decision would answer differently.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from realitycheck.serve.model import JudgeError, Outcome, Subject


class Scripted:
    """verdicts[i] answers the i-th poll of every analysis; "error" raises a JudgeError."""

    def __init__(self, verdicts: list[str]) -> None:
        self.verdicts = verdicts
        self.calls = 0

    def __call__(
        self, subject: Subject, started: datetime, now: datetime, state: dict[str, Any] | None
    ) -> Outcome:
        self.calls += 1
        polls = (state or {}).get("polls", 0)
        verdict = self.verdicts[min(polls, len(self.verdicts) - 1)]
        if verdict == "error":
            raise JudgeError("Prometheus did not answer")
        return Outcome(
            verdict=verdict,  # type: ignore[arg-type]
            reason=f"poll {polls + 1}: {verdict}",
            state={"polls": polls + 1},
        )


def main() -> None:  # pragma: no cover - run as a subprocess by the kill -9 test
    """python -m tests.deploy.scripted STATE PORT VERDICT,VERDICT,..."""
    import uvicorn

    from realitycheck.serve import Settings, create_app

    state, port, script = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
    app = create_app(Settings(state_path=state), Scripted(script))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
