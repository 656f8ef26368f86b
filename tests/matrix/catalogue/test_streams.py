"""Funding streams in the catalogue: optional, validated with places, sourced, and written back unchanged."""

from __future__ import annotations

import pytest

from matrix.catalogue import (
    PROVENANCE_KEYWORDS,
    SHIPPED_CATALOGUE,
    CatalogueError,
    catalogue_to_toml,
    load_catalogue,
    parse_catalogue,
)
from tests.matrix.example import readme_example

STREAM = """
[[funding_streams]]
id = "core"
name = "Core grant"
funder = "Home Office"
amount_per_year_gbp = { value = 880000, source = "plan" }
years = { first = "2020/21", source = "plan" }
eligible = { tiers = ["secondary"], source = "plan" }
"""


def problems(old: str, new: str, stream: str = STREAM) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue((readme_example() + stream.replace(old, new)).encode(), "cat.toml")
    return [str(p) for p in caught.value.problems]


def test_a_catalogue_without_streams_loads_and_writes_as_before() -> None:
    """The README's example has no streams: none are loaded and none are written back."""
    loaded = parse_catalogue(readme_example().encode(), "cat.toml")
    assert loaded.catalogue.funding_streams == ()
    assert "funding_streams" not in catalogue_to_toml(loaded.catalogue)


def test_a_stream_loads_and_round_trips() -> None:
    """A stream's fields are kept, and the catalogue written as TOML loads back identical."""
    loaded = parse_catalogue((readme_example() + STREAM).encode(), "cat.toml")
    (stream,) = loaded.catalogue.funding_streams
    assert (stream.id, stream.amount_per_year_gbp.value, stream.years.first, stream.years.last) == (
        "core",
        880000,
        "2020/21",
        None,
    )
    assert stream.eligible.tiers == ("secondary",) and stream.may_share is True
    assert parse_catalogue(catalogue_to_toml(loaded.catalogue).encode(), "again").catalogue == loaded.catalogue


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'tiers = ["secondary"]',
            'interventions = ["peer-mentoring", "nobody"]',
            "cat.toml: funding_streams[0].eligible.interventions[1]: no intervention has this id (got 'nobody')",
        ),
        (
            'first = "2020/21"',
            'first = "2020/22"',
            "cat.toml: funding_streams[0].years.first: '2020/22' is not a financial year: write the two years in a row, "
            "such as 2020/21 (got '2020/22')",
        ),
        (
            "value = 880000",
            "value = -5",
            "cat.toml: funding_streams[0].amount_per_year_gbp.value: must be greater than or equal to 0 (got -5)",
        ),
        (
            'value = 880000, source = "plan"',
            'value = 880000, source = "nowhere"',
            'cat.toml: funding_streams[0].amount_per_year_gbp.source: unknown source; use one of plan, or "illustrative" '
            "or \"unconfirmed\" (got 'nowhere')",
        ),
        ('tiers = ["secondary"]', 'kind = "x"', "cat.toml: funding_streams[0].eligible.kind: unknown key (got 'x')"),
        (
            'tiers = ["secondary"]',
            'tiers = ["middle"]',
            "cat.toml: funding_streams[0].eligible.tiers[0]: must be 'primary', 'secondary' or 'tertiary' (got 'middle')",
        ),
    ],
)
def test_stream_problems_are_located(old: str, new: str, expected: str) -> None:
    """Each mistake in a stream is reported with its place, in words."""
    assert problems(old, new) == [expected]


def test_years_out_of_order_and_duplicate_ids() -> None:
    """A last year before the first, and two streams with one id, are both refused."""
    assert problems('first = "2020/21"', 'first = "2021/22", last = "2020/21"')[0].startswith(
        "cat.toml: funding_streams[0].years: last (2020/21) is before first (2021/22)"
    )
    assert problems("", "", STREAM + STREAM) == [
        "cat.toml: funding_streams[0].id: duplicate id: 2 entries share it (got 'core')",
        "cat.toml: funding_streams[1].id: duplicate id: 2 entries share it (got 'core')",
    ]


def test_shipped_streams_are_the_ones_the_seeds_name_each_figure_sourced_or_marked() -> None:
    """The shipped catalogue has the core grant, the EIYF, surge, PCC and Safer Streets money; every amount,
    period and rule either cites a source with the passage in its note or says it is illustrative or unconfirmed."""
    catalogue = load_catalogue(SHIPPED_CATALOGUE).catalogue
    amounts = {s.id: s.amount_per_year_gbp.value for s in catalogue.funding_streams}
    assert amounts == {
        "home-office-core-grant": 880_000,
        "early-intervention-youth-fund": 690_000,
        "police-surge-funding": 750_000,
        "pcc-funding": 50_000,
        "safer-streets-5": 60_000,
    }
    for stream in catalogue.funding_streams:
        for part in (stream.amount_per_year_gbp, stream.years, stream.eligible):
            assert part.note, (stream.id, part)
            assert part.source in PROVENANCE_KEYWORDS or catalogue.source(part.source) is not None
    core = catalogue.funding_streams[0]
    assert core.amount_per_year_gbp.source == "county2020" and "£880,000" in (core.amount_per_year_gbp.note or "")
    surge = next(s for s in catalogue.funding_streams if s.id == "police-surge-funding")
    assert (surge.years.first, surge.years.last, surge.amount_per_year_gbp.source) == ("2019/20", "2020/21", "illustrative")
