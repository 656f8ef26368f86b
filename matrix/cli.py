"""Command line: ``python -m matrix COMMAND`` (validate, score, shortlist, report, montecarlo, plan, replay, roles).

Problems are printed in words, never as tracebacks. Each command imports what it needs when it runs
(``validate`` never loads NumPy, pandas, SciPy or the store), so the command line starts quickly.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matrix.catalogue import SHIPPED_CATALOGUE, CatalogueError
from scoring import CRITERIA, NORMALISATIONS, DecisionError, InfeasibleError

if TYPE_CHECKING:
    from matrix.catalogue import LoadedCatalogue, Tier
    from matrix.decision import DecisionProblem, Scenario, ScenarioResult
    from scoring import ScoreResult

DEFAULT_CATALOGUE = SHIPPED_CATALOGUE
MAX_DRAWS = 1_000_000


@contextlib.contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """Send anything the compiled solver prints to standard output to standard error instead,
    so a CSV written to standard output stays clean (HiGHS occasionally prints diagnostics)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class UsageError(DecisionError):
    """A command-line argument that cannot be used; the message says why."""


def parse_weights(text: str, criteria: tuple[str, ...] = CRITERIA) -> dict[str, float]:
    """``impact=40,reach=20,...`` -> {criterion: weight} over ``criteria`` (the catalogue's); criteria left out weigh 0."""
    from matrix.decision import read_decimal

    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, number = part.partition("=")
        name = name.strip()
        if not sep:
            raise UsageError(f"--weights: '{part}' should look like criterion=number, e.g. impact=40")
        if name not in criteria:
            raise UsageError(f"--weights: unknown criterion '{name}'; the criteria are {', '.join(criteria)}")
        if name in weights:
            raise UsageError(f"--weights: {name} is given twice")
        weight = read_decimal(number)
        if weight is None:
            raise UsageError(f"--weights: {name}={number.strip()} is not a number") from None
        weights[name] = weight
    if not weights:
        raise UsageError("--weights: give at least one criterion=number")
    return {c: weights.get(c, 0.0) for c in criteria}


def parse_share(option: str, text: str) -> tuple[Tier, float]:
    """``primary=0.3`` -> ("primary", 0.3), with the tier and the 0-1 range checked."""
    from matrix.catalogue import TIERS
    from matrix.decision import read_decimal

    tier, sep, number = text.partition("=")
    tier = tier.strip()
    if not sep or tier not in TIERS:
        raise UsageError(f"{option} {text}: write TIER=SHARE with TIER one of {', '.join(TIERS)}, e.g. primary=0.3")
    share = read_decimal(number)
    if share is None:
        raise UsageError(f"{option} {text}: {number.strip()} is not a number")
    if not 0 <= share <= 1:
        raise UsageError(f"{option} {text}: the share must be between 0 and 1")
    return TIERS[TIERS.index(tier)], share  # the tier as typed in TIERS


def _once(option: str, keys: list[str]) -> None:
    """A repeated option may not name the same thing twice (the last would silently win)."""
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise UsageError(f"{option}: {', '.join(repeated)} is given more than once")


def _weights(args: argparse.Namespace, loaded: LoadedCatalogue) -> dict[str, float]:
    catalogue = loaded.catalogue
    if args.weights is not None:
        return parse_weights(args.weights, catalogue.criterion_ids)
    preset_id = catalogue.default_preset if args.preset is None else args.preset
    try:
        return catalogue.preset(preset_id).weights.as_dict()
    except KeyError:
        known = ", ".join(p.id for p in catalogue.presets)
        raise UsageError(f"--preset: no preset '{preset_id}'; presets: {known}") from None


def _validate(args: argparse.Namespace) -> int:
    from matrix.catalogue import load_catalogue, provenance_counts

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


def _migrate(args: argparse.Namespace) -> int:
    """A schema version 1 catalogue written as version 2 ([[criteria]]), to --out or standard output."""
    from matrix.catalogue import catalogue_to_toml, load_catalogue, migrate_catalogue, parse_catalogue

    loaded = load_catalogue(args.path)
    if loaded.catalogue.schema_version != 1:
        raise UsageError(f"{args.path} is already schema version {loaded.catalogue.schema_version}; nothing to migrate")
    migrated = migrate_catalogue(loaded.catalogue)
    text = catalogue_to_toml(migrated)
    if parse_catalogue(text.encode("utf-8"), "the migrated catalogue").catalogue != migrated:  # never write a changed one
        raise DecisionError("the migrated catalogue does not read back the same; nothing was written")
    if args.out is not None and Path(args.out).resolve() == Path(args.path).resolve():
        raise UsageError("--out: give another file; the original is kept as it is")
    _write(args.out, text.encode("utf-8"), "migrated catalogue (schema version 2; comments are not carried over)")
    return 0


def _score(args: argparse.Namespace) -> int:
    from matrix.catalogue import load_catalogue
    from matrix.decision import build_problem, shortlist_table, to_safe_csv
    from scoring import WeightsError, score

    loaded = load_catalogue(args.catalogue)
    weights = _weights(args, loaded)
    try:
        problem = build_problem(loaded.catalogue, loaded.sha256)
        result = score(problem.values, weights, normalisation=args.normalisation)
    except WeightsError as error:
        raise UsageError(f"--weights: {error}") from None
    _write(args.out, to_safe_csv(shortlist_table(problem, result)), f"wrote {len(result.scores)} ranked interventions")
    return 0


def _write(out: str | None, data: bytes, done: str) -> None:
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        try:
            Path(out).write_bytes(data)
        except OSError as error:
            raise UsageError(f"--out: cannot write {out}: {error.strerror or error}") from None
        print(f"{done} to {out}", file=sys.stderr)


def check_scenario_flags(args: argparse.Namespace) -> None:
    """The scenario flags' own rules: each --allow-harmful with its --reason, no id or tier given twice."""
    if len(args.allow_harmful) != len(args.reason):
        raise UsageError("--allow-harmful: give each one a --reason, in the same order")
    _once("--allow-harmful", args.allow_harmful)
    _once("--tier-min", [t.partition("=")[0].strip() for t in args.tier_min])
    _once("--tier-max", [t.partition("=")[0].strip() for t in args.tier_max])


def scenario_from_flags(args: argparse.Namespace, weights: dict[str, float], budget: float, name: str) -> Scenario:
    """The scenario the shortlist's flags describe (pydantic's ValidationError for the caller to word)."""
    from matrix.catalogue import Weights
    from matrix.decision import Scenario

    return Scenario(
        name=name,
        weights=Weights.model_validate(weights),
        normalisation=args.normalisation,
        budget_gbp=budget,
        must_fund=tuple(args.must),
        must_not_fund=tuple(args.exclude),
        harmful_overrides=dict(zip(args.allow_harmful, args.reason, strict=True)),
        tier_min_share=dict(parse_share("--tier-min", t) for t in args.tier_min),
        tier_max_share=dict(parse_share("--tier-max", t) for t in args.tier_max),
        ringfence_share=args.ringfence,
        keep_status_quo=args.keep_today,
        include_cost=args.include_cost,
    )


def _scenario(args: argparse.Namespace, name: str) -> tuple[DecisionProblem, ScoreResult, Scenario, ScenarioResult]:
    """The catalogue, ranking, scenario and evaluated scenario the shortlist flags describe."""
    from pydantic import ValidationError

    from matrix.catalogue import load_catalogue
    from matrix.decision import build_problem, evaluate
    from scoring import score

    if args.budget < 0:
        raise UsageError(f"--budget: must be zero or more (got {args.budget:g})")
    check_scenario_flags(args)
    if not 0 <= args.ringfence <= 1:
        raise UsageError(f"--ringfence: the share must be between 0 and 1 (got {args.ringfence:g})")
    loaded = load_catalogue(args.catalogue)
    weights = _weights(args, loaded)
    problem = build_problem(loaded.catalogue, loaded.sha256, loaded.text)
    try:
        result = score(problem.values, weights, normalisation=args.normalisation)
        scenario = scenario_from_flags(args, weights, args.budget, name)
        with solver_output_to_stderr():
            funded = evaluate(problem, scenario)
    except ValidationError as error:
        raise UsageError("; ".join(e["msg"] for e in error.errors(include_url=False))) from None
    return problem, result, scenario, funded


def _shortlist(args: argparse.Namespace) -> int:
    from matrix.decision import funding_table, to_safe_csv

    problem, result, _, funded = _scenario(args, "command line")
    table = funding_table(problem, result, funded)
    optimum = funded.optimum
    summary = (
        f"funded {len(optimum.chosen)} of {len(table)} interventions for £{optimum.spend_gbp:,.0f} "
        f"(value {optimum.value:.1f}; ratio ranking would reach {funded.ratio.value:.1f})"
    )
    _write(args.out, to_safe_csv(table), summary + ("; wrote the shortlist" if args.out else ""))
    if args.out is None:
        print(summary, file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:
    from matrix.catalogue import read_bounded
    from matrix.persistence import RecordError, build_record, max_record_bytes, read_record, record_json
    from matrix.report import board_report, to_docx, to_pdf

    out = Path(args.out)
    if out.suffix.lower() not in {".docx", ".pdf"}:
        raise UsageError(f"--out: give a file ending .docx (Word) or .pdf (got {args.out})")
    if len(args.compare) > 3:
        raise UsageError("--compare: at most three records to compare with (four scenarios in all)")
    problem, _, scenario, _ = _scenario(args, args.name)
    compared = []
    for path in args.compare:
        other = read_record(read_bounded(path, max_record_bytes(), path, RecordError, "a record"), path)
        if other.catalogue.sha256 != problem.sha256:
            raise UsageError(f"--compare: {path} was made with a different catalogue (SHA-256 {other.catalogue.sha256[:12]})")
        compared.append(other)
    with solver_output_to_stderr():
        record = build_record(problem, scenario, args.by)
        report = board_report(problem, record, compared)
        data = to_docx(report) if out.suffix.lower() == ".docx" else to_pdf(report)
    record_path = out.with_name(out.stem + ".record.json")
    _write(str(record_path), record_json(record), "wrote its decision record")
    _write(str(out), data, f"wrote the board report ({report.facts['funded']} funded for {report.facts['spend']})")
    return 0


def _montecarlo(args: argparse.Namespace) -> int:
    from matrix.decision import DEFAULT_SEED, monte_carlo_table, run_monte_carlo, to_safe_csv

    if not 1 <= args.draws <= MAX_DRAWS:
        raise UsageError(f"--draws: give a number from 1 to {MAX_DRAWS:,} (got {args.draws})")
    seed = DEFAULT_SEED if args.seed is None else args.seed
    if seed < 0:
        raise UsageError(f"--seed: must be zero or more (got {seed})")
    problem, _, scenario, _ = _scenario(args, "command line")
    if not 1 <= args.top <= len(problem.values):
        raise UsageError(f"--top: give a number from 1 to {len(problem.values)} (got {args.top})")
    with solver_output_to_stderr():
        result = run_monte_carlo(problem, scenario, args.draws, seed, top_k=args.top, with_funding=not args.no_funding)
    summary = f"{args.draws:,} draws, seed {seed}; largest standard error {result.max_standard_error:.3f}"
    _write(args.out, to_safe_csv(monte_carlo_table(problem, result)), summary + ("; wrote the probabilities" if args.out else ""))
    if args.out is None:
        print(summary, file=sys.stderr)
    return 0


def _replay(args: argparse.Namespace) -> int:
    from matrix.catalogue import max_catalogue_bytes, read_bounded
    from matrix.persistence import RecordError, max_record_bytes, read_record, replay

    record = read_record(read_bounded(args.record, max_record_bytes(), args.record, RecordError, "a record"), args.record)
    catalogue = None
    if args.catalogue is not None:
        catalogue = read_bounded(args.catalogue, max_catalogue_bytes(), args.catalogue, CatalogueError, "a catalogue file")
    with solver_output_to_stderr():
        differences, results = replay(record, catalogue, args.catalogue or "the record's catalogue")
    if differences:
        print(f"{args.record}: the replay differs from the record in {len(differences)} way(s):")
        for difference in differences:
            print(f"  {difference}")
        return 1
    print(
        f"{args.record}: identical: {len(results.ranking)} interventions ranked the same, "
        f"{len(results.funded)} funded for £{results.spend_gbp:,.0f} (value {results.value:.2f})"
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    """Warnings with places; exit 0 with warnings, 1 when the catalogue does not load (its errors)."""
    from matrix.catalogue import audit_catalogue, load_catalogue
    from matrix.decision import build_problem, confirm_first_lines, default_scenario, figures_to_confirm

    loaded = load_catalogue(args.path)
    findings = audit_catalogue(loaded)
    for finding in findings:
        print(finding)
    problem = build_problem(loaded.catalogue, loaded.sha256)
    try:
        with solver_output_to_stderr():
            figures = figures_to_confirm(problem, default_scenario(problem))
    except DecisionError as error:
        print(f"Which estimates to confirm first: not worked out, the default scenario cannot be met ({error})")
    else:
        lines = confirm_first_lines(figures)
        moving = int((figures["changes_funded_set"] | figures["changes_top_5"]).sum()) if len(figures) else 0
        print(
            f"Which estimates to confirm first: {moving} of the {len(figures)} estimated values could change the default "
            "scenario's funded set or top five on their own, within the range each could plausibly take"
            + (f"; the {len(lines)} that could move most of it:" if lines else ".")
        )
        for line in lines:
            print(f"  {line}")
    print(f"{args.path}: {len(findings)} warning(s), no errors")
    return 0


def _roles(args: argparse.Namespace) -> int:
    from matrix.access import load_roles

    rules = load_roles(args.path)
    print(f"{args.path}: valid: default role {rules.default_role}, {len(rules.rule)} rule(s)")
    if args.email:
        roles = rules.roles_for(args.email, args.group)
        print(f"{args.email.strip().lower()}: " + (", ".join(sorted(r.value for r in roles)) or "no role (refused)"))
    return 0


def _scenario_flags(short: argparse.ArgumentParser) -> None:
    """The scenario's flags, shared by shortlist and report."""
    short.add_argument("--budget", type=float, required=True, help="annual budget in GBP")
    short.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE), help="catalogue TOML (default: the shipped one)")
    picked = short.add_mutually_exclusive_group()
    picked.add_argument("--weights", help="e.g. impact=40,reach=20,cost=20,risk=20")
    picked.add_argument("--preset", help="a preset id from the catalogue")
    short.add_argument("--must", action="append", default=[], metavar="ID", help="fund this intervention (repeatable)")
    short.add_argument("--exclude", action="append", default=[], metavar="ID", help="never fund this one (repeatable)")
    short.add_argument(
        "--allow-harmful", action="append", default=[], metavar="ID", help="allow a harmful-rated one; needs --reason"
    )
    short.add_argument("--reason", action="append", default=[], metavar="TEXT", help="why, for each --allow-harmful")
    short.add_argument("--tier-min", action="append", default=[], metavar="TIER=SHARE", help="least share of spend, 0-1")
    short.add_argument("--tier-max", action="append", default=[], metavar="TIER=SHARE", help="most share of spend, 0-1")
    short.add_argument(
        "--ringfence", type=float, default=0.0, metavar="SHARE", help="share of the budget kept for evaluation, 0-1"
    )
    short.add_argument("--keep-today", action="store_true", help="keep everything funded today (no disinvestment)")
    short.add_argument("--include-cost", action="store_true", help="count the cost criterion in the benefit too")
    short.add_argument("--normalisation", choices=list(NORMALISATIONS), default="value_functions")


def _add_plan(parser: argparse.ArgumentParser) -> None:
    """The plan command lives in matrix/cli_plan.py."""
    from matrix.cli_plan import add_plan_flags, run_plan

    add_plan_flags(parser)
    parser.set_defaults(run=run_plan)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m matrix", description="Interventions matrix: check and score the catalogue.")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check a catalogue file and list every problem")
    validate.add_argument("path", nargs="?", default=str(DEFAULT_CATALOGUE), help="catalogue TOML (default: the shipped one)")
    validate.set_defaults(run=_validate)

    move = commands.add_parser(
        "migrate", help="write a schema version 1 catalogue as version 2, its four criteria as [[criteria]]"
    )
    move.add_argument("path", help="catalogue TOML written for schema version 1")
    move.add_argument("--out", help="file to write (default: standard output); never the catalogue itself")
    move.set_defaults(run=_migrate)

    audit_cmd = commands.add_parser("audit", help="check a catalogue's internal consistency, as warnings with places")
    audit_cmd.add_argument("path", nargs="?", default=str(DEFAULT_CATALOGUE), help="catalogue TOML (default: the shipped one)")
    audit_cmd.set_defaults(run=_audit)

    score_cmd = commands.add_parser("score", help="write the ranked shortlist as CSV")
    score_cmd.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE), help="catalogue TOML (default: the shipped one)")
    chosen = score_cmd.add_mutually_exclusive_group()
    chosen.add_argument("--weights", help="e.g. impact=40,reach=20,cost=20,risk=20 (normalised to 100%%)")
    chosen.add_argument("--preset", help="a preset id from the catalogue (default: the catalogue's default preset)")
    score_cmd.add_argument("--normalisation", choices=list(NORMALISATIONS), default="value_functions")
    score_cmd.add_argument("--out", help="file to write (default: standard output)")
    score_cmd.set_defaults(run=_score)

    short = commands.add_parser("shortlist", help="the exact best set to fund within a budget, as CSV")
    _scenario_flags(short)
    short.add_argument("--out", help="file to write (default: standard output)")
    short.set_defaults(run=_shortlist)

    paper = commands.add_parser(
        "report",
        help="the board report (Word or PDF) and its decision record",
        description="Write the board report for a scenario (the shortlist's flags) as Word (.docx) or PDF (.pdf), "
        "with its decision record beside it so `python -m matrix replay` reproduces it.",
    )
    _scenario_flags(paper)
    paper.add_argument("--name", default="Recommended scenario", help="the scenario's name in the report")
    paper.add_argument("--by", default="command line", help="who prepared it (signs the report and its record)")
    paper.add_argument("--compare", action="append", default=[], metavar="RECORD", help="a decision record to compare with")
    paper.add_argument("--out", required=True, help="board.docx or board.pdf (the record is written beside it)")
    paper.set_defaults(run=_report)

    trials = commands.add_parser(
        "montecarlo", help="how sure: probability of rank 1, of the top K and of being funded, with standard errors, as CSV"
    )
    _scenario_flags(trials)
    trials.add_argument("--draws", type=int, default=2_000, help="number of draws (default 2,000)")
    trials.add_argument("--seed", type=int, help="random seed (default: the app's): the same seed gives the same answer")
    trials.add_argument("--top", type=int, default=5, metavar="K", help="the top places to count (default 5)")
    trials.add_argument("--no-funding", action="store_true", help="rank probabilities only (skip the funded set per draw)")
    trials.add_argument("--out", help="file to write (default: standard output)")
    trials.set_defaults(run=_montecarlo)

    plan_cmd = commands.add_parser("plan", help="the exact best plan over 1-5 years and the funding streams, as CSV")
    _scenario_flags(plan_cmd)
    _add_plan(plan_cmd)

    again = commands.add_parser("replay", help="re-run a decision record and check it gives the same shortlist")
    again.add_argument("record", help="a decision record (JSON) exported by the app")
    again.add_argument("--catalogue", help="replay against this catalogue instead of the copy inside the record")
    again.set_defaults(run=_replay)

    roles = commands.add_parser("roles", help="check a roles file, and show the roles it gives one person")
    roles.add_argument("path", help="the roles file (TOML)")
    roles.add_argument("--email", help="whose roles to show")
    roles.add_argument("--group", action="append", default=[], metavar="GROUP", help="a group in their groups claim (repeatable)")
    roles.set_defaults(run=_roles)
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
    except InfeasibleError as error:
        print("error: the constraints cannot all hold: " + "; ".join(error.reasons), file=sys.stderr)
        return 1
    except DecisionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
