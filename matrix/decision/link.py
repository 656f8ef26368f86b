"""The page's link: the whole scenario (weights, normalisation, budget, constraints), the saved
comparisons, and the plan over several years (its settings) with the saved plans, as query parameters,
and back.

``LinkParams`` is the one model of what a link may hold. Reading a link never fails: a value that
is not usable is refused with a message, a value outside what the app's controls allow is brought
within them with a message (``fit_scenario``), and the rest is kept. Writing a link spells numbers
plainly (``budget=1500000``, never ``1.5e+06``).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import unquote

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from matrix.catalogue import TIERS
from matrix.decision.plan import PlanFile, PlanSettings, plan_stream_ids
from matrix.decision.problem import DecisionProblem
from matrix.decision.scenario import DEFAULT_NAME, MAX_BUDGET_GBP, MAX_RINGFENCE_PERCENT, Scenario
from scoring import CRITERIA, NORMALISATIONS, Normalisation, money

MAX_COMPARED = 4
_COMPARE_SEPARATOR = "~"  # not in the URL-safe base64 alphabet


def read_decimal(text: str) -> float | None:
    """A plain decimal number (12, -3.5, 1e6) written in ASCII digits, finite; else None."""
    if not _DECIMAL.fullmatch(text.strip()):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _decimal(text: object) -> object:
    """A number as a link writes it (12, -3.5, 1e6); not 1_000, 0x10, nan or inf, which Python would read."""
    if isinstance(text, str) and not _DECIMAL.fullmatch(text.strip()):
        raise ValueError("not a plain decimal number")
    return text


_DECIMAL = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?")
Number = Annotated[float, BeforeValidator(_decimal)]


class LinkParams(BaseModel):
    """Every query parameter the app reads, typed; anything else in the link is ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    normalisation: Normalisation | None = None
    scenario: str | None = None
    budget: Number | None = None
    must: str | None = None
    exclude: str | None = None
    allow_harmful: str | None = None
    ringfence: Number | None = None
    min_primary: Number | None = None
    min_secondary: Number | None = None
    min_tertiary: Number | None = None
    max_primary: Number | None = None
    max_secondary: Number | None = None
    max_tertiary: Number | None = None
    keep_today: bool | None = None
    include_cost: bool | None = None
    compare: str | None = None
    plan: str | None = None
    plans: str | None = None


_WORDS = {
    "normalisation": "normalisation",
    "budget": "budget",
    "ringfence": "ring-fence",
    "keep_today": "keep-today setting",
    "include_cost": "include-cost setting",
}


def weight_key(criterion: str) -> str:
    """A criterion's weight in a link: its id for the four shipped criteria (as links have always
    written them), ``w_<id>`` for a catalogue's own (so an id can never be taken for another setting)."""
    return criterion if criterion in CRITERIA else f"w_{criterion}"


def _link_weights(params: Mapping[str, str], problem: DecisionProblem, base: Scenario, messages: list[str]) -> dict[str, float]:
    """The weight of each of the catalogue's criteria from the link (the base scenario's where the link
    has none or one that cannot be used, with a message)."""
    weights = {}
    for criterion in problem.criteria:
        fallback = base.weights[criterion]
        text = params.get(weight_key(criterion))
        if text is None:
            weights[criterion] = fallback
            continue
        number = read_decimal(str(text))
        what = f"{problem.criterion_words(criterion)} weight"
        if number is None:
            messages.append(f"The link's {what} '{str(text)[:40]}' is not a number; it was ignored.")
            number = fallback
        elif not 0 <= number <= 100:
            messages.append(f"The link's {what} {number:g} is not from 0 to 100; {fallback:g} is used.")
            number = fallback
        weights[criterion] = number
    return weights


def plain_number(number: float) -> str:
    """A number as people write it: 1500000, 12.5 (never 1.5e+06)."""
    if float(number).is_integer():
        return str(int(number))
    return f"{number:.6f}".rstrip("0").rstrip(".")


def _parse(params: Mapping[str, str]) -> tuple[LinkParams, list[str]]:
    """The link's parameters, each unusable one dropped with a message."""
    raw = {k: v for k, v in params.items() if k in LinkParams.model_fields}
    try:
        return LinkParams.model_validate(raw), []
    except ValidationError as error:
        bad = {str(e["loc"][0]) for e in error.errors(include_url=False) if e["loc"]}
    messages = []
    for key in sorted(bad):
        what = _WORDS.get(key, key.replace("_", " "))
        expected = {"normalisation": f"one of {', '.join(NORMALISATIONS)}", "keep_today": "1 or 0", "include_cost": "1 or 0"}
        messages.append(f"The link's {what} '{str(raw[key])[:40]}' is not {expected.get(key, 'a number')}; it was ignored.")
    return LinkParams.model_validate({k: v for k, v in raw.items() if k not in bad}), messages


def _within(value: float, low: float, high: float, what: str, shown: str, unit: str, messages: list[str]) -> float:
    """``value`` brought within the control's range and to whole units, saying so when it changes."""
    fitted = float(min(max(round(value), low), high))
    if fitted != value:
        messages.append(f"The {what} {shown} is outside what the app can show ({unit}); {fitted:,.0f} is used instead.")
    return fitted


def fit_scenario(data: Mapping[str, Any], problem: DecisionProblem, source: str) -> tuple[Scenario, list[str]]:
    """A scenario the app's controls can hold, from scenario data that may be out of their range,
    with a message for every change.

    Weights and shares become whole percentages within 0-100, the ring-fence within its slider,
    the budget whole pounds within the budget box's range; ids the catalogue does not know are
    dropped. ``source`` names where the data came from in the messages ("the link", "the record").
    """
    messages: list[str] = []
    default = problem.catalogue.preset(problem.catalogue.default_preset).weights.as_dict()
    given = dict(data.get("weights") or {})
    foreign = [str(c) for c in given if c not in default]
    if foreign:
        messages.append(
            f"The {source}'s weights name {', '.join(foreign)[:200]}, which this catalogue does not have as a criterion; "
            "those weights were ignored."
        )
    weights = {
        c: _within(
            float(given.get(c, default[c])),
            0,
            100,
            f"{source}'s {problem.criterion_words(c)} weight",
            f"{float(given.get(c, default[c])):g}",
            "0-100",
            messages,
        )
        for c in problem.criteria
    }
    if sum(weights.values()) <= 0:
        messages.append(f"The {source}'s weights are all zero; the catalogue's default weights are used.")
        weights = default
    budget_gbp = float(data.get("budget_gbp", problem.budget_gbp))
    budget = _within(
        budget_gbp,
        0,
        MAX_BUDGET_GBP,
        f"{source}'s budget",
        money(budget_gbp),
        f"£0 to {money(MAX_BUDGET_GBP)}, whole pounds",
        messages,
    )
    ringfence_pct = float(data.get("ringfence_share", 0.0)) * 100
    ringfence = _within(
        ringfence_pct,
        0,
        MAX_RINGFENCE_PERCENT,
        f"{source}'s ring-fence",
        f"{ringfence_pct:g}%",
        f"0-{MAX_RINGFENCE_PERCENT}%",
        messages,
    )
    known = set(problem.info.index)
    harmful = set(problem.info.index[problem.info["harmful"]])
    update: dict[str, Any] = {"weights": weights, "budget_gbp": budget, "ringfence_share": ringfence / 100}
    for field, label in (("must_fund", "must-fund"), ("must_not_fund", "must-not-fund")):
        ids = tuple(str(i) for i in data.get(field, ()))
        unknown = [i for i in ids if i not in known]
        if unknown:
            messages.append(
                f"The {source}'s {label} list names {', '.join(unknown)[:200]}, which the catalogue does not have; ignored."
            )
        update[field] = tuple(i for i in ids if i in known)
    overrides = {}
    for ident, reason in dict(data.get("harmful_overrides") or {}).items():
        if ident in harmful:
            overrides[ident] = reason
        else:
            messages.append(
                f"The {source}'s harmful override for '{str(ident)[:80]}' does not match a harmful-rated intervention; ignored."
            )
    update["harmful_overrides"] = overrides
    for field, word in (("tier_min_share", "minimum"), ("tier_max_share", "maximum")):
        update[field] = {
            tier: _within(float(share) * 100, 0, 100, f"{source}'s {tier} {word}", f"{float(share) * 100:g}%", "0-100%", messages)
            / 100
            for tier, share in dict(data.get(field) or {}).items()
            if tier in TIERS
        }
    return Scenario.model_validate(dict(data) | update), messages


def _ids(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def read_link(params: Mapping[str, str], problem: DecisionProblem, base: Scenario) -> tuple[Scenario, list[Scenario], list[str]]:
    """The scenario and the saved comparisons a link holds (over ``base`` for what it leaves out),
    with a message for everything that could not be used as it was."""
    link, messages = _parse(params)
    weights = _link_weights(params, problem, base, messages)
    if sum(weights.values()) <= 0:
        messages.append("The link's weights are all zero; the catalogue's default weights are used.")
        weights = base.weights.as_dict()
    update: dict[str, Any] = {"weights": weights}
    if link.normalisation is not None:
        update["normalisation"] = link.normalisation
    if link.scenario is not None:
        update["name"] = link.scenario[:120] or base.name
    if link.budget is not None:
        update["budget_gbp"] = link.budget
    if link.must is not None:
        update["must_fund"] = _ids(link.must)
    if link.exclude is not None:
        update["must_not_fund"] = _ids(link.exclude)
    if link.allow_harmful:
        overrides = {}
        for part in link.allow_harmful.split("|"):
            ident, _, reason = part.partition(":")
            if ident.strip() and reason.strip():
                overrides[ident.strip()] = unquote(reason).strip()[:2000]
            else:
                messages.append(f"The link's harmful override '{part[:40]}' needs the form id:reason; it was ignored.")
        update["harmful_overrides"] = overrides
    if link.ringfence is not None:
        update["ringfence_share"] = link.ringfence / 100
    for prefix, field in (("min", "tier_min_share"), ("max", "tier_max_share")):
        shares = {t: s / 100 for t in TIERS if (s := getattr(link, f"{prefix}_{t}")) is not None}
        if shares:
            update[field] = shares
    update["keep_status_quo"] = bool(link.keep_today)
    update["include_cost"] = bool(link.include_cost)
    try:
        fitted, fit_messages = fit_scenario(base.model_dump() | update, problem, "link")
    except ValidationError as error:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False)[:3])
        fitted, fit_messages = base, [f"The link's scenario cannot be used ({wrong}); the default scenario is shown."]
    compared: list[Scenario] = []
    for number, token in enumerate((link.compare or "").split(_COMPARE_SEPARATOR)[:MAX_COMPARED], start=1):
        if not token:
            continue
        try:
            saved, saved_messages = fit_scenario(_unpack(token), problem, f"link's comparison {number}")
        except (ValueError, zlib.error, binascii.Error, ValidationError):
            messages.append(f"The link's saved comparison {number} cannot be read; it was left out.")
            continue
        compared.append(saved)
        messages += saved_messages
    return fitted, compared, messages + fit_messages


def _pack(model: BaseModel) -> str:
    return base64.urlsafe_b64encode(zlib.compress(model.model_dump_json().encode("utf-8"), 9)).decode("ascii").rstrip("=")


def _unpacked_text(token: str) -> bytes:
    """A packed token's JSON; refuses anything that inflates past 64 KB."""
    inflater = zlib.decompressobj()
    text = inflater.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), 65536)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("not a packed scenario")
    return text


def _unpack(token: str) -> dict[str, Any]:
    """A packed comparison back to scenario data."""
    return dict(Scenario.model_validate_json(_unpacked_text(token)).model_dump())


def fit_plan(settings: PlanSettings, problem: DecisionProblem, source: str) -> tuple[PlanSettings, list[str]]:
    """A plan's settings (a link's, a saved scenario's) fitted to this catalogue, with a message for everything
    left out: a stream, or an intervention, the catalogue does not have; a stream's end past the plan's last
    year; a new stream named like one of the catalogue's."""
    messages: list[str] = []
    streams = {ident for ident, _ in plan_stream_ids(problem.catalogue)}
    known = set(problem.info.index)

    def kept(what: str, ids: Mapping[str, Any] | tuple[str, ...], allowed: set[str], words: str) -> list[str]:
        dropped = [str(i) for i in ids if i not in allowed]
        if dropped:
            messages.append(f"The {source} names {', '.join(dropped)[:200]} in its {what}, which {words}; left out.")
        return [str(i) for i in ids if i in allowed]

    ends = kept("stream ends", settings.stream_ends, streams, "this catalogue does not have as a funding stream")
    late = [i for i in ends if settings.stream_ends[i] > settings.years]
    if late:
        messages.append(
            f"The {source} runs {settings.years} year(s), so the end of {', '.join(late)} "
            "(after its last year) changes nothing; left out."
        )
    cuts = kept("stream cuts", settings.stream_cuts, streams, "this catalogue does not have as a funding stream")
    new = kept("new streams", settings.new_streams, set(settings.new_streams) - streams, "is already a funding stream")
    committed = kept("contracts already running", settings.committed_years, known, "the catalogue does not have")
    early = kept("early stops", settings.early_stop, known, "the catalogue does not have")
    starts = kept("first years", settings.not_before, known, "the catalogue does not have")
    fitted = settings.model_copy(
        update={
            "stream_ends": {i: settings.stream_ends[i] for i in ends if i not in late},
            "stream_cuts": {i: settings.stream_cuts[i] for i in cuts},
            "new_streams": {i: settings.new_streams[i] for i in new},
            "committed_years": {i: settings.committed_years[i] for i in committed},
            "early_stop": tuple(early),
            "not_before": {i: settings.not_before[i] for i in starts},
        }
    )
    return fitted, messages


def read_link_plans(
    params: Mapping[str, str], problem: DecisionProblem
) -> tuple[PlanSettings | None, list[tuple[Scenario, PlanSettings]], list[str]]:
    """The plan's settings a link holds (None when it holds none) and its saved plans (scenario and settings),
    with a message for everything that could not be used as it was."""
    link, _ = _parse(params)
    messages: list[str] = []
    plan: PlanSettings | None = None
    if link.plan:
        try:
            plan, plan_messages = fit_plan(PlanSettings.model_validate_json(_unpacked_text(link.plan)), problem, "link's plan")
        except (ValueError, zlib.error, binascii.Error):
            messages.append("The link's plan over several years cannot be read; it was left out.")
        else:
            messages += plan_messages
    plans: list[tuple[Scenario, PlanSettings]] = []
    for number, token in enumerate((link.plans or "").split(_COMPARE_SEPARATOR)[:MAX_COMPARED], start=1):
        if not token:
            continue
        where = f"link's saved plan {number}"
        try:
            packed = PlanFile.model_validate_json(_unpacked_text(token))
            scenario, scenario_messages = fit_scenario(packed.scenario.model_dump(), problem, where)
            settings, settings_messages = fit_plan(packed.plan, problem, where)
        except (ValueError, zlib.error, binascii.Error):
            messages.append(f"The link's saved plan {number} cannot be read; it was left out.")
            continue
        plans.append((scenario, settings))
        messages += scenario_messages + settings_messages
    return plan, plans, messages


def write_link(
    scenario: Scenario,
    compared: list[Scenario] | None = None,
    plan: PlanSettings | None = None,
    plans: list[tuple[Scenario, PlanSettings]] | None = None,
) -> dict[str, str]:
    """The scenario (and the saved comparisons, the plan's settings and the saved plans) as query parameters,
    numbers written plainly; the plan and each saved one packed (compressed JSON)."""
    query = {weight_key(c): plain_number(w) for c, w in scenario.weights.as_dict().items()}
    query["normalisation"] = scenario.normalisation
    query["scenario"] = scenario.name
    query["budget"] = plain_number(scenario.budget_gbp)
    if scenario.must_fund:
        query["must"] = ",".join(scenario.must_fund)
    if scenario.must_not_fund:
        query["exclude"] = ",".join(scenario.must_not_fund)
    if scenario.harmful_overrides:
        # '|' separates overrides, so a reason's own '|' (and '%') are escaped as in a URL.
        query["allow_harmful"] = "|".join(
            f"{i}:{reason.replace('%', '%25').replace('|', '%7C')}" for i, reason in scenario.harmful_overrides.items()
        )
    if scenario.ringfence_share:
        query["ringfence"] = plain_number(scenario.ringfence_share * 100)
    for tier, share in scenario.tier_min_share.items():
        query[f"min_{tier}"] = plain_number(share * 100)
    for tier, share in scenario.tier_max_share.items():
        query[f"max_{tier}"] = plain_number(share * 100)
    if scenario.keep_status_quo:
        query["keep_today"] = "1"
    if scenario.include_cost:
        query["include_cost"] = "1"
    if compared:
        query["compare"] = _COMPARE_SEPARATOR.join(_pack(s) for s in compared[:MAX_COMPARED])
    if plan is not None:
        query["plan"] = _pack(plan)
    if plans:
        query["plans"] = _COMPARE_SEPARATOR.join(
            _pack(PlanFile(scenario=s, plan=settings)) for s, settings in plans[:MAX_COMPARED]
        )
    return query


def unique_name(wanted: str, taken: list[str]) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``... so no two saved scenarios share a name."""
    base = wanted.strip() or DEFAULT_NAME
    if base not in taken:
        return base
    number = 2
    while f"{base} ({number})" in taken:
        number += 1
    return f"{base} ({number})"
