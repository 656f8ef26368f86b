"""The shipped catalogue: complete, sourced, and honest about what is not confirmed."""

from __future__ import annotations

from matrix.catalogue import UNCONFIRMED, LoadedCatalogue, MaybeSourced, Sourced, provenance_counts

STRATEGY_TABLE = {
    "sports-diversion-mentoring",
    "cbt-community",
    "focused-deterrence-another-way",
    "healthy-relationships-schools",
    "mentoring-targeted-outreach",
    "cce-knife-crime-education",
    "trauma-informed-da-support",
    "prison-mentoring",
}
NAMED_ELSEWHERE = {
    "ae-navigators-redthread",
    "mentors-in-violence-prevention",
    "u-turn-custody",
    "prisoner-resettlement",
    "da-perpetrator-programme",
    "graduated-parenting-offer",
    "nvr-parenting",
    "contextual-safeguarding-pilot",
    "childrens-society-systems-change",
    "hashtagng-campaign",
    "bleed-control-kits",
    "positive-futures-peer-mentoring",
    "yjs-my-futures",
    "knife-awareness-events",
    "weapon-amnesties",
    "police-school-liaison",
    "nte-operations",
    "safe-spaces-ask-angela",
    "cctv-lighting-upgrades",
    "detached-youth-outreach",
}


def test_every_named_intervention_is_in_the_catalogue(shipped: LoadedCatalogue) -> None:
    """All eight strategy-table rows and the other programmes the sources name are present (25+ in all)."""
    ids = {i.id for i in shipped.catalogue.interventions}
    assert ids >= STRATEGY_TABLE | NAMED_ELSEWHERE
    assert len(ids) >= 25


def test_strategy_rows_carry_the_strategy_cost_band_and_impact(shipped: LoadedCatalogue) -> None:
    """The strategy table's rows have its cost band and impact estimate, sourced to it."""
    for item in shipped.catalogue.interventions:
        if item.id in STRATEGY_TABLE:
            assert item.local_cost_band is not None and item.local_cost_band.source == "strategy2024"
            assert item.local_impact_estimate is not None and item.local_impact_estimate.source == "strategy2024"


def test_default_budget_is_the_core_grant_with_its_source(shipped: LoadedCatalogue) -> None:
    """The default budget is the £880,000 core grant from the 2020 council report, for 2020/21."""
    budget = shipped.catalogue.budget.annual_budget_gbp
    assert (budget.value, budget.source) == (880_000, "county2020")
    assert shipped.catalogue.budget.year == "2020/21"


def test_no_numeric_yef_evidence_or_cost_rating_is_claimed(shipped: LoadedCatalogue) -> None:
    """The research confirmed no strand's numeric evidence or cost rating, so none is given as fact."""
    for strand in shipped.catalogue.yef_strands:
        assert strand.evidence_rating.value is None and strand.evidence_rating.source == UNCONFIRMED
        assert strand.cost_rating.value is None and strand.cost_rating.source == UNCONFIRMED


def test_figures_from_the_sources_cite_them(shipped: LoadedCatalogue) -> None:
    """Reach figures the sources give are recorded with their source (TLC 16; I&A 24), and HashtagNG's 81,890
    (Facebook and Instagram reach over about eight weeks) as an audience, not as people engaged."""
    reach = {i.id: i.reach_per_year for i in shipped.catalogue.interventions}
    hashtag = next(i for i in shipped.catalogue.interventions if i.id == "hashtagng-campaign")
    assert hashtag.audience is not None and (hashtag.audience.value, hashtag.audience.source) == (81_890, "county2020")
    assert hashtag.reach_per_year.value is None
    assert (reach["transform-tlc-programme"].value, reach["transform-tlc-programme"].source) == (16, "southnotts2024")
    assert (reach["inspire-achieve-mentoring"].value, reach["inspire-achieve-mentoring"].source) == (24, "county2020")


def test_every_value_has_provenance(shipped: LoadedCatalogue) -> None:
    """Every figure of every intervention is a sourced value, and the catalogue counts what is unverified."""
    for item in shipped.catalogue.interventions:
        for name in (
            "status",
            "prevention_tiers",
            "delivery_model",
            "target_group",
            "annual_cost_gbp",
            "reach_per_year",
            "funded_today",
            "delivery_risk",
        ):
            assert isinstance(getattr(item, name), Sourced | MaybeSourced), (item.id, name)
    counts = provenance_counts(shipped.catalogue)
    assert counts["illustrative"] > 0 and counts["unconfirmed"] > 0


def test_harmful_option_is_marked_as_not_from_the_sources(shipped: LoadedCatalogue) -> None:
    """The one harmful long-list option says it is not proposed by any partner."""
    harmful = [
        i
        for i in shipped.catalogue.interventions
        if (s := shipped.catalogue.strand(i.yef_strand)) and s.impact_band.value == "harmful"
    ]
    assert [i.id for i in harmful] == ["prison-awareness-visits"]
    assert harmful[0].status.value == "proposed" and "Not named in the sources" in harmful[0].overview
