"""Progress bars and warnings on standard error, drawn with rich."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from realitycheck.core.events import Events, Task

stderr = Console(stderr=True, highlight=False, emoji=False, markup=False)  # user data: no markup


class _RichTask(Task):
    def __init__(self, progress: Progress, task: TaskID) -> None:
        self.progress = progress
        self.task_id = task

    def advance(self, steps: int = 1) -> None:
        self.progress.advance(self.task_id, steps)

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        self.progress.update(self.task_id, total=total, description=description)

    def close(self) -> None:
        self.progress.remove_task(self.task_id)
        if not self.progress.task_ids:
            self.progress.stop()


class ConsoleEvents(Events):
    """Shows progress bars when standard error is a terminal, and warnings always."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.verbose = verbose
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )

    def task(self, description: str, total: int | None = None) -> Task:
        if not stderr.is_terminal:
            return Task()
        if not self.progress.live.is_started:
            self.progress.start()
        return _RichTask(self.progress, self.progress.add_task(description, total=total))

    def warning(self, message: str) -> None:
        stderr.print(Text.assemble(("warning:", "yellow"), " ", message), soft_wrap=True)

    def info(self, message: str) -> None:
        if self.verbose:
            stderr.print(message, markup=False)
