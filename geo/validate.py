"""``python -m geo.validate [DATA_DIR]``: check every file in a data folder.

Prints one problem per line (file, feature index or line, id, field, message, fix) and a
summary; exits 1 when any problem is an error, 0 otherwise (warnings allowed).
"""

from __future__ import annotations

import argparse
import sys

from geo.cli import quiet_on_closed_pipe
from geo.load import check_dataset
from geo.problems import has_errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo.validate", description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", nargs="?", default="data", help="data folder (default: data)")
    args = ap.parse_args(argv)
    return quiet_on_closed_pipe(lambda: _report(args.data_dir))


def _report(data_dir: str) -> int:
    ds, problems = check_dataset(data_dir)
    for p in problems:
        print(p)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    summary = f"{data_dir}: {errors} error(s), {warnings} warning(s)"
    if ds is not None:
        summary += f"; {len(ds.districts)} districts, {len(ds.events)} events, {len(ds.sources)} sources"
    print(summary, file=sys.stderr)
    return 1 if has_errors(problems) else 0


if __name__ == "__main__":
    raise SystemExit(main())
