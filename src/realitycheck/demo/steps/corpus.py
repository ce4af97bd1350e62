"""The demo's production traffic: pull-request webhooks recorded through `@realitycheck.record`.

The step runs on the human commit's tree, the code that runs in production today. It imports
`docsvc.hooks` from the example's `src/` and wraps `handle` with the decorator at run time (in a
real service the decorator sits on the function in the source; here the example's files stay
exactly what the maintainer and the agent wrote), then feeds it 2,000 deliveries.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from realitycheck.corpus.capture.control import recording
from realitycheck.corpus.capture.decorator import record as record_calls
from realitycheck.demo.story import DemoContext
from realitycheck.demo.webhooks import deliveries

TARGET = "fn:docsvc.hooks:handle"
DELIVERIES = 2000


def record(ctx: DemoContext) -> None:
    """Record the webhook deliveries docsvc received, as calls of docsvc.hooks.handle."""
    corpus_dir = ctx.root / ".realitycheck" / "corpus"
    payloads = deliveries(DELIVERIES)
    with _imported(ctx.root / "src", "docsvc.hooks") as hooks:
        handle = record_calls()(hooks.handle)
        config = ctx.root / "realitycheck.toml"
        with (
            recording(corpus_dir, config=config, max_per_hour=None, flush_seconds=60.0),
            ctx.events.task("recording webhook deliveries", total=len(payloads)) as task,
        ):
            for payload in payloads:
                handle(payload)
                task.advance()
    orphaned = sum(1 for p in payloads if p["pull_request"]["head"]["repo"] is None)
    ctx.say(
        f"recorded {len(payloads):,} pull_request webhook deliveries through "
        f"@realitycheck.record on docsvc.hooks.handle ({orphaned} from deleted forks)"
    )


@contextlib.contextmanager
def _imported(folder: Path, name: str) -> Iterator[ModuleType]:
    """Import a module of the example from `folder`; forget it, and the path, afterwards."""
    package = name.split(".")[0]

    def forget() -> None:
        for key in [k for k in sys.modules if k == package or k.startswith(package + ".")]:
            del sys.modules[key]

    forget()
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(name)
    finally:
        forget()
        if str(folder) in sys.path:
            sys.path.remove(str(folder))
