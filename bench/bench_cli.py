"""Command-line start-up: ``python -m matrix validate`` on the shipped catalogue, as a fresh process.

Each command is a new interpreter, timed by wall clock from start to exit, against references
measured in the same run: a bare ``python -c pass`` and an interpreter that only imports what any
pydantic-validated TOML reader needs. Also says which heavy libraries each command loaded.
Not a test: run with `make bench`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 15
HEAVY = ("numpy", "pandas", "scipy", "altair", "sqlalchemy")

REFERENCES = {
    "python -c pass": ["-c", "pass"],
    "import tomllib, pydantic": ["-c", "import tomllib, pydantic"],
    "import tomli + pydantic BaseModel": ["-c", "import tomli; from pydantic import BaseModel"],
}
COMMANDS = {
    "validate": ["-m", "matrix", "validate"],
    "audit": ["-m", "matrix", "audit"],
    "roles": ["-m", "matrix", "roles", "roles.example.toml"],
    "score": ["-m", "matrix", "score"],
}
# What a command loads, printed after it runs (stdout is discarded, stderr read).
LOADED = (
    "import runpy, sys\n"
    "sys.argv = ['matrix', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('matrix', run_name='__main__', alter_sys=True)\n"
    "except SystemExit:\n"
    "    pass\n"
    f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules) or 'none', file=sys.stderr)\n"
)


def wall_seconds(arguments: list[str]) -> float:
    """Median wall time of a fresh interpreter running ``arguments``, after one warm-up run."""
    command = [sys.executable, *arguments]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_loaded(arguments: list[str]) -> str:
    done = subprocess.run([sys.executable, "-c", LOADED, *arguments[2:]], cwd=ROOT, capture_output=True, text=True)
    return done.stderr.strip().splitlines()[-1]


def main() -> None:
    print(f"fresh-process wall time, median of {REPEATS} runs, shipped catalogue")
    references = {name: wall_seconds(arguments) for name, arguments in REFERENCES.items()}
    for name, seconds in references.items():
        print(f"  reference {name:<36}{seconds * 1e3:>8.0f} ms")
    bare, pydantic = references["python -c pass"], references["import tomli + pydantic BaseModel"]
    print(f"{'command':<16}{'ms':>8}{'/ bare':>9}{'/ pydantic':>12}  heavy libraries loaded")
    for name, arguments in COMMANDS.items():
        seconds = wall_seconds(arguments)
        print(f"{name:<16}{seconds * 1e3:>8.0f}{seconds / bare:>9.1f}{seconds / pydantic:>12.2f}  {heavy_loaded(arguments)}")
    print("target: validate under 500 ms; it needs TOML and pydantic, nothing heavier")


if __name__ == "__main__":
    main()
