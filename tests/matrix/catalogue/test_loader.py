"""Loading catalogue files: every kind of problem gets its exact message and location."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from matrix.catalogue import CatalogueError, load_catalogue, max_catalogue_bytes, parse_catalogue
from matrix.persistence import max_record_bytes
from tests.matrix.example import readme_example, with_change

Write = Callable[[str | bytes], Path]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    return [str(p) for p in caught.value.problems]


def test_readme_example_loads(write_catalogue: Write) -> None:
    """The README's example catalogue is valid and has one intervention."""
    loaded = load_catalogue(write_catalogue(readme_example()))
    assert [i.id for i in loaded.catalogue.interventions] == ["peer-mentoring"]
    assert len(loaded.sha256) == 64


def test_toml_syntax_error_gives_line_and_column(write_catalogue: Write) -> None:
    """A TOML syntax error is reported as PATH:LINE:COL: message."""
    text = with_change('title = "Example"', 'title = "Example')
    path = write_catalogue(text)
    line = text.splitlines().index('title = "Example') + 1
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line}:")
    assert problem.endswith("Illegal character '\\n'")


def test_wrong_type(write_catalogue: Write) -> None:
    """A number written as text names the field and shows the value given."""
    path = write_catalogue(with_change("value = 50000,", 'value = "fifty thousand",'))
    assert problems_of(path) == [
        f"{path}: interventions[0].annual_cost_gbp.value: must be a number, not text (got 'fifty thousand')"
    ]


def test_unknown_key(write_catalogue: Write) -> None:
    """A key the schema does not know is named, not ignored."""
    path = write_catalogue(with_change('area = "County"', 'area = "County"\ncolour = "red"'))
    assert problems_of(path) == [f"{path}: interventions[0].colour: unknown key (got 'red')"]


def test_missing_key(write_catalogue: Write) -> None:
    """A required key that is missing is named."""
    path = write_catalogue(with_change('area = "County"\n', ""))
    assert problems_of(path) == [f"{path}: interventions[0].area: missing required key"]


def test_value_out_of_range(write_catalogue: Write) -> None:
    """A negative cost is refused with the bound."""
    path = write_catalogue(with_change("value = 50000,", "value = -5,"))
    assert problems_of(path) == [f"{path}: interventions[0].annual_cost_gbp.value: must be greater than or equal to 0 (got -5)"]


def test_unknown_enum_value_lists_the_allowed_ones(write_catalogue: Write) -> None:
    """An unknown tier is refused and the three real tiers are listed."""
    path = write_catalogue(with_change('value = ["secondary"]', 'value = ["quaternary"]'))
    assert problems_of(path) == [
        f"{path}: interventions[0].prevention_tiers.value[0]: must be 'primary', 'secondary' or 'tertiary' (got 'quaternary')"
    ]


@pytest.mark.parametrize("number", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused(write_catalogue: Write, number: str) -> None:
    """NaN and infinity are not costs."""
    path = write_catalogue(with_change("value = 50000,", f"value = {number},"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: interventions[0].annual_cost_gbp.value: must be a finite number")


def test_missing_value_needs_unconfirmed_source(write_catalogue: Write) -> None:
    """A value may be left out only when its source says unconfirmed."""
    path = write_catalogue(with_change('reach_per_year = { source = "unconfirmed" }', 'reach_per_year = { source = "plan" }'))
    assert problems_of(path) == [
        f'{path}: interventions[0].reach_per_year: no value given: give one, or set source = "unconfirmed" '
        "(got {'source': 'plan'})"
    ]


def test_duplicate_ids(write_catalogue: Write) -> None:
    """Two interventions with one id are both reported."""
    text = readme_example()
    block = text[text.index("[[interventions]]") :]
    path = write_catalogue(text + "\n" + block)
    assert problems_of(path) == [
        f"{path}: interventions[0].id: duplicate id: 2 entries share it (got 'peer-mentoring')",
        f"{path}: interventions[1].id: duplicate id: 2 entries share it (got 'peer-mentoring')",
    ]


def test_unknown_source(write_catalogue: Write) -> None:
    """A source id that is not in [[sources]] is named with the ids that exist."""
    path = write_catalogue(
        with_change('status = { value = "delivered", source = "plan" }', 'status = { value = "delivered", source = "plam" }')
    )
    assert problems_of(path) == [
        f"{path}: interventions[0].status.source: unknown source; "
        'use one of plan, or "illustrative" or "unconfirmed" (got \'plam\')'
    ]


def test_unknown_named_in_source(write_catalogue: Write) -> None:
    """named_in must list real source ids."""
    path = write_catalogue(with_change('named_in = ["plan"]', 'named_in = ["plan", "other"]'))
    assert problems_of(path) == [f"{path}: interventions[0].named_in[1]: unknown source; use one of plan (got 'other')"]


def test_unknown_strand(write_catalogue: Write) -> None:
    """A YEF strand that the catalogue does not define is named with the known ones."""
    path = write_catalogue(with_change('yef_strand = "mentoring"', 'yef_strand = "mentorship"'))
    assert problems_of(path) == [
        f"{path}: interventions[0].yef_strand: unknown YEF strand; known strands: mentoring (got 'mentorship')"
    ]


def test_unknown_default_preset(write_catalogue: Write) -> None:
    """default_preset must name a preset."""
    path = write_catalogue(with_change('default_preset = "balanced"', 'default_preset = "none"'))
    assert problems_of(path) == [f"{path}: default_preset: no preset has this id; presets: balanced (got 'none')"]


def test_all_zero_preset(write_catalogue: Write) -> None:
    """A preset whose weights are all zero is refused."""
    path = write_catalogue(
        with_change("impact = 25, reach = 25, cost = 25, risk = 25", "impact = 0, reach = 0, cost = 0, risk = 0")
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: presets[0].weights: all weights are zero")


def test_every_problem_is_reported_at_once(write_catalogue: Write) -> None:
    """Several problems in one file are all listed, schema and reference problems together."""
    text = with_change('area = "County"', 'area = "County"\ncolour = "red"')
    text = with_change("value = 50000,", "value = -1,", text)
    text = with_change('yef_strand = "mentoring"', 'yef_strand = "nope"', text)
    assert len(problems_of(write_catalogue(text))) == 3


def test_missing_file(tmp_path: Path) -> None:
    """A path with no file says so."""
    path = tmp_path / "absent.toml"
    assert problems_of(path) == [f"{path}: no such file"]


def test_folder(tmp_path: Path) -> None:
    """A folder is not a catalogue."""
    assert problems_of(tmp_path) == [f"{tmp_path}: this is a folder, not a catalogue file"]


def test_empty_file(write_catalogue: Write) -> None:
    """An empty (or blank) file says it is empty."""
    path = write_catalogue("  \n")
    assert problems_of(path) == [f"{path}: the file is empty"]


def test_not_utf8(write_catalogue: Write) -> None:
    """Bytes that are not UTF-8 are reported with the line, not a UnicodeDecodeError."""
    path = write_catalogue(b'title = "ok"\nname = "caf\xe9"\n')
    assert problems_of(path) == [f"{path}:2: the file is not UTF-8 text (byte 0xe9 cannot be decoded)"]


def test_size_limit() -> None:
    """A file over the size limit is refused before parsing."""
    with pytest.raises(CatalogueError, match="the limit is 5,242,880"):
        parse_catalogue(b"#" * (5 * 1024 * 1024 + 1), "big.toml")


def test_size_limit_is_a_setting(write_catalogue: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    """MATRIX_MAX_CATALOGUE_MB raises (or lowers) the limit for files read from disk and for uploaded bytes, and
    decision records may be twice as big; without it the limit is 5 MB and records 10 MB."""
    big = readme_example().encode() + b"#" * (6 * 1024 * 1024) + b"\n"
    path = write_catalogue(big)
    assert problems_of(path) == [f"{path}: the file is {len(big):,} bytes; the limit is 5,242,880"]
    assert max_record_bytes() == 10 * 1024 * 1024
    monkeypatch.setenv("MATRIX_MAX_CATALOGUE_MB", "7.5")
    assert max_catalogue_bytes() == 7_864_320 and max_record_bytes() == 15_728_640
    assert load_catalogue(path).catalogue.title == "Example"
    assert parse_catalogue(big, "upload.toml").catalogue.title == "Example"
    monkeypatch.setenv("MATRIX_MAX_CATALOGUE_MB", "1")
    with pytest.raises(CatalogueError, match="the limit is 1,048,576"):
        parse_catalogue(big, "upload.toml")
    assert max_record_bytes() == 10 * 1024 * 1024


@pytest.mark.parametrize("setting", ["0", "-5", "abc", "5_0", "1e3", "2000", "nan", "5 MB"])
def test_size_setting_that_cannot_be_used_is_refused(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    """A size setting that is not a number of megabytes above 0 and at most 1024 is refused, naming the setting."""
    monkeypatch.setenv("MATRIX_MAX_CATALOGUE_MB", setting)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(readme_example().encode(), "x.toml")
    assert str(caught.value) == (
        f"MATRIX_MAX_CATALOGUE_MB: must be a number of megabytes above 0 and at most 1,024, such as 20 (got {setting!r})"
    )


def test_byte_order_mark_is_accepted(write_catalogue: Write) -> None:
    """A UTF-8 file saved with a byte order mark (as some editors do) loads."""
    loaded = load_catalogue(write_catalogue(b"\xef\xbb\xbf" + readme_example().encode()))
    assert loaded.catalogue.title == "Example"


def test_value_function_tables_must_be_complete(write_catalogue: Write) -> None:
    """A reach table missing a tier is refused, naming the tier, rather than failing later."""
    path = write_catalogue(
        with_change("tier_points = { primary = 60, secondary = 35, tertiary = 15 }", "tier_points = { primary = 60 }")
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: criteria[1].tier_points: missing a number for secondary, tertiary")


def test_integer_with_thousands_of_digits_is_located(write_catalogue: Write) -> None:
    """An integer too long for Python to read is a located problem, not a ValueError."""
    text = with_change("value = 50000,", "value = " + "9" * 5000 + ",")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "9" * 5000 in row)
    [problem] = problems_of(write_catalogue(text))
    assert problem.startswith(f"{write_catalogue(text)}:{line}:")
    assert "more than 4,300 digits" in problem


def test_nesting_thousands_deep_is_refused(write_catalogue: Write) -> None:
    """Inline arrays nested thousands deep are a problem in words, not a RecursionError."""
    text = readme_example() + "\ndeep = " + "[" * 5000 + "]" * 5000 + "\n"
    [problem] = problems_of(write_catalogue(text))
    assert "nested too deeply" in problem


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """A named pipe with no writer is refused at once (it would block a plain read forever)."""
    fifo = tmp_path / "catalogue.toml"
    os.mkfifo(fifo)
    assert problems_of(fifo) == [f"{fifo}: this is not a regular file (it is a pipe, socket or device); give a catalogue file"]


def test_a_device_is_refused_before_reading() -> None:
    """/dev/zero never ends; it is refused by its type, before a byte is read."""
    assert problems_of(Path("/dev/zero")) == [
        "/dev/zero: this is not a regular file (it is a pipe, socket or device); give a catalogue file"
    ]


def test_an_unreadable_file_says_so(write_catalogue: Write) -> None:
    """A file without read permission gives the system's reason (skipped as root, who can read anything)."""
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    path = write_catalogue(readme_example())
    path.chmod(0)
    assert problems_of(path) == [f"{path}: cannot be read: Permission denied"]
