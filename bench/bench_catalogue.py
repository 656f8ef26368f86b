"""Catalogue validation at scale: the shipped catalogue and synthetic ones of 10,000 and 20,000
interventions (``synthetic_catalogue.py``), read and validated, against parsing the same text with
plain ``tomllib.loads`` and with ``tomli.loads`` (the parser the loader uses) in the same run. Also
a 10,000 catalogue with a mistake in nearly every intervention (every problem listed), the audit's
warnings with their lines, and ``python -m matrix validate`` as a fresh process against a fresh
process that only parses the file with tomllib. Wall times, and the processor time of our side (which
another load on the machine does not stretch). The size limit is raised for the run
(MATRIX_MAX_CATALOGUE_MB). Not a test: run with `make bench`.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import tomli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_catalogue import synthetic_catalogue
from timing import median_seconds

from matrix.catalogue import CatalogueError, audit_catalogue, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
SETTING, LIMIT_MB = "MATRIX_MAX_CATALOGUE_MB", "64"


def problems(path: Path) -> int:
    try:
        load_catalogue(path)
    except CatalogueError as error:
        return len(error.problems)
    return 0


def cpu_seconds(run: Callable[[], object], repeats: int = 3) -> float:
    """Median processor time of ``run()`` in this process."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def fresh_seconds(arguments: list[str], repeats: int = 3) -> tuple[float, float]:
    """Median wall and processor time of a fresh interpreter running ``arguments`` (exit status not checked)."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, env=os.environ | {SETTING: LIMIT_MB})
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    os.environ[SETTING] = LIMIT_MB
    folder = Path(tempfile.mkdtemp(prefix="bench-catalogue-"))
    cases = {"shipped (47)": (ROOT / "data" / "interventions.toml").read_text(encoding="utf-8")}
    cases["synthetic 10,000"] = synthetic_catalogue(10_000, seed=1)
    cases["synthetic 20,000"] = synthetic_catalogue(20_000, seed=2)
    cases["10,000, a mistake in most"] = cases["synthetic 10,000"].replace('yef_fit = "direct"', 'yef_fit = "sideways"')
    print("read and validate (load_catalogue) vs parsing the same text only, median times, in this process")
    head = f"{'catalogue':<28}{'MB':>6}{'ours s':>9}{'cpu s':>7}{'tomllib s':>11}{'tomli s':>9}{'/tomllib':>10}{'/tomli':>8}"
    print(head + "  problems")
    paths = {}
    for name, text in cases.items():
        path = paths[name] = folder / f"{len(paths)}.toml"
        path.write_text(text, encoding="utf-8")
        repeats = 20 if len(text) < 1_000_000 else 3
        ours = median_seconds(lambda p=path: problems(p), repeats)
        cpu = cpu_seconds(lambda p=path: problems(p), repeats)
        plain = median_seconds(lambda t=text: tomllib.loads(t), repeats)
        fast = median_seconds(lambda t=text: tomli.loads(t), repeats)
        print(
            f"{name:<28}{len(text.encode()) / 1e6:>6.1f}{ours:>9.3f}{cpu:>7.3f}{plain:>11.3f}{fast:>9.3f}"
            f"{ours / plain:>10.2f}{ours / fast:>8.2f}  {problems(path):,}"
        )
    loaded = load_catalogue(paths["synthetic 10,000"])
    audit = median_seconds(lambda: audit_catalogue(loaded), 3)
    print(f"audit of the 10,000 (after loading): {audit:.3f} s for {len(audit_catalogue(loaded)):,} warnings with their lines")
    big = str(paths["synthetic 10,000"])
    command, command_cpu = fresh_seconds(["-m", "matrix", "validate", big])
    parse_only, parse_cpu = fresh_seconds(["-c", f"import tomllib; tomllib.loads(open({big!r}, encoding='utf-8').read())"])
    print(
        f"python -m matrix validate on the 10,000, fresh process: {command:.2f} s ({command_cpu:.2f} s cpu); "
        f"a fresh process parsing it with tomllib: {parse_only:.2f} s ({parse_cpu:.2f} s cpu); ratio {command / parse_only:.2f}"
    )
    print("target: 10,000 interventions validate in under 2 s; 20,000 load (with MATRIX_MAX_CATALOGUE_MB raised)")


if __name__ == "__main__":
    main()
