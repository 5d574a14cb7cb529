"""Run every benchmark, one after the other, each in its own process: `python -m bench` (`make bench`).

Each prints its own figures; a process each keeps one benchmark's memory and threads from skewing the
next. `python -m bench storage fanout` runs only those. Arguments after `--` go to every benchmark.
"""

from __future__ import annotations

import subprocess
import sys
import time
from importlib.util import find_spec

BENCHMARKS = ("clustering", "intake", "storage", "fanout", "outage", "feed", "failover", "photos")


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    unknown = [name for name in argv if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in argv or BENCHMARKS:
        if find_spec(f"bench.{name}") is None:
            continue  # not in this checkout
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}", *extra], check=False)
        print(f"--- bench.{name}: exit {result.returncode} after {time.monotonic() - started:.0f} s", flush=True)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
