"""``python -m matrix plan``: the exact best plan over one to five years and the funding streams.

Kept apart from ``matrix/cli.py`` (which registers it) so the command's flags and words live in one place.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from matrix.catalogue import load_catalogue
from matrix.cli import UsageError, _once, _weights, _write, check_scenario_flags, scenario_from_flags, solver_output_to_stderr
from scoring import CRITERIA, MAX_YEARS, InfeasibleError

if TYPE_CHECKING:
    from matrix.catalogue import LoadedCatalogue
    from matrix.decision import DecisionProblem, PlanSettings, Scenario


def add_plan_flags(parser: argparse.ArgumentParser) -> None:
    """The plan's own flags (after the shortlist's scenario flags, whose --budget becomes optional)."""
    for action in parser._actions:
        if action.dest == "budget":
            action.required = False
            action.default = None
            action.help = "annual budget in GBP, for a catalogue without funding streams (default: the catalogue's)"
    parser.add_argument("--years", type=int, default=3, help=f"how many years, 1 to {MAX_YEARS} (default 3)")
    parser.add_argument("--start", metavar="YYYY/YY", help="the first financial year (default: the catalogue budget's year)")
    parser.add_argument("--inflation", type=float, default=0.0, metavar="RATE", help="yearly cost uplift, 0-0.5 (e.g. 0.03)")
    parser.add_argument("--contract-years", type=int, default=1, metavar="N", help="minimum contract length for a start")
    parser.add_argument("--committed", action="append", default=[], metavar="ID=YEARS", help="under contract for the first YEARS")
    parser.add_argument("--stop-early", action="append", default=[], metavar="ID", help="may stop before its contract ends")
    parser.add_argument(
        "--not-before", action="append", default=[], metavar="ID=YEAR", help="not funded before plan year YEAR (not ready sooner)"
    )
    parser.add_argument("--stream-cut", action="append", default=[], metavar="ID=SHARE", help="cut a stream by SHARE (0-1)")
    parser.add_argument("--stream-end", action="append", default=[], metavar="ID=YEAR", help="the stream pays nothing from YEAR")
    parser.add_argument("--stream-new", action="append", default=[], metavar="ID=GBP", help="a new stream for anything")
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="the scenario and plan settings from a file (JSON as the app's 'This plan as a file' writes it, or TOML "
        "with [scenario] and [plan] tables), instead of the scenario and plan flags",
    )
    parser.add_argument("--out", help="file to write the year-by-stream CSV (default: standard output)")
    parser.add_argument(
        "--report",
        metavar="board.docx|board.pdf",
        help="also write the board report with this plan, and its decision record beside it (replay checks both)",
    )


def _pairs(option: str, items: list[str], kind: type[int] | type[float]) -> dict[str, float]:
    """``ID=NUMBER`` flags as a dict, each id once."""
    from matrix.decision import read_decimal  # the decision layer loads when the command runs, not at start-up

    found: dict[str, float] = {}
    _once(option, [i.partition("=")[0].strip() for i in items])
    for item in items:
        ident, sep, text = item.partition("=")
        number = read_decimal(text) if sep else None
        if not ident.strip() or number is None or (kind is int and number != int(number)):
            what = "a whole number" if kind is int else "a number"
            raise UsageError(f"{option} {item}: write ID={'YEAR' if kind is int else 'NUMBER'} with {what}")
        found[ident.strip()] = number
    return found


# The settings' and scenario's fields as the flags that set them, so a refusal names what the user typed.
FLAGS = {
    "years": "--years",
    "start_year": "--start",
    "inflation": "--inflation",
    "min_contract_years": "--contract-years",
    "committed_years": "--committed",
    "early_stop": "--stop-early",
    "not_before": "--not-before",
    "stream_ends": "--stream-end",
    "stream_cuts": "--stream-cut",
    "new_streams": "--stream-new",
    "budget_gbp": "--budget",
    "ringfence_share": "--ringfence",
    "tier_min_share": "--tier-min",
    "tier_max_share": "--tier-max",
    "must_fund": "--must",
    "must_not_fund": "--exclude",
    "harmful_overrides": "--allow-harmful",
}


def _flag_words(loc: tuple[int | str, ...], message: str) -> str:
    """A validation error located by its flag ("--stream-cut pcc-funding: must be ..."), not the field's name."""
    field, rest = (str(loc[0]), [str(p) for p in loc[1:] if p != "[key]"]) if loc else ("weights", [])
    where = " ".join([FLAGS.get(field, "--weights" if field in {"weights", *CRITERIA} else field), *rest])
    message = message.removeprefix("Value error, ").replace("Input should be", "must be")
    if message.startswith("String should match pattern"):
        message = "must be an id: lower-case letters, digits, - and _, starting with a letter or digit"
    return f"{where}: {message}"


def run_plan(args: argparse.Namespace) -> int:
    if args.report:
        report = Path(args.report)
        if report.suffix.lower() not in {".docx", ".pdf"}:
            raise UsageError(f"--report: give a file ending .docx (Word) or .pdf (got {args.report})")
        # Checked before the plan is worked out, so a bad path leaves no record without its report.
        if report.is_dir() or not report.parent.is_dir():
            reason = "it is a folder" if report.is_dir() else f"there is no folder {report.parent}"
            raise UsageError(f"--report: cannot write {args.report}: {reason}")
    from matrix.decision import PlanSettings

    loaded = load_catalogue(args.catalogue)
    if args.scenario:
        scenario, settings = _from_file(args)
        return _run(args, loaded, scenario, settings)
    check_scenario_flags(args)
    weights = _weights(args, loaded)
    budget = loaded.catalogue.budget.annual_budget_gbp.value if args.budget is None else args.budget
    try:
        scenario = scenario_from_flags(args, weights, budget, "command line plan")
        settings = PlanSettings(
            years=args.years,
            start_year=args.start,
            inflation=args.inflation,
            min_contract_years=args.contract_years,
            committed_years={k: int(v) for k, v in _pairs("--committed", args.committed, int).items()},
            early_stop=tuple(args.stop_early),
            not_before={k: int(v) for k, v in _pairs("--not-before", args.not_before, int).items()},
            stream_ends={k: int(v) for k, v in _pairs("--stream-end", args.stream_end, int).items()},
            stream_cuts=_pairs("--stream-cut", args.stream_cut, float),
            new_streams=_pairs("--stream-new", args.stream_new, float),
        )
    except ValidationError as error:
        raise UsageError("; ".join(_flag_words(e["loc"], e["msg"]) for e in error.errors(include_url=False))) from None
    return _run(args, loaded, scenario, settings)


def _run(args: argparse.Namespace, loaded: LoadedCatalogue, scenario: Scenario, settings: PlanSettings) -> int:
    """Work out the plan, say it on standard error, write its CSV (and the board report)."""
    from matrix.decision import build_plan, build_problem, to_safe_csv

    problem = build_problem(loaded.catalogue, loaded.sha256, loaded.text)
    try:
        with solver_output_to_stderr():
            result = build_plan(problem, scenario, settings)
    except InfeasibleError as error:
        print("error: the plan cannot meet every rule: " + "; ".join(error.reasons), file=sys.stderr)
        return 1
    for line in result.in_words():
        print(line, file=sys.stderr)
    _write(args.out, to_safe_csv(result.table), f"wrote the {settings.years}-year plan, year by stream")
    if args.report:
        _plan_report(Path(args.report), problem, scenario, settings)
    return 0


# The scenario's and plan's flags, which a scenario file replaces (with their defaults, to see which were given).
FILE_REPLACES = (
    "weights", "preset", "budget", "must", "exclude", "allow_harmful", "reason", "tier_min", "tier_max",
    "ringfence", "keep_today", "include_cost", "normalisation", "years", "start", "inflation",
    "contract_years", "committed", "stop_early", "not_before", "stream_cut", "stream_end", "stream_new",
)  # fmt: skip


def _from_file(args: argparse.Namespace) -> tuple[Scenario, PlanSettings]:
    """The scenario and settings in ``--scenario``'s file; any scenario or plan flag beside it is refused."""
    from matrix.cli import build_parser
    from matrix.decision import read_plan_file

    defaults = build_parser().parse_args(["plan"])
    given = [f"--{d.replace('_', '-')}" for d in FILE_REPLACES if getattr(args, d, None) != getattr(defaults, d, None)]
    if given:
        raise UsageError(f"--scenario: the file holds the scenario and plan; leave out {', '.join(given)}")
    path = Path(args.scenario)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "it is not UTF-8 text"
        raise UsageError(f"--scenario: cannot read {args.scenario}: {reason}") from None
    found = read_plan_file(text, str(path))
    return found.scenario, found.plan


def _plan_report(out: Path, problem: DecisionProblem, scenario: Scenario, settings: PlanSettings) -> None:
    """The board report of the scenario with its plan, and the decision record (with the plan) beside it."""
    from matrix.persistence import build_record, record_json
    from matrix.report import board_report, to_docx, to_pdf

    if out.suffix.lower() not in {".docx", ".pdf"}:
        raise UsageError(f"--report: give a file ending .docx (Word) or .pdf (got {out})")
    with solver_output_to_stderr():
        record = build_record(problem, scenario, "command line", plan=settings)
        report = board_report(problem, record)
        data = to_docx(report) if out.suffix.lower() == ".docx" else to_pdf(report)
    _write(str(out.with_name(out.stem + ".record.json")), record_json(record), "wrote its decision record")
    _write(str(out), data, "wrote the board report with the plan")
