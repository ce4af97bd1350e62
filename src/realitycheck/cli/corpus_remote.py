"""`realitycheck corpus push|pull|compact|prune`: a corpus on object storage (corpus/remote/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console

from realitycheck.cli.options import Common, common_options, text_json_option
from realitycheck.cli.output import emit_json
from realitycheck.core.errors import CorpusError, NotARepositoryError
from realitycheck.core.git import Git

GRACE_HELP = (
    "How long replaced segments stay readable for readers that listed them before they are "
    "deleted (e.g. 15m; 0 deletes at once)."
)


def _root(common: Common) -> Path:
    try:
        return Git(common.repo).root
    except NotARepositoryError:
        return common.repo.resolve()


def remote_location(common: Common) -> tuple[Path, Path]:
    """(the corpus location, as --corpus or the config names it; the project root)."""
    root = _root(common)
    config = common.load_config()
    return common.corpus_dir(config, root), root


def open_remote(location: Path, *, create: bool = False) -> Any:
    """The remote corpus at a URL; a local folder is addressed as file:// (same layout)."""
    from realitycheck.corpus.remote.corpus import RemoteCorpus
    from realitycheck.corpus.remote.url import is_remote

    if is_remote(location):
        return RemoteCorpus(location, create=create)
    folder = location.resolve()
    if not create and not (folder / "segments").is_dir():
        raise CorpusError("no corpus here", path=folder, hint="pass --corpus URL or DIR")
    return RemoteCorpus(f"file://{folder}", create=create)


def _span(text: str | None, option: str) -> Any:
    from realitycheck.corpus.remote.prune import parse_span

    return None if text is None else parse_span(text, option)


def _grace(text: str) -> float:
    return 0.0 if text.strip() in ("0", "0s") else float(_span(text, "--grace").total_seconds())


@click.command()
@common_options
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path),
    default=None,
    help="The local corpus folder to upload (default: [corpus] dir, else .realitycheck/corpus).",
)
@text_json_option
def push(common: Common, source: Path | None, fmt: str) -> int:
    """Upload a local corpus to the remote one (--corpus URL), all segments in one commit."""
    from realitycheck.corpus.remote.ship import push as push_folder
    from realitycheck.corpus.remote.url import is_remote

    location, root = remote_location(common)
    if not is_remote(location):
        raise click.BadParameter("push needs a remote corpus: --corpus s3://bucket/prefix")
    config = common.load_config()
    folder = source or (root / (config.corpus.dir or ".realitycheck/corpus"))
    if not (folder / "segments").is_dir():
        raise CorpusError("no local corpus to push", path=folder, hint="pass --from DIR")
    corpus = open_remote(location, create=True)
    result = push_folder(folder, corpus.store)
    data = {"corpus": corpus.url, "from": str(folder), **result.__dict__}
    if fmt == "json":
        emit_json(data)
    else:
        Console(highlight=False).print(
            f"pushed {result.segments} segments ({result.samples:,} samples, {result.bytes:,} "
            f"bytes, {result.blobs} blobs) to {corpus.url}; {result.skipped} already there",
            markup=False,
        )
    return 0


@click.command()
@common_options
@click.option(
    "--to",
    "to",
    type=click.Path(path_type=Path),
    default=None,
    help="The local cache folder (default: .realitycheck/cache); read it with --corpus DIR.",
)
@click.option("--target", default=None, help="Only segments holding samples of this target.")
@click.option("--since", default=None, help="Only segments holding samples this recent (7d).")
@text_json_option
def pull(common: Common, to: Path | None, target: str | None, since: str | None, fmt: str) -> int:
    """Download what is new in the remote corpus into a local cache (keyed by segment name)."""
    from realitycheck.corpus.remote.pull import pull as pull_cache
    from realitycheck.corpus.remote.url import is_remote

    location, root = remote_location(common)
    if not is_remote(location):
        raise click.BadParameter("pull needs a remote corpus: --corpus s3://bucket/prefix")
    span = _span(since, "--since")
    corpus = open_remote(location)
    folder = to or root / ".realitycheck" / "cache"
    result = pull_cache(corpus, folder, target=target, since=span)
    data = {"corpus": corpus.url, "to": str(folder), **result.__dict__}
    if fmt == "json":
        emit_json(data)
    else:
        Console(highlight=False).print(
            f"pulled {len(result.downloaded)} new segments ({result.bytes:,} bytes, "
            f"{result.blobs} blobs) into {folder} in {result.seconds:.1f}s; {result.cached} "
            f"cached, {len(result.removed)} removed (compacted or pruned), {result.skipped} "
            "outside --target/--since",
            markup=False,
        )
    return 0


@click.command()
@common_options
@click.option("--grace", default="15m", show_default=True, help=GRACE_HELP)
@click.option("--dry-run", is_flag=True, help="Only say which segments would be merged.")
@text_json_option
def compact(common: Common, grace: str, dry_run: bool, fmt: str) -> int:
    """Merge small segments into larger ones, atomically (readers see the old set or the new)."""
    from realitycheck.corpus.remote.compact import compact as compact_store

    location, _ = remote_location(common)
    corpus = open_remote(location)
    result = compact_store(corpus.store, grace=_grace(grace), dry_run=dry_run)
    data = {"corpus": corpus.url, "dry_run": dry_run, **result.__dict__}
    if fmt == "json":
        emit_json(data)
        return 0
    merged = sum(len(g) for g in result.groups)
    verb = "would merge" if dry_run else "merged"
    Console(highlight=False).print(
        f"{verb} {merged} segments into {len(result.groups)}"
        + ("" if dry_run else f" ({result.samples:,} samples); deleted {len(result.deleted)}")
        + (f"; {result.rejected} lost a race with another compactor" if result.rejected else ""),
        markup=False,
    )
    return 0


@click.command()
@common_options
@click.option(
    "--older-than", default=None, help="Remove segments whose samples are all older (30d)."
)
@click.option(
    "--keep-per-target",
    type=click.IntRange(min=0),
    default=None,
    help="Keep the newest N samples of each target; remove segments holding only older ones.",
)
@click.option("--grace", default="15m", show_default=True, help=GRACE_HELP)
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@text_json_option
def prune(
    common: Common,
    older_than: str | None,
    keep_per_target: int | None,
    grace: str,
    dry_run: bool,
    fmt: str,
) -> int:
    """Apply retention to whole segments, in one step for readers."""
    from realitycheck.corpus.remote.prune import prune as prune_store

    if older_than is None and keep_per_target is None:
        raise click.UsageError("say what to prune: --older-than SPAN or --keep-per-target N")
    span = _span(older_than, "--older-than")
    location, _ = remote_location(common)
    corpus = open_remote(location)
    result = prune_store(
        corpus,
        older_than=span,
        keep_per_target=keep_per_target,
        dry_run=dry_run,
        grace=_grace(grace),
    )
    data = {"corpus": corpus.url, "dry_run": dry_run, **result.__dict__}
    if fmt == "json":
        emit_json(data)
        return 0
    verb = "would remove" if dry_run else "removed"
    Console(highlight=False).print(
        f"{verb} {len(result.segments)} segments ({result.samples:,} samples); kept "
        f"{result.kept_segments}",
        markup=False,
    )
    return 0


COMMANDS = [push, pull, compact, prune]


class RemoteImport:
    """`corpus import --corpus URL`: import into a local temporary corpus, then push it whole."""

    def __init__(self, location: Path, root: Path) -> None:
        import tempfile

        self.corpus = open_remote(location, create=True)  # a bad URL fails before any work
        self._tmp = tempfile.TemporaryDirectory(prefix="realitycheck-import-")
        self.folder = Path(self._tmp.name) / "corpus"
        self.key_beside = root / ".realitycheck" / "corpus"  # the key stays local, as always

    def push(self) -> None:
        """Upload what was imported (one commit), then drop the temporary folder."""
        from realitycheck.corpus.remote.ship import push as push_folder

        try:
            if (self.folder / "segments").is_dir():
                push_folder(self.folder, self.corpus.store)
        finally:
            self._tmp.cleanup()


def remote_import(location: Path, root: Path) -> RemoteImport | None:
    """A RemoteImport when the corpus is a URL, else None."""
    from realitycheck.corpus.remote.url import is_remote

    return RemoteImport(location, root) if is_remote(location) else None
