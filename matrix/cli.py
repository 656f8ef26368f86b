"""Command line: ``python -m matrix validate|score``. Problems are printed in words, never as tracebacks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from matrix.errors import CatalogueError
from matrix.export import shortlist_table, to_safe_csv
from matrix.loader import load_catalogue
from matrix.problem import build_problem, provenance_counts
from scoring import CRITERIA, NORMALISATIONS, WeightsError, score

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "interventions.toml"


class UsageError(Exception):
    """A command-line argument that cannot be used; the message says why."""


def parse_weights(text: str) -> dict[str, float]:
    """``impact=40,reach=20,...`` -> {criterion: weight}; criteria left out weigh 0."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, number = part.partition("=")
        name = name.strip()
        if not sep:
            raise UsageError(f"--weights: '{part}' should look like criterion=number, e.g. impact=40")
        if name not in CRITERIA:
            raise UsageError(f"--weights: unknown criterion '{name}'; the criteria are {', '.join(CRITERIA)}")
        if name in weights:
            raise UsageError(f"--weights: {name} is given twice")
        try:
            weights[name] = float(number)
        except ValueError:
            raise UsageError(f"--weights: {name}={number.strip()} is not a number") from None
    if not weights:
        raise UsageError("--weights: give at least one criterion=number")
    return weights


def _validate(args: argparse.Namespace) -> int:
    loaded = load_catalogue(args.path)
    catalogue = loaded.catalogue
    counts = provenance_counts(catalogue)
    print(
        f"{args.path}: valid: {len(catalogue.interventions)} interventions, {len(catalogue.sources)} sources, "
        f"{len(catalogue.yef_strands)} YEF strands, {len(catalogue.presets)} presets; "
        f"{counts['illustrative']} illustrative and {counts['unconfirmed']} unconfirmed values; "
        f"sha256 {loaded.sha256[:12]}"
    )
    return 0


def _score(args: argparse.Namespace) -> int:
    loaded = load_catalogue(args.catalogue)
    catalogue = loaded.catalogue
    if args.weights is not None:
        weights = parse_weights(args.weights)
    else:
        preset_id = args.preset or catalogue.default_preset
        try:
            weights = catalogue.preset(preset_id).weights.as_dict()
        except KeyError:
            known = ", ".join(p.id for p in catalogue.presets)
            raise UsageError(f"--preset: no preset '{preset_id}'; presets: {known}") from None
    try:
        problem = build_problem(catalogue, loaded.sha256)
        result = score(problem.values, weights, normalisation=args.normalisation)
    except WeightsError as error:
        raise UsageError(f"--weights: {error}") from None
    data = to_safe_csv(shortlist_table(problem, result))
    if args.out is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        try:
            Path(args.out).write_bytes(data)
        except OSError as error:
            raise UsageError(f"--out: cannot write {args.out}: {error.strerror or error}") from None
        print(f"wrote {len(result.scores)} ranked interventions to {args.out}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m matrix", description="Interventions matrix: check and score the catalogue.")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check a catalogue file and list every problem")
    validate.add_argument("path", nargs="?", default=str(DEFAULT_CATALOGUE), help="catalogue TOML (default: the shipped one)")
    validate.set_defaults(run=_validate)

    score_cmd = commands.add_parser("score", help="write the ranked shortlist as CSV")
    score_cmd.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE), help="catalogue TOML (default: the shipped one)")
    chosen = score_cmd.add_mutually_exclusive_group()
    chosen.add_argument("--weights", help="e.g. impact=40,reach=20,cost=20,risk=20 (normalised to 100%%)")
    chosen.add_argument("--preset", help="a preset id from the catalogue (default: the catalogue's default preset)")
    score_cmd.add_argument("--normalisation", choices=list(NORMALISATIONS), default="value_functions")
    score_cmd.add_argument("--out", help="file to write (default: standard output)")
    score_cmd.set_defaults(run=_score)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except CatalogueError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
