"""`realitycheck corpus`: import recordings, and look at what the corpus holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from realitycheck.cli.corpus_remote import remote_import
from realitycheck.cli.options import Common, common_options, text_json_option
from realitycheck.cli.output import emit_json, plain_console
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.core.config import Config
from realitycheck.core.errors import CorpusError, NotARepositoryError
from realitycheck.core.git import Git

IMPORT_FORMATS = ["har", "vcr", "gor", "keploy", "jsonl", "files"]


def _root(common: Common) -> Path:
    try:
        return Git(common.repo).root
    except NotARepositoryError:
        return common.repo.resolve()


def _setup(common: Common) -> tuple[Config, Path, Path]:
    root = _root(common)
    config = common.load_config()
    return config, root, common.corpus_dir(config, root)


def _open(folder: Path) -> Any:
    from realitycheck.corpus.remote.url import is_remote
    from realitycheck.corpus.store import Corpus

    if is_remote(folder):
        return Corpus(folder)
    if not (folder / "corpus.json").exists() and not (folder / "segments").is_dir():
        raise CorpusError(
            "no corpus here", path=folder, hint="record or import samples first, or pass --corpus"
        )
    store = Corpus(folder)
    store.segment_paths()  # checks every segment once: a bad one is named here, in one line
    events = ConsoleEvents()
    for problem in store.problems:
        events.warning(problem)
    return store


@click.group()
def corpus() -> None:
    """Import recorded traffic and calls, and look at the corpus."""


@corpus.command("import")
@common_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    required=True,
    help="What the files are: HAR, VCR.py cassettes, GoReplay .gor, Keploy YAML, JSONL "
    "samples, or plain files (one sample per file).",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--target",
    default=None,
    help="Target of every imported sample (required for --format files, e.g. "
    "fn:docsvc.extract:extract_text; JSONL lines without a target need it).",
)
@click.option(
    "--arg",
    default="data",
    show_default=True,
    help="--format files: the parameter the file's bytes are passed as.",
)
@click.option("--dedup", is_flag=True, help="Skip entries whose input is already recorded.")
@click.option("--strict", is_flag=True, help="Fail on the first malformed entry (nothing written).")
@click.option(
    "--key-file",
    type=click.Path(path_type=Path),
    default=None,
    envvar="REALITYCHECK_REDACTION_KEY_FILE",
    help="Redaction key (default: redaction.key beside the corpus folder).  "
    "[env: REALITYCHECK_REDACTION_KEY_FILE]",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_(
    common: Common,
    fmt: str,
    paths: tuple[Path, ...],
    target: str | None,
    arg: str,
    dedup: bool,
    strict: bool,
    key_file: Path | None,
    as_json: bool,
) -> int:
    """Import recordings into the corpus, redacting secrets and PII first.

    Every entry is kept (use --dedup to skip inputs already recorded). A malformed entry is
    skipped and reported with its file and index, or fails the import with --strict; an import
    that fails writes nothing.
    """
    from realitycheck.corpus.importers import import_paths
    from realitycheck.corpus.redact import build_redactor

    if fmt == "files" and not target:
        raise click.BadParameter("--format files needs --target", param_hint="--target")
    config, root, folder = _setup(common)
    remote = remote_import(folder, root)  # a URL: import locally, then push (corpus_remote.py)
    folder = remote.folder if remote else folder
    source = config.source.parent if config.source else root
    redactor = build_redactor(
        remote.key_beside if remote else folder,
        config.corpus.redaction,
        key_file=key_file,
        root=source,
    )
    result = import_paths(
        folder,
        fmt,
        list(paths),
        target=target,
        arg=arg,
        redactor=redactor,
        dedup=dedup,
        strict=strict,
        events=ConsoleEvents(),
    )
    if remote:
        remote.push()
    label = remote.corpus.url if remote else str(folder)
    if as_json:
        emit_json({"corpus": label, **result.as_dict()})
        return 0
    console = plain_console()
    line = f"imported {result.imported} sample{'s' if result.imported != 1 else ''}"
    line += f" from {result.files} file{'s' if result.files != 1 else ''} into {label}"
    extras = [
        f"{n} {what}"
        for n, what in (
            (result.skipped, "malformed entries skipped"),
            (result.duplicates, "duplicates skipped"),
            (result.ignored, "entries of unsupported kinds ignored"),
        )
        if n
    ]
    console.print(line + (f" ({', '.join(extras)})" if extras else ""))
    for name, n in sorted(result.targets.items()):
        console.print(f"  {n:>7}  {name}")
    return 0


@corpus.command()
@common_options
@text_json_option
def stats(common: Common, fmt: str) -> int:
    """Samples per target, sources, time span, and what capture dropped."""
    from realitycheck.corpus.stats import corpus_stats

    _, _, folder = _setup(common)
    data = corpus_stats(_open(folder))
    if fmt == "json":
        emit_json(data)
        return 0
    console = plain_console()
    console.print(
        Text.assemble(
            (f"{data['samples']:,} samples", "bold"),
            f" in {data['segments']} segments ({_size(data['segment_bytes'])}), "
            f"{data['blobs']['count']} blobs ({_size(data['blobs']['bytes'])})",
        )
    )
    console.print(f"corpus: {data['corpus']}", soft_wrap=True)
    if data["first"]:
        console.print(f"recorded from {data['first']} to {data['last']}")
    table = Table("target", "samples", "distinct", "redacted", "sources")
    for t in data["targets"]:
        sources = ", ".join(f"{k} {v}" for k, v in t["sources"].items())
        table.add_row(
            t["target"],
            str(t["samples"]),
            str(t["distinct_inputs"]),
            str(t["redacted_samples"]),
            sources,
        )
    if data["targets"]:
        console.print(table)
    cap = data["capture"]
    if cap["processes"]:
        dropped = ", ".join(f"{k} {v}" for k, v in cap["dropped"].items()) or "none"
        console.print(
            f"capture ({cap['processes']} process{'es' if cap['processes'] != 1 else ''}): "
            f"written {cap['written']}, duplicates {cap['duplicates']}, sampled out "
            f"{cap['sampled_out']}, over the hourly cap {cap['capped']}, dropped "
            f"{cap['dropped_total']} ({dropped})"
        )
    if cap.get("not_persisted"):
        console.print(
            Text(
                f"capture counts of {cap['not_persisted']} process(es) could not be written "
                f"into the corpus (read-only?); kept in {', '.join(cap['kept_in'])}",
                style="yellow",
            ),
            soft_wrap=True,
        )
    if data["quarantined_segments"]:
        console.print(
            Text(
                f"{data['quarantined_segments']} bad segment(s) quarantined in "
                "quarantine/ (`realitycheck corpus doctor` lists them)",
                style="yellow",
            )
        )
    if data["unfinished_imports"]:
        console.print(
            Text(
                f"{data['unfinished_imports']} unfinished import(s) left staging folders "
                "in segments/ (`realitycheck corpus doctor --repair` removes them)",
                style="yellow",
            )
        )
    return 0


@corpus.command("ls")
@common_options
@click.option("--target", default=None, help="Only samples of this target.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@text_json_option
def ls(common: Common, target: str | None, limit: int, offset: int, fmt: str) -> int:
    """List samples, newest first."""
    from realitycheck.corpus.stats import list_samples

    _, _, folder = _setup(common)
    rows = list_samples(_open(folder), target=target, limit=limit, offset=offset)
    if fmt == "json":
        emit_json(rows)
        return 0
    table = Table("target", "recorded", "source", "outcome", "ms", "redacted")
    table.columns[0].overflow = "fold"
    table.add_column("id", no_wrap=True)
    for r in rows:
        ms = "" if r["duration_ms"] is None else f"{r['duration_ms']:.1f}"
        table.add_row(
            r["target"],
            (r["recorded_at"] or "")[:19],
            r["source"] or "",
            str(r["outcome"] or ""),
            ms,
            str(r["redacted"] or ""),
            r["id"],
        )
    plain_console().print(table)
    return 0


@corpus.command()
@common_options
@click.argument("sample_id")
@text_json_option
def show(common: Common, sample_id: str, fmt: str) -> int:
    """Show one sample: input, output, and what was redacted."""
    _, _, folder = _setup(common)
    sample = _open(folder).get(sample_id)
    data = sample.model_dump(mode="json")
    if fmt == "json":
        emit_json(data)
        return 0
    console = plain_console()
    console.print(Text.assemble((sample.id, "bold"), f"  {sample.target}  ({sample.kind})"))
    console.print(
        f"recorded {sample.recorded_at.isoformat()}  source {sample.source or '-'}"
        + (f"  {sample.duration_ms:.1f} ms" if sample.duration_ms is not None else "")
    )
    if sample.tags:
        console.print("tags: " + ", ".join(sample.tags))
    for title, value in (("input", sample.input), ("output", sample.output)):
        console.print(Text(title, style="bold"))
        text = json.dumps(value, indent=2, ensure_ascii=False)
        console.print(Syntax(text, "json", word_wrap=True, theme="ansi_dark"))
    if sample.redactions:
        console.print(Text.assemble(("redacted", "bold"), " " + ", ".join(sample.redactions)))
    return 0


@corpus.command()
@common_options
@click.option("--target", required=True, help="The target to profile (see `corpus stats`).")
@click.option("--top", type=click.IntRange(min=0), default=5, show_default=True)
@text_json_option
def profile(common: Common, target: str, top: int, fmt: str) -> int:
    """For every JSON path of a target: present, absent, null, types, values, formats."""
    from realitycheck.corpus.profile import profile_target

    _, _, folder = _setup(common)
    store = _open(folder)
    data = profile_target(store, target, events=ConsoleEvents(), top=top)
    if not data["samples"]:
        known = ", ".join(sorted(store.targets())) or "none"
        raise CorpusError(f"no samples of target {target!r}", path=folder, hint=f"targets: {known}")
    if fmt == "json":
        emit_json(data)
        return 0
    console = plain_console()
    console.print(
        Text.assemble(
            (target, "bold"),
            f": {data['samples']:,} samples; rates with Wilson 95% intervals. "
            "A path is absent where it does not resolve, null where its value is null.",
        )
    )
    for p in data["paths"]:
        unit = "samples" if p["unit"] == "sample" else "array elements"
        console.print(Text.assemble((p["path"], "bold"), "  ", (f"(of {p['n']:,} {unit})", "dim")))
        console.print(
            f"    present {_pct(p['present'])} · absent {_pct(p['absent'])} · "
            f"null {_pct(p['null'])}",
        )
        details = [", ".join(f"{t} {_rate(v)}" for t, v in p["types"].items())]
        if p["distinct"] is not None:
            details.append(f"{p['distinct']:,} distinct")
        details += [v for v in _values(p).split("; ") if v]
        console.print("    " + " · ".join(d for d in details if d))
    return 0


def _rate(share: dict[str, Any]) -> str:
    return f"{share['rate'] * 100:.1f}%"


def _pct(share: dict[str, Any]) -> str:
    low, high = share["ci"]
    return f"{share['rate'] * 100:.1f}% ({low * 100:.1f}–{high * 100:.1f}%)"


def _values(p: dict[str, Any]) -> str:
    parts = []
    if p["numbers"]:
        parts.append(f"range {p['numbers']['min']:g}..{p['numbers']['max']:g}")
    if p["lengths"]:
        parts.append(f"length {p['lengths']['min']}..{p['lengths']['max']}")
    parts += [f"{name} {_rate(v)}" for name, v in p["formats"].items()]
    if p["top"]:
        common = ", ".join(f"{_clip(json.dumps(t['value']))}×{t['count']}" for t in p["top"])
        parts.append("top " + common)
    return "; ".join(parts)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _clip(text: str, width: int = 32) -> str:
    """A value cut to `width` characters, with an ellipsis where it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


from realitycheck.cli.corpus_doctor import doctor  # noqa: E402 - registered beside the others

corpus.add_command(doctor)


def _remote_commands() -> None:
    """`corpus push|pull|compact|prune` live in cli/corpus_remote.py."""
    from realitycheck.cli.corpus_remote import COMMANDS as REMOTE

    for command in REMOTE:
        corpus.add_command(command)


_remote_commands()
