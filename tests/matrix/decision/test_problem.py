"""The decision problem: hand-worked values for shipped interventions, explanations, descriptions."""

from __future__ import annotations

import math

import pytest

from matrix.decision import DecisionProblem, describe_value_functions, explain
from scoring import CRITERIA, score


def test_mentoring_outreach_values_hand_worked(problem: DecisionProblem) -> None:
    """Mentoring outreach: impact 21% -> 64.25; reach 350 -> 25*(log10 350 - 1) = 38.6;
    cost £180k -> 100 - 50*log10(180000/5000) = 22.2; risk 100 - 30 (no evidence rating) - 10 (medium) = 60."""
    row = problem.values.loc["mentoring-targeted-outreach"]
    assert row["impact"] == pytest.approx(64.25)
    assert row["reach"] == pytest.approx(25 * (math.log10(350) - 1))
    assert row["cost"] == pytest.approx(100 - 50 * math.log10(180_000 / 5_000))
    assert row["risk"] == pytest.approx(60.0)


def test_partial_fit_keeps_half_the_difference(problem: DecisionProblem) -> None:
    """Prison mentoring only partly matches mentoring: 15 + 0.5 * (64.25 - 15) = 39.625; risk adds -10."""
    row = problem.values.loc["prison-mentoring"]
    assert row["impact"] == pytest.approx(39.625)
    assert row["risk"] == pytest.approx(100 - 30 - 10 - 10)


def test_band_only_and_no_strand(problem: DecisionProblem) -> None:
    """CBT has only a HIGH band (85); the perpetrator programme has no strand (15, and -10 risk)."""
    assert problem.values.at["cbt-community", "impact"] == 85
    assert problem.values.at["da-perpetrator-programme", "impact"] == 15
    assert problem.values.at["da-perpetrator-programme", "risk"] == pytest.approx(100 - 30 - 10 - 10)


def test_unknown_reach_uses_the_tier_rule(problem: DecisionProblem) -> None:
    """The contextual safeguarding pilot has no reach figure; as secondary prevention it scores 35."""
    assert problem.values.at["contextual-safeguarding-pilot", "reach"] == 35
    assert "tier rule" in problem.provenance.at["contextual-safeguarding-pilot", "reach"]


def test_harmful_scores_zero_on_impact_and_risk(problem: DecisionProblem) -> None:
    """A harmful-rated approach scores 0 on impact and 0 on risk, and is flagged."""
    assert problem.values.loc["prison-awareness-visits", ["impact", "risk"]].tolist() == [0, 0]
    assert problem.info.at["prison-awareness-visits", "harmful"]
    assert problem.info["harmful"].sum() == 1


def test_values_stay_within_0_and_100(problem: DecisionProblem) -> None:
    """Every value of every intervention is between 0 and 100."""
    assert ((problem.values >= 0) & (problem.values <= 100)).all().all()


def test_provenance_flags_name_unverified_fields(problem: DecisionProblem) -> None:
    """Flags name each illustrative or unconfirmed field; a sourced one is not flagged."""
    flags = problem.info.at["transform-tlc-programme", "provenance_flags"].split(";")
    assert "annual_cost_gbp:illustrative" in flags
    assert not any(f.startswith("reach_per_year") for f in flags)


def test_explanation_adds_up_and_names_sources(problem: DecisionProblem) -> None:
    """The explanation's contributions add up to the score, and it names the YEF source in words."""
    result = score(problem.values, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    table = explain(problem, result, "mentoring-targeted-outreach")
    assert table["contribution"].sum() == pytest.approx(result.scores["mentoring-targeted-outreach"], abs=0.02)
    assert "Youth Endowment Fund" in table.loc[0, "provenance"]
    assert table.loc[0, "in words"].startswith("Impact: YEF Mentoring: 21% less violence (moderate) scores 64 of 100")


def test_descriptions_are_generated_from_the_anchors(problem: DecisionProblem) -> None:
    """Each criterion's description states its anchors in words."""
    text = describe_value_functions(problem.catalogue)
    assert set(text) == set(CRITERIA)
    assert "0 = 10 people a year; 100 = 100,000 people a year (each tenfold rise adds 25 points)" in text["reach"]
    assert "each tenfold rise in cost loses 50 points" in text["cost"]
    assert "10 = no change in violence" in text["impact"]


def test_harmful_strand_scores_zero_whatever_its_percent_or_fit() -> None:
    """As the README says: a harmful strand scores the harmful band's 0 on impact even with a % and a partial
    match (it used to score 7.5 from the % curve); unknown reach takes the widest tier's points (primary 60,
    though a catalogue gives secondary more points)."""
    from matrix.catalogue import parse_catalogue
    from matrix.decision import build_problem
    from tests.matrix.example import with_change

    text = with_change(
        'impact_band = { value = "moderate", source = "illustrative" }\nimpact_pct = { value = 21.0, source = "illustrative" }',
        'impact_band = { value = "harmful", source = "illustrative" }\nimpact_pct = { value = -6.0, source = "illustrative" }',
    )
    text = with_change('yef_fit = "direct"', 'yef_fit = "partial"', text)
    text = with_change(
        'prevention_tiers = { value = ["secondary"], source = "plan" }',
        'prevention_tiers = { value = ["tertiary", "primary", "secondary"], source = "plan" }',
        text,
    )
    text = with_change(
        "tier_points = { primary = 60, secondary = 35, tertiary = 15 }",
        "tier_points = { primary = 60, secondary = 70, tertiary = 15 }",
        text,
    )
    loaded = parse_catalogue(text.encode("utf-8"), "example")
    built = build_problem(loaded.catalogue, loaded.sha256)
    assert built.values.at["peer-mentoring", "impact"] == 0
    assert built.values.at["peer-mentoring", "reach"] == 60
