"""A catalogue with its own fifth criterion (data/examples/equity.toml: "equity", a rating) through the app in
AppTest, its downloads, a decision record's replay, the board report, a workshop's participant page and links; and
hostile version 2 catalogues (a label written as markup, cost as the only criterion) opened in the app."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from matrix.catalogue import load_catalogue
from matrix.decision import DecisionProblem, build_problem
from matrix.persistence import Store, read_record, replay
from tests.conftest import ROOT, run_cli
from tests.ui.test_app import open_tab, start, top_ranked
from ui.text import plain

EQUITY = ROOT / "data" / "examples" / "equity.toml"
CRITERIA = ("impact", "reach", "cost", "risk", "equity")
Downloads = dict[str, Callable[[], Any]]


@pytest.fixture(autouse=True)
def equity_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here opens the example catalogue with the equity criterion unless it says otherwise."""
    monkeypatch.setenv("MATRIX_CATALOGUE", str(EQUITY))


@pytest.fixture(scope="module")
def equity_problem() -> DecisionProblem:
    loaded = load_catalogue(EQUITY)
    return build_problem(loaded.catalogue, loaded.sha256, loaded.text)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Downloads]:
    """The functions behind the page's download buttons (made on click), by the id each button carries: AppTest's
    runtime drops them after each run, so they are kept as they are registered."""
    made: Downloads = {}
    register = MediaFileManager.add_deferred

    def keep(self: MediaFileManager, data: Callable[[], Any], *args: Any, **kwargs: Any) -> str:
        file_id = register(self, data, *args, **kwargs)
        made[file_id] = data
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    yield made


def downloaded(at: AppTest, made: Downloads, key: str) -> bytes:
    """The bytes the download button with this key would give when clicked."""
    [button] = [b for b in at.get("download_button") if b.proto.id.endswith(key) or f"-{key}-" in b.proto.id]
    data = made[button.proto.deferred_file_id]()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def test_five_sliders_and_equity_moves_the_ranking(equity_problem: DecisionProblem) -> None:
    """The sidebar has a slider per criterion, equity's at the default preset's 20; all weight on equity puts the best
    equity rating first (the first by id among equals) and the link says w_equity=100."""
    at = start(tab="Ranking")
    assert not at.exception
    assert [s.key for s in at.slider if str(s.key).startswith("w_")] == [f"w_{c}" for c in CRITERIA]
    assert [at.slider(key=f"w_{c}").value for c in CRITERIA] == [35, 15, 15, 15, 20]
    before = top_ranked(at)
    for criterion in CRITERIA[:4]:
        at.slider(key=f"w_{criterion}").set_value(0)
    at.slider(key="w_equity").set_value(100).run()
    assert not at.exception
    equity = equity_problem.values["equity"]
    best = sorted(str(i) for i in equity.index[equity == equity.max()])[0]
    assert top_ranked(at) != before
    assert equity_problem.names[best] in top_ranked(at)
    assert at.query_params["w_equity"] == "100"


@pytest.mark.parametrize("tab", ["Matrix", "Ranking", "Funding", "Sensitivity"])
def test_the_tabs_run(tab: str) -> None:
    """The Matrix, Ranking, Funding and Sensitivity tabs run on the five-criterion catalogue with no exception and no
    error message, and each says something of equity (its charts, tables or words)."""
    at = start(tab=tab)
    assert not at.exception
    assert not [e.value for e in at.error]
    charts = [c.proto.spec for c in (*at.get("arrow_vega_lite_chart"), *at.get("vega_lite_chart"))]
    assert charts, "the tab draws its chart"
    # In the main area: the sidebar's folds (whose swings name every criterion) are not drawn while folded.
    main = at.main
    words = [
        *charts,
        *(m.value for m in (*main.markdown, *main.caption)),
        *(str(d.value.to_dict()) for d in main.dataframe),
    ]
    assert any("quity" in w for w in words)
    if tab == "Matrix":
        assert any("Values on the five criteria" in c for c in charts)


def test_the_shortlist_csv_has_equity_columns(downloads: Downloads, equity_problem: DecisionProblem) -> None:
    """The Export tab's CSV has a value, contribution and weight column for each of the five criteria, in order, and
    equity's values are the catalogue's."""
    at = start(tab="Export")
    assert not at.exception
    text = downloaded(at, downloads, "download_csv").decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[4:19] == [*CRITERIA, *(f"contribution_{c}" for c in CRITERIA), *(f"weight_{c}" for c in CRITERIA)]
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert len(rows) == len(equity_problem.names)
    assert {i: float(r["equity"]) for i, r in rows.items()} == equity_problem.values["equity"].to_dict()
    assert {float(r["weight_equity"]) for r in rows.values()} == {20.0}


def test_a_decision_record_made_in_the_app_replays(downloads: Downloads, tmp_path: Path) -> None:
    """The Funding tab's decision record, with equity's weight moved to 40, replays identically in the library and
    through ``python -m matrix replay``, and keeps the five weights."""
    at = start(folds=("fold_record",))
    at.slider(key="w_equity").set_value(40).run()
    open_tab(at, "Funding")
    assert not at.exception
    raw = downloaded(at, downloads, "download_record")
    record = read_record(raw, "record.json")
    assert record.scenario.weights.as_dict() == {"impact": 35, "reach": 15, "cost": 15, "risk": 15, "equity": 40}
    differences, _ = replay(record)
    assert differences == []
    path = tmp_path / "record.json"
    path.write_bytes(raw)
    ran = run_cli(["replay", str(path)])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith(f"{path}: identical: ")


@pytest.fixture(scope="module")
def board_report_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The board report's words, written by ``python -m matrix report`` (a real process) on the equity catalogue."""
    out = tmp_path_factory.mktemp("report") / "report.docx"
    done = subprocess.run(
        [sys.executable, "-m", "matrix", "report", "--budget", "880000", "--catalogue", str(EQUITY), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    document = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", document, re.S)
    return "\n".join(re.sub(r"<[^>]+>", "", p) for p in paragraphs)


def test_the_board_report_names_equity_and_five_weights(board_report_text: str) -> None:
    """The report says it scores five things and gives each of the five weights, equity of access's 20% among them."""
    assert "equity of access" in board_report_text.lower()
    [weights] = [line for line in board_report_text.splitlines() if "added up with these weights" in line]
    assert "on five things" in weights
    found = re.findall(r"(impact|reach|cost|risk|equity of access)\b[^%]*?(\d+)%", weights)
    assert [(name, int(share)) for name, share in found] == [
        ("impact", 35),
        ("reach", 15),
        ("cost", 15),
        ("risk", 15),
        ("equity of access", 20),
    ]


def test_the_board_report_says_the_ratings_provenance_in_words(board_report_text: str) -> None:
    """Where the report lists what rests on estimates, equity's ratings are named in words like the other fields."""
    assert "ratings.equity" not in board_report_text


def test_the_workshop_participant_page_has_five_sliders(isolated_store: Path) -> None:
    """A participant's page has a slider for each of the five criteria, equity's labelled with its label."""
    token = Store.open(data_dir=isolated_store).create_workshop("Equity workshop", "Fran").participant_token
    phone = start({"workshop": token})
    assert not phone.exception
    assert [s.key for s in phone.slider if str(s.key).startswith("p_")] == [f"p_{c}" for c in CRITERIA]
    assert "Equity of access" in phone.slider(key="p_equity").label


def test_a_link_sets_the_equity_weight() -> None:
    """?w_equity=30 sets equity's slider to 30 and leaves the others at the default preset's."""
    at = start({"w_equity": "30"})
    assert not at.exception
    assert [at.slider(key=f"w_{c}").value for c in CRITERIA] == [35, 15, 15, 15, 30]


def test_a_link_with_a_bad_equity_weight_gets_a_message() -> None:
    """?w_equity=abc is said in words and the default weight kept, never an exception."""
    at = start({"w_equity": "abc"})
    assert not at.exception
    assert at.slider(key="w_equity").value == 20
    assert any("The link's equity of access weight 'abc' is not a number; it was ignored" in w.value for w in at.warning)


def test_a_criterion_label_written_as_markup_reaches_the_slider_escaped(
    write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rating criterion labelled with Markdown, HTML, LaTeX and a link opens with its slider's label escaped and no
    exception on the Ranking tab."""
    hostile = "**Equity** <b>bold</b> $x^2$ [link](https://evil.example)"
    text = EQUITY.read_text(encoding="utf-8").replace('label = "Equity of access"', f'label = "{hostile}"', 1)
    monkeypatch.setenv("MATRIX_CATALOGUE", str(write_catalogue(text)))
    at = start(tab="Ranking")
    assert not at.exception
    assert at.slider(key="w_equity").label == plain(hostile)
    for escaped in ("\\*\\*Equity", "\\<b\\>", "\\$x", "\\[link\\]"):
        assert escaped in at.slider(key="w_equity").label


ONLY_COST = re.compile(r"^\[\[criteria\]\]\nid = \"(impact|reach|risk|equity)\".*?(?=^\[\[criteria\]\]|^# -{10,})", re.S | re.M)


def test_a_catalogue_with_only_cost_opens_and_says_why_it_cannot_fund(
    write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalogue whose only criterion is cost opens with one slider; the Funding tab, with cost left out of the
    benefit, says in words that the benefit's weights are all zero instead of raising."""
    text = ONLY_COST.sub("", EQUITY.read_text(encoding="utf-8"))
    text = re.sub(r"weights = \{[^}]*\}", "weights = { cost = 10 }", text)
    text = re.sub(r"^ratings = .*\n", "", text, flags=re.M)
    path = write_catalogue(text)
    assert load_catalogue(path).catalogue.criterion_ids == ("cost",)
    monkeypatch.setenv("MATRIX_CATALOGUE", str(path))
    at = start(tab="Funding")
    assert not at.exception
    assert [s.key for s in at.slider if str(s.key).startswith("w_")] == ["w_cost"]
    said = [m.value for m in (*at.error, *at.warning, *at.info)]
    assert any("cost left out of the benefit" in m for m in said), said


def renamed_equity(ident: str) -> str:
    """The example catalogue with its equity criterion (its weights and ratings too) called ``ident``."""
    return EQUITY.read_text(encoding="utf-8").replace('id = "equity"', f'id = "{ident}"').replace("equity = ", f"{ident} = ")


def test_a_criterion_called_budget_leaves_the_link_budget_alone(
    write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A criterion with the id "budget": ?w_budget=30 sets its weight and ?budget=500000 still sets the budget."""
    monkeypatch.setenv("MATRIX_CATALOGUE", str(write_catalogue(renamed_equity("budget"))))
    at = start({"w_budget": "30", "budget": "500000"})
    assert not at.exception
    assert at.slider(key="w_budget").value == 30
    assert any(m.value.startswith("With £500,000 a year, the recommended set funds") for m in at.markdown)


def test_a_criterion_called_name_opens_every_tab(
    write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A criterion with the id "name" is refused in words when the catalogue opens, or every tab runs with it."""
    monkeypatch.setenv("MATRIX_CATALOGUE", str(write_catalogue(renamed_equity("name"))))
    for tab in ("Ranking", "Export"):
        at = start(tab=tab)
        assert not at.exception, f"{tab}: {at.exception}"
