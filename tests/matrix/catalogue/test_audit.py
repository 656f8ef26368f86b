"""``matrix audit``: consistency warnings with their file and line; exit 0 with warnings, 1 when the file does not load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from matrix.catalogue import audit_catalogue, load_catalogue
from tests.conftest import run_cli
from tests.matrix.example import readme_example, with_change

Write = Callable[[str | bytes], Path]
NO_NOTE = "sourced to 'plan' with no note quoting where the source says so"


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def test_each_warning_names_its_line(write_catalogue: Write) -> None:
    """Today's spend over the budget, no budget year, a tertiary reach of 20,000 with no note, a partial match and a
    strand checked two years ago are each warned about at their own line."""
    text = with_change(
        'annual_budget_gbp = { value = 100000, source = "plan" }', 'annual_budget_gbp = { value = 40000, source = "plan" }'
    )
    text = with_change(
        'prevention_tiers = { value = ["secondary"], source = "plan" }',
        'prevention_tiers = { value = ["tertiary"], source = "plan", note = "p. 3" }',
        text,
    )
    text = with_change('reach_per_year = { source = "unconfirmed" }', 'reach_per_year = { value = 20000, source = "plan" }', text)
    text = with_change('yef_fit = "direct"', 'yef_fit = "partial"\nyef_mapping_note = "peer mentors"', text)
    path = write_catalogue(text)
    strand_line = line_of(text, 'id = "mentoring"')
    found = [str(f) for f in audit_catalogue(load_catalogue(path), today=dt.date(2028, 12, 1))]
    assert found == [
        f"{path}:{line_of(text, 'annual_budget_gbp')}: budget.annual_budget_gbp: warning: the 1 interventions funded "
        "today cost £50,000 a year, more than the £40,000 budget; keeping them all cannot be met",
        f"{path}:{line_of(text, '[budget]')}: budget.year: warning: the budget does not say which year it is for",
        f"{path}:{line_of(text, 'reach_per_year')}: peer-mentoring.reach_per_year: warning: 20,000 people engaged a year "
        "is far beyond the usual range of tertiary work (up to 1,000); is it an audience rather than people engaged?",
        f"{path}:{line_of(text, 'yef_fit')}: peer-mentoring.yef_fit: warning: only a partial match to YEF strand "
        "'mentoring': peer mentors",
        f"{path}:{line_of(text, 'status =')}: peer-mentoring.status: warning: {NO_NOTE}",
        f"{path}:{line_of(text, 'target_group')}: peer-mentoring.target_group: warning: {NO_NOTE}",
        f"{path}:{line_of(text, 'reach_per_year')}: peer-mentoring.reach_per_year: warning: {NO_NOTE}",
        f"{path}:{line_of(text, 'funded_today')}: peer-mentoring.funded_today: warning: {NO_NOTE}",
        f"{path}:{strand_line}: yef_strands.mentoring.checked: warning: ratings last checked 21 Nov 2026, more than 365 days ago",
    ]


def test_audit_command_exits_0_with_warnings_and_1_with_errors(write_catalogue: Write) -> None:
    """Warnings print one a line with a count and exit 0; a catalogue that does not load exits 1 with its problems."""
    path = write_catalogue(readme_example())
    ran = run_cli(["audit", str(path)])
    assert ran.returncode == 0
    assert ran.stdout.splitlines()[-1].startswith(f"{path}: ") and ran.stdout.endswith("warning(s), no errors\n")
    broken = write_catalogue(with_change("value = 50000,", "value = -1,"))
    failed = run_cli(["audit", str(broken)])
    assert failed.returncode == 1
    assert "annual_cost_gbp.value: must be greater than or equal to 0" in failed.stdout + failed.stderr


def test_audit_command_lists_the_estimates_to_confirm_first() -> None:
    """On the shipped catalogue, the audit ends with the library's short list for the default scenario."""
    from matrix.decision import build_problem, confirm_first_lines, default_scenario, figures_to_confirm
    from tests.conftest import SHIPPED

    loaded = load_catalogue(SHIPPED)
    problem = build_problem(loaded.catalogue, loaded.sha256)
    figures = figures_to_confirm(problem, default_scenario(problem))
    lines = confirm_first_lines(figures)
    assert lines
    ran = run_cli(["audit", str(SHIPPED)])
    assert ran.returncode == 0
    out = ran.stdout.splitlines()
    start = next(n for n, line in enumerate(out) if line.startswith("Which estimates to confirm first: "))
    moving = int((figures["changes_funded_set"] | figures["changes_top_5"]).sum())
    assert out[start].startswith(f"Which estimates to confirm first: {moving} of the {len(figures)} estimated values")
    assert out[start + 1 : start + 1 + len(lines)] == [f"  {line}" for line in lines]


def test_warnings_of_many_interventions_name_each_ones_line(write_catalogue: Write) -> None:
    """Five hundred interventions: each one's warnings name a line inside its own table (the places are worked
    out once for the whole file)."""
    text = readme_example()
    block = text[text.index("[[interventions]]") :]
    text += "".join("\n" + block.replace('id = "peer-mentoring"', f'id = "peer-{k:03d}"') for k in range(500))
    loaded = load_catalogue(write_catalogue(text))
    lines = text.splitlines()
    starts = {line[6:-1]: n for n, line in enumerate(lines, start=1) if line.startswith('id = "peer')}
    findings = [f for f in audit_catalogue(loaded, today=dt.date(2026, 11, 22)) if ": peer-" in f.place]
    assert len(findings) == 501 * 4  # status, tiers, target group, funded today: no note
    for finding in findings:
        _, line, field = finding.place.split(":", 2)
        ident, name = field.strip().split(".")
        start = starts[ident]
        assert start < int(line) < start + 15 and lines[int(line) - 1].startswith(f"{name} ="), finding
