"""`realitycheck corpus doctor`: list what is wrong with a corpus; repair it when asked."""

from __future__ import annotations

import click
from rich.text import Text

from realitycheck.cli.options import Common, common_options, text_json_option
from realitycheck.cli.output import emit_json, plain_console
from realitycheck.corpus.doctor import Finding

EXIT_PASS, EXIT_FAIL = 0, 1


@click.command("doctor")
@common_options
@click.option(
    "--repair",
    is_flag=True,
    help="Do what the listing says: remove leftovers of killed imports and unreferenced blobs, "
    "restore quarantined segments that read again. Without it nothing is changed.",
)
@click.option(
    "--deep", is_flag=True, help="Read every segment back in full (slow; finds damaged pages)."
)
@click.option(
    "--drop-quarantined",
    is_flag=True,
    help="With --repair: also delete quarantined segments that cannot be restored.",
)
@text_json_option
def doctor(common: Common, repair: bool, deep: bool, drop_quarantined: bool, fmt: str) -> int:
    """Find bad segments, leftovers of killed imports and unreferenced blobs.

    Lists each finding and what --repair would do about it; exits 1 while anything needs
    attention, 0 when the corpus is healthy (or everything found was repaired).
    """
    from realitycheck.cli.corpus import _open, _setup
    from realitycheck.corpus import doctor as medic

    if drop_quarantined and not repair:
        raise click.UsageError("--drop-quarantined needs --repair")
    _, _, folder = _setup(common)
    store = _open(folder)
    findings = medic.diagnose(store, deep=deep)
    done: list[str] = []
    left = [f for f in findings if _needs_you(f)]
    if repair:
        done = medic.repair(store, findings, drop_quarantined=drop_quarantined)
        # a second pass: blobs kept while a segment was quarantined may be free to go now
        again = [f for f in medic.diagnose(store) if f.action is not None]
        done += medic.repair(store, again, drop_quarantined=drop_quarantined)
        findings += again
        left = [f for f in medic.diagnose(store) if _needs_you(f)]
    if fmt == "json":
        emit_json(
            {
                "corpus": str(folder),
                "findings": [f.as_dict() for f in findings],
                "repaired": done,
                "remaining": len(left),
            }
        )
        return EXIT_FAIL if left else EXIT_PASS
    console = plain_console()
    if not findings:
        console.print(f"{folder}: healthy (no bad segments, leftovers or unreferenced blobs)")
        return EXIT_PASS
    for f in findings:
        console.print(Text.assemble((f.kind, "bold"), f"  {f.path}: {f.detail}"))
        if f.action is None:
            console.print(
                "    left as it is (see --drop-quarantined)"
                if f.kind == "quarantined"
                else "    left as it is"
            )
        else:
            console.print(f"    {'done' if repair else '--repair would'}: {f.action}")
    for line in done:
        console.print(Text(line, style="green"))
    if not repair and any(f.action for f in findings):
        console.print("run again with --repair to do what it says (nothing was changed)")
    return EXIT_FAIL if left else EXIT_PASS


def _needs_you(finding: Finding) -> bool:
    """Whether a finding is a problem (a running import's staging folder, or a blob kept for
    it, is not)."""
    return finding.action is not None or finding.kind in ("quarantined", "bad-segment")


def _dropped(finding: object, drop_quarantined: bool) -> bool:
    return drop_quarantined and getattr(finding, "kind", "") == "quarantined"
