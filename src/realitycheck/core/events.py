"""Progress and warnings from library code, without printing: the CLI decides how to show them."""

from __future__ import annotations

from types import TracebackType


class Task:
    """A unit of long work; `advance` as it progresses. The base class ignores everything."""

    def advance(self, steps: int = 1) -> None:
        """Record that `steps` more items are done."""

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        """Change the expected total or the description."""

    def __enter__(self) -> Task:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Mark the task finished."""


class Events:
    """Receives progress and messages. The base class drops them; the CLI renders them."""

    def task(self, description: str, total: int | None = None) -> Task:
        """Start a unit of long work."""
        return Task()

    def warning(self, message: str) -> None:
        """Something the user should know, that does not stop the work."""

    def info(self, message: str) -> None:
        """A step of the work, for verbose output."""


class RecordingEvents(Events):
    """Keeps warnings and messages in lists (for tests and for the report)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.messages: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def info(self, message: str) -> None:
        self.messages.append(message)
