"""Reach of the right kind: people engaged score and count; an audience is shown but never scored; the budget's year."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matrix.catalogue import load_catalogue
from matrix.decision import build_problem, default_scenario, evaluate, status_quo_notice
from tests.matrix.catalogue.test_loader import problems_of
from tests.matrix.example import readme_example, with_change

Write = Callable[[str | bytes], Path]
AUDIENCE = 'audience = { value = 90000, measure = "views over eight weeks", source = "plan" }'


def test_an_audience_equal_to_reach_is_refused(write_catalogue: Write) -> None:
    """One figure given as both people engaged and audience is refused, with the reason."""
    text = with_change(
        'reach_per_year = { source = "unconfirmed" }', f'reach_per_year = {{ value = 90000, source = "plan" }}\n{AUDIENCE}'
    )
    path = write_catalogue(text)
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}: interventions[0]: reach_per_year and audience are both 90,000: reach_per_year counts people engaged, "
        "audience people who saw or heard it; one figure cannot be both (leave reach unconfirmed if only the audience is known)"
    )


def test_an_audience_must_say_what_was_counted(write_catalogue: Write) -> None:
    """An audience without its measure (what was counted, over what period) is refused."""
    text = with_change(
        'reach_per_year = { source = "unconfirmed" }',
        'reach_per_year = { source = "unconfirmed" }\naudience = { value = 90000, source = "plan" }',
    )
    path = write_catalogue(text)
    assert problems_of(path) == [f"{path}: interventions[0].audience.measure: missing required key"]


def test_an_audience_is_neither_scored_nor_counted_as_reach(write_catalogue: Write) -> None:
    """A huge audience leaves the reach value at the tier rule's, and the funded set reaches no one more for it."""
    plain = load_catalogue(write_catalogue(readme_example()))
    text = with_change(
        'reach_per_year = { source = "unconfirmed" }', f'reach_per_year = {{ source = "unconfirmed" }}\n{AUDIENCE}'
    )
    loaded = load_catalogue(write_catalogue(text))
    with_audience = build_problem(loaded.catalogue, loaded.sha256)
    without = build_problem(plain.catalogue, plain.sha256)
    assert with_audience.values.equals(without.values)
    assert with_audience.values.at["peer-mentoring", "reach"] == 35  # secondary tier rule, not 90,000 people
    assert with_audience.options["reach_per_year"].isna().all()
    assert evaluate(with_audience, default_scenario(with_audience)).optimum.reach == 0
    assert with_audience.info.at["peer-mentoring", "audience"] == "90,000 (views over eight weeks)"
    assert (
        "audience of 90,000 (views over eight weeks) is not people engaged and is not scored"
        in with_audience.inputs.at["peer-mentoring", "reach"]
    )


def test_the_budget_year_is_a_financial_year(write_catalogue: Write) -> None:
    """A budget year must be two years in a row, written 2020/21."""
    path = write_catalogue(
        with_change(
            'annual_budget_gbp = { value = 100000, source = "plan" }',
            'annual_budget_gbp = { value = 100000, source = "plan" }\nyear = "2020/22"',
        )
    )
    assert problems_of(path) == [
        f"{path}: budget.year: '2020/22' is not a financial year: write the two years in a row, such as 2020/21 (got '2020/22')"
    ]


def test_status_quo_notice_says_when_today_does_not_fit(write_catalogue: Write) -> None:
    """Funded-today costs above the budget are said plainly, with the budget's year; when they fit, nothing is said.

    The example's one intervention costs £50,000 (illustrative) and is funded today: a £40,000 budget cannot keep it."""
    fits = load_catalogue(write_catalogue(readme_example()))
    assert status_quo_notice(build_problem(fits.catalogue, fits.sha256)) is None
    text = with_change(
        'annual_budget_gbp = { value = 100000, source = "plan" }',
        'annual_budget_gbp = { value = 40000, source = "plan" }\nyear = "2024/25"',
    )
    tight = load_catalogue(write_catalogue(text))
    notice = status_quo_notice(build_problem(tight.catalogue, tight.sha256))
    assert notice == (
        "What is marked funded today does not fit the budget: its 1 interventions cost £50,000 a year "
        "(every one of those costs is our estimate: no source gives them), more than £40,000 (the 2024/25 budget). "
        "So keeping everything funded today cannot be met at this budget, and the recommended set stops some of it."
    )
