"""The example repository's history: a human commit, then a coding agent's commit."""

from __future__ import annotations

from realitycheck.demo.repo import RepoBuilder
from realitycheck.demo.story import AGENT_MESSAGE, AGENT_TRAILERS, EXAMPLE, HUMAN, DemoContext


def human_commit(ctx: DemoContext) -> None:
    """The maintainer's commit: the service as it runs in production today."""
    ctx.repo = RepoBuilder(ctx.workdir)
    ctx.repo.copy_tree(EXAMPLE / "base")
    ctx.base = ctx.repo.commit(
        "docsvc 1.4: text extraction, webhooks and the documents API", author=HUMAN, committer=HUMAN
    )
    ctx.say(f"human commit {ctx.base[:10]}: the service as it runs today")


def agent_commit(ctx: DemoContext) -> None:
    """A coding agent's commit, with the trailer Claude Code writes."""
    assert ctx.repo is not None
    ctx.repo.git("checkout", "-q", "-b", "fast-path")
    ctx.repo.copy_tree(EXAMPLE / "head")
    ctx.head = ctx.repo.commit(
        AGENT_MESSAGE, author=HUMAN, committer=HUMAN, extra_trailers=AGENT_TRAILERS
    )
    ctx.say(f"agent commit {ctx.head[:10]}: Claude Code's fast path, on branch fast-path")
