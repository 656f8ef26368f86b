"""The app through Streamlit's AppTest: runs, reacts to sliders and presets, restores weights from a link."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from matrix.decision import DecisionProblem
from tests.conftest import ROOT
from tests.matrix.example import with_change
from ui.text import plain

APP = str(ROOT / "streamlit_app.py")


# The Funding tab's folds, worked out and drawn only while open (``widgets.fold``): the plan over several years,
# the saved scenarios and the decision record.
FUNDING_FOLDS = ("fold_plan", "fold_library", "fold_record")


def start(query: dict[str, str] | None = None, tab: str = "Matrix", folds: tuple[str, ...] = ()) -> AppTest:
    """Run the app with these link parameters, on this tab (tabs are lazy: only the open one runs), with these
    folds open (keys of ``widgets.fold``)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key in folds:
        at.session_state[key] = True
    at.run()
    return open_tab(at, tab) if tab != "Matrix" else at


def open_tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["tab"] = tab
    return at.run()


def top_ranked(at: AppTest) -> str:
    [line] = [m.value for m in at.markdown if m.value.startswith("**Top ranked:**")]
    return line


def test_app_runs_without_exceptions() -> None:
    """The app opens on the shipped catalogue with no exception and the default preset's weights."""
    at = start(tab="Ranking")
    assert not at.exception
    assert [at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [40, 20, 20, 20]
    assert "Cognitive behavioural therapy in the community" in top_ranked(at)


def test_moving_a_slider_changes_the_ranking(problem: DecisionProblem) -> None:
    """Putting all weight on reach puts the intervention with the best reach value first (people engaged, so not
    HashtagNG, whose 81,890 is an audience)."""
    widest = str(problem.values["reach"].idxmax())
    assert widest != "hashtagng-campaign"
    at = start(tab="Ranking")
    before = top_ranked(at)
    for criterion in ("impact", "cost", "risk"):
        at.slider(key=f"w_{criterion}").set_value(0)
    at.slider(key="w_reach").set_value(100).run()
    assert not at.exception
    assert top_ranked(at) != before
    assert problem.names[widest] in top_ranked(at)
    assert at.query_params["reach"] == "100"


def test_preset_sets_all_sliders_and_says_custom_after_a_move() -> None:
    """Choosing value for money sets 30/20/40/10; moving a slider makes the box say Custom; choosing the preset
    again applies it again."""
    at = start()
    assert at.selectbox(key="preset").value == "strategy_default"
    at.selectbox(key="preset").set_value("value_for_money").run()
    assert [at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [30, 20, 40, 10]
    at.slider(key="w_impact").set_value(55).run()
    assert at.selectbox(key="preset").value == "custom"
    at.selectbox(key="preset").set_value("value_for_money").run()
    assert [at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [30, 20, 40, 10]
    assert at.selectbox(key="preset").value == "value_for_money"


def test_a_stale_preset_beside_a_slider_move_leaves_the_slider() -> None:
    """A run asked for by a key press before the browser had shown Custom reports the earlier preset with the
    new weight: the weight stays and the box says Custom (applying the preset had put the weight back)."""
    at = start()
    at.slider(key="w_impact").set_value(41).run()
    assert at.selectbox(key="preset").value == "custom"
    at.slider(key="w_impact").set_value(44)
    at.selectbox(key="preset").set_value("strategy_default").run()  # what the browser still showed
    assert at.slider(key="w_impact").value == 44
    assert at.selectbox(key="preset").value == "custom"
    at.selectbox(key="preset").set_value("strategy_default").run()  # now chosen: applied
    assert at.slider(key="w_impact").value == 40
    assert at.selectbox(key="preset").value == "strategy_default"


def test_link_restores_weights() -> None:
    """A link with weights opens with those weights, and a bad one is reported and replaced by the default."""
    at = start({"impact": "10", "reach": "70", "cost": "x", "risk": "5"})
    assert [at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [10, 70, 20, 5]
    assert any("The link's cost weight 'x' is not a number" in w.value for w in at.warning)


def test_all_zero_weights_get_a_message() -> None:
    """All four sliders at zero show a message instead of a ranking; a link with all-zero weights opens with the
    default weights and says so."""
    at = start()
    for criterion in ("impact", "reach", "cost", "risk"):
        at.slider(key=f"w_{criterion}").set_value(0)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Cannot rank: all weights are zero: give at least one criterion a weight above zero."]
    linked = start({"impact": "0", "reach": "0", "cost": "0", "risk": "0"})
    assert [linked.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [40, 20, 20, 20]
    assert any("weights are all zero" in w.value for w in linked.warning)


def test_broken_catalogue_lists_problems(write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken catalogue opens a page that lists its problems, with no traceback."""
    path = write_catalogue(with_change("value = 50000,", "value = -1,"))
    monkeypatch.setenv("MATRIX_CATALOGUE", str(path))
    at = start()
    assert not at.exception
    assert at.error[0].value.startswith("The catalogue cannot be used: 1 problem(s)")
    assert "interventions[0].annual_cost_gbp.value: must be greater than or equal to 0 (got -1)" in at.code[0].value


def test_explanation_follows_the_chosen_intervention() -> None:
    """Choosing an intervention under 'How was this scored?' shows its own raw inputs, an audience said as such."""
    at = start(tab="Ranking")
    at.selectbox(key="explain_id").set_value("transform-tlc-programme").run()
    table = next(df.value for df in at.dataframe if "raw input" in df.value.columns)
    assert "16 people a year" in table["raw input"].tolist()
    at.selectbox(key="explain_id").set_value("hashtagng-campaign").run()
    table = next(df.value for df in at.dataframe if "raw input" in df.value.columns)
    [reach] = [r for r in table["raw input"] if r.startswith("reach not known")]
    assert "audience of 81,890" in reach and "is not people engaged and is not scored" in reach


def test_catalogue_text_is_never_markup(write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A criterion label and help written as Markdown, LaTeX and a link reach the slider escaped, and the
    built-in table download (not formula-safe) is switched off for the session."""
    hostile = "**Bold** $x^2$ https://evil.example [link](https://evil.example) <b>html</b>"
    text = with_change('label = "Impact"', f'label = "{hostile}"')
    path = write_catalogue(text)
    monkeypatch.setenv("MATRIX_CATALOGUE", str(path))
    at = start()
    assert not at.exception
    label = at.slider(key="w_impact").label
    assert label == plain(hostile)
    for escaped in ("\\*\\*Bold", "\\$x", "\\[link\\]", "\\<b\\>", "evil\\.example"):
        assert escaped in label
    assert st.get_option("client.disableDataExport") is True  # from .streamlit/config.toml


def test_plain_words_on_the_page() -> None:
    """Labels in words (no underscores), unknown reach said as 'not known' (never None), effectively tied
    neighbours named as tied, and a glossary on the method tab."""
    at = start()
    table = next(df.value for df in at.dataframe if "reach a year" in df.value.columns)
    for column in ("delivery_model", "target_group", "status"):
        assert not table[column].astype(str).str.contains("_").any()
    assert not table["reach a year"].astype(str).isin(["None", "nan", "NaN"]).any()
    open_tab(at, "Ranking")
    [tied] = [i.value for i in at.info if i.value.startswith("Effectively tied")]
    assert " and " in tied
    open_tab(at, "How scoring works")
    assert "Glossary: the words on these pages" in [e.label for e in at.expander]


def test_the_main_view_has_no_jargon() -> None:
    """What a visitor first sees (title, the decision in a sentence, sidebar, Matrix tab) uses none of the
    words a board member should not meet (the report's list)."""
    from tests.matrix.report.test_report import jargon_in

    at = start()
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "title", "header") for e in at.get(kind)]
    texts += [w.label for w in (*at.slider, *at.selectbox, *at.text_input, *at.multiselect)]
    assert jargon_in([str(t) for t in texts]) == []


def _chart_words(node: object) -> list[str]:
    """The words a chart draws: titles, subtitles, descriptions, legend labels set by a scale's domain, and a
    field's name where no title replaces it."""
    words: list[str] = []
    if isinstance(node, dict):
        for key in ("title", "subtitle", "text", "description"):
            if isinstance(node.get(key), str):
                words.append(node[key])
        if isinstance(node.get("field"), str) and "title" not in node:
            words.append(node["field"])
        if isinstance(node.get("domain"), list):  # a legend's labels
            words += [v for v in node["domain"] if isinstance(v, str)]
        for key, value in node.items():
            if key not in ("datasets", "data"):
                words += _chart_words(value)
    elif isinstance(node, list):
        for value in node:
            words += _chart_words(value)
    return words


def visible_words(at: AppTest) -> list[str]:
    """Every text a visitor can read on the page as it is: text elements, widget labels, table headers and
    the charts' titles, axes, legends and descriptions."""
    import json

    texts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
        for e in at.get(kind)
    ]
    widgets = (*at.slider, *at.selectbox, *at.text_input, *at.multiselect, *at.number_input, *at.radio, *at.toggle)
    texts += [w.label for w in (*widgets, *at.checkbox, *at.button, *at.expander)]
    texts += [str(c) for df in at.dataframe for c in df.value.columns]
    for chart in (*at.get("arrow_vega_lite_chart"), *at.get("vega_lite_chart")):
        texts += _chart_words(json.loads(chart.proto.spec))
    return [str(t) for t in texts]


@pytest.mark.parametrize("tab", ["Matrix", "Ranking", "Funding", "Compare", "Sensitivity", "How scoring works", "Export"])
def test_no_tab_uses_jargon(tab: str) -> None:
    """Every tab a board member reads (text, labels, table headers, chart titles, legends and descriptions, the
    Sensitivity trials and the frontier included) uses none of the words the board report avoids ('top 5', never
    'top k'; 'total benefit', never 'sum of benefits'; 'picking by benefit per pound', never 'ratio ranking'), in
    any case ('Normalisation' too). Whole words only: 'provenance' is not 'nan'."""
    from tests.matrix.report.test_report import jargon_in

    at = start({"compare": ""}, tab=tab)
    if tab == "Sensitivity":
        at.toggle(key="mc_on").set_value(True).run()
    if tab == "Funding":
        at.toggle(key="sc_show_frontier").set_value(True).run()
    words = visible_words(at)
    assert len(words) > 10
    assert jargon_in(words) == []
    assert not [w for w in words if "sum of benefits" in w.lower()]


def test_controls_carry_the_servers_value_and_are_pushed_only_until_drawn() -> None:
    """Each weight slider's default is the server's value (a browser drawing it afresh shows that, not 0), its
    value is pushed to the browser on the first run only, and never again while the browser moves it."""
    at = start({"impact": "5", "reach": "60", "cost": "15", "risk": "20"})
    reach = at.slider(key="w_reach")
    assert reach.proto.default == [60] and reach.proto.set_value
    at.run()  # a run after one that finished: the browser has the slider, so nothing is pushed
    assert at.slider(key="w_reach").proto.default == [60] and not at.slider(key="w_reach").proto.set_value
    at.slider(key="w_reach").set_value(61).run()
    assert at.slider(key="w_reach").proto.default == [61] and not at.slider(key="w_reach").proto.set_value


def test_a_quick_second_preset_is_applied() -> None:
    """A preset chosen before the page from choosing another had arrived (the browser still reporting the old
    sliders) is a choice, not a stale report: it is applied."""
    at = start()
    before = {c: at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")}
    at.selectbox(key="preset").set_value("value_for_money").run()
    for criterion, weight in before.items():
        at.slider(key=f"w_{criterion}").set_value(weight)
    at.selectbox(key="preset").set_value("reach_first").run()
    assert at.selectbox(key="preset").value == "reach_first"
    assert [at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [25, 50, 10, 15]
