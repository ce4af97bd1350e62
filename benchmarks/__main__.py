"""`python -m benchmarks [--quick] [NAME ...]`: run the benchmarks and print their ratios."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from benchmarks.common import Figure

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    names = args.names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; available: {', '.join(available)}")
    figures: list[Figure] = []
    for name in names:
        print(f"== {name}", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        for fig in module.run("quick" if args.quick else "full"):
            figures.append(fig)
            met = {True: "met", False: "NOT met", None: "-"}[fig.met]
            print(
                f"{fig.name:<48} {fig.ratio:>8.3f}   goal {fig.goal:<14} {met:<8} {fig.detail}",
                flush=True,
            )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps([f.as_dict() for f in figures], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
