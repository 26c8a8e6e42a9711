"""What a placement costs the High Needs Block: the funding rules and the default figures, as data.

The high-needs funding system (ESFA, *High needs funding: operational guide*) pays for a
placement in up to two parts:

* **place funding** (element 1/2) for a commissioned place: £10,000 a year in special schools
  (maintained, academies, free schools and non-maintained), pre-16 alternative provision and
  special post-16 places; £6,000 in resourced provision / SEN units in mainstream schools (on top
  of the per-pupil funding the school gets through the schools block) and in FE colleges
  (element 2). These cash rates have not changed since the 2013 reforms; they are **not
  inflated**.
* **top-up** (element 3) per pupil from the commissioning (home) LA, set by the LA's banding.

Mainstream schools meet the first £6,000 of additional support for a pupil with SEND from their
notional SEN budget; the LA pays top-up above that threshold. Independent special schools and
specialist post-16 institutions charge a **fee**, paid in full from the High Needs Block.
Home-to-school transport is paid by the council's general fund, not the DSG: it is costed and
reported, but is not High Needs Block spend.

:data:`DEFAULTS` holds every figure with its unit, price year, source and whether it is an
assumption; :data:`RULES` says which rule each provision type follows. :func:`cost_table`
turns them into a cost per placement by provision (and optionally phase) with user overrides;
:func:`unit_costs` prices it in each year with inflation.

Years: ``year`` is the January census year used everywhere in ``sufficiency``; money for
``year`` Y is the financial year (Y-1)-(Y), April to March, which contains that census
(``year`` 2024 = 2023-24). The default price base is ``year`` 2024 (2023-24 prices).

Examples
--------
>>> from sufficiency.finance.costs import cost_table
>>> t = cost_table().set_index("provision")
>>> float(t.loc["special_maintained", "hnb_cost_gbp"])
26000.0
>>> float(t.loc["mainstream", "top_up_gbp"])    # support of £14,000, the first £6,000 met by the school
8000.0
"""

from __future__ import annotations

import functools

import math

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["OPERATIONAL_GUIDE", "WORCS_2017", "DFE_ISS_2025", "CCN_TRANSPORT", "BENCHMARK",
           "DEFAULTS", "PRICE_YEAR", "TRANSPORT_SHARE", "RULES", "COST_COLUMNS", "COMPONENTS",
           "default", "hnb_cost", "cost_table", "inflation_factor", "unit_costs",
           "lognormal_fee", "sample_mean_fees", "setting_costs", "with_costs_per_place",
           "cost_per_place"]

OPERATIONAL_GUIDE = ("ESFA, High needs funding: 2023 to 2024 operational guide (place funding "
                     "rates, unchanged since 2013-14)")
WORCS_2017 = ("Worcestershire SEND Strategy 2017-21 board paper: £10,000 per commissioned "
              "special-school place; mainstream schools fund the first £6,000")
DFE_ISS_2025 = ("DfE announcement on independent special school fees (2025): average £63,000 "
                "per pupil a year vs £26,000 in a state special school")
CCN_TRANSPORT = ("County Councils Network / BBC data, 27 March 2024: county councils spend on "
                 "average £9,800 a year per child receiving SEND school transport (2023-24)")
BENCHMARK = ("DfE high needs benchmarking extract 2021-22, England (sum of LAs): implied cost "
             "per placement, see sufficiency.finance.calibrate")

#: Every default figure: ``name, value, unit, year, source, assumption``. ``year`` is the price
#: year (census-year convention: 2024 = financial year 2023-24). ``assumption`` is True where the
#: figure is a judgement (informed by the source) rather than a published rate or statistic.
DEFAULTS = pd.DataFrame(
    [
        ("place_funding_special", 10000.0, "gbp_per_place", 2024, OPERATIONAL_GUIDE, False),
        ("place_funding_ap", 10000.0, "gbp_per_place", 2024, OPERATIONAL_GUIDE, False),
        ("place_funding_resourced", 6000.0, "gbp_per_place", 2024, OPERATIONAL_GUIDE, False),
        ("place_funding_fe", 6000.0, "gbp_per_place", 2024,
         OPERATIONAL_GUIDE + " (element 2, FE and post-16)", False),
        ("mainstream_threshold", 6000.0, "gbp_per_pupil", 2024,
         OPERATIONAL_GUIDE + "; " + WORCS_2017, False),
        ("mainstream_support", 14000.0, "gbp_per_pupil", 2024,
         "assumption: total additional support for a pupil with an EHC plan in mainstream; "
         "England 2021-22 benchmarking implies ~£9,100 top-up per mainstream/RP pupil above "
         "the threshold (2020-21 prices)", True),
        ("top_up_resourced", 10000.0, "gbp_per_pupil", 2024,
         "assumption informed by " + BENCHMARK + " (~£18,100 incl. place funding, 2020-21)",
         True),
        ("top_up_special_maintained", 16000.0, "gbp_per_pupil", 2024,
         DFE_ISS_2025 + ": £26,000 = £10,000 place + £16,000 top-up; England 2021-22 "
         "benchmarking implies £24,400 (2020-21)", False),
        ("top_up_special_non_maintained", 35000.0, "gbp_per_pupil", 2024,
         "assumption: non-maintained special schools charge between state and independent "
         "special schools", True),
        ("fee_special_independent_mean", 63000.0, "gbp_per_pupil", 2024, DFE_ISS_2025, False),
        ("fee_special_independent_median", 50000.0, "gbp_per_pupil", 2024,
         "assumption: fees are right-skewed, medians nearer £50,000 than the mean (issue 5); "
         "Schools Week FOI of 110 LAs found an average of £52,000 in 2015-16", True),
        ("top_up_ap", 8000.0, "gbp_per_pupil", 2024,
         "assumption: AP top-up for a pupil with an EHC plan (LA bandings vary widely)", True),
        ("top_up_fe", 5000.0, "gbp_per_pupil", 2024,
         "assumption: element 3 top-up in a general FE college", True),
        ("fee_specialist_post16", 45000.0, "gbp_per_pupil", 2024,
         "assumption: specialist post-16 institutions are independent providers charging fees",
         True),
        ("top_up_early_years", 4000.0, "gbp_per_pupil", 2024,
         "assumption: early years SEN inclusion top-up for a child with an EHC plan", True),
        ("package_elsewhere", 5000.0, "gbp_per_pupil", 2024,
         "assumption: an average over education otherwise than at school packages (often "
         "£10,000+) and elective home education / not in education (no high-needs cost)", True),
        ("transport_per_pupil", 9800.0, "gbp_per_pupil_transported", 2024, CCN_TRANSPORT, False),
        ("inflation", 0.03, "per_year", 2024,
         "assumption: a flat annual uplift of top-ups, fees and transport, used only when given "
         "instead of the price paths (sufficiency.finance.prices); place funding is cash-flat",
         True),
    ],
    columns=["name", "value", "unit", "year", "source", "assumption"],
)

#: The price year of :data:`DEFAULTS` (census convention: 2024 = 2023-24 prices).
PRICE_YEAR = 2024

#: The share of each provision type's pupils who receive funded home-to-school transport
#: (assumptions; LAs should replace them with their own).
TRANSPORT_SHARE = {
    "mainstream": 0.05, "resource_base": 0.3, "special_maintained": 0.7,
    "special_non_maintained": 0.85, "special_independent": 0.85, "ap": 0.3,
    "fe_college": 0.1, "specialist_post16": 0.5, "early_years": 0.0, "elsewhere": 0.0,
    "unknown": 0.0,
}

#: Which funding rule each provision type follows and the DEFAULTS it uses. Rules:
#: ``place_plus_top_up`` (place funding + top-up), ``mainstream_threshold`` (the LA pays support
#: above the school's £6,000 threshold), ``fee`` (the full fee), ``top_up`` (top-up only, no
#: place funding) and ``none`` (no high-needs cost).
RULES = pd.DataFrame(
    [
        ("mainstream", "mainstream_threshold", None, "mainstream_support"),
        ("resource_base", "place_plus_top_up", "place_funding_resourced", "top_up_resourced"),
        ("special_maintained", "place_plus_top_up", "place_funding_special",
         "top_up_special_maintained"),
        ("special_non_maintained", "place_plus_top_up", "place_funding_special",
         "top_up_special_non_maintained"),
        ("special_independent", "fee", None, "fee_special_independent_mean"),
        ("ap", "place_plus_top_up", "place_funding_ap", "top_up_ap"),
        ("fe_college", "place_plus_top_up", "place_funding_fe", "top_up_fe"),
        ("specialist_post16", "fee", None, "fee_specialist_post16"),
        ("early_years", "top_up", None, "top_up_early_years"),
        ("elsewhere", "top_up", None, "package_elsewhere"),
        ("unknown", "none", None, None),
    ],
    columns=["provision", "rule", "place_default", "top_up_default"],
)

COST_COLUMNS = ["provision", "phase", "rule", "place_funding_gbp", "top_up_gbp", "fee_gbp",
                "threshold_gbp", "hnb_cost_gbp", "transport_gbp", "source"]
COMPONENTS = ("place_funding_gbp", "top_up_gbp", "fee_gbp", "threshold_gbp", "transport_gbp",
              "support_gbp")


def default(name: str, defaults: pd.DataFrame | None = None) -> float:
    """One default figure by name (see :data:`DEFAULTS`).

    Examples
    --------
    >>> default("place_funding_special")
    10000.0
    """
    table = DEFAULTS if defaults is None else defaults
    values = dict(zip(table["name"], table["value"]))
    if name not in values:
        raise KeyError(f"no default {name!r}; expected one of {list(table['name'])}")
    return float(values[name])


def hnb_cost(rule: str, place_funding_gbp: float = 0.0, top_up_gbp: float = 0.0,
             fee_gbp: float = 0.0) -> float:
    """The High Needs Block cost of one placement for a year under a funding rule (£).

    ``place_plus_top_up``: place + top-up; ``mainstream_threshold``: the top-up (the support
    above the school's threshold, already net of it); ``fee``: the fee; ``top_up``: the top-up;
    ``none``: 0.

    Examples
    --------
    >>> hnb_cost("place_plus_top_up", 10000, 16000)
    26000.0
    >>> hnb_cost("fee", fee_gbp=63000)
    63000.0
    """
    if rule == "place_plus_top_up":
        return float(place_funding_gbp + top_up_gbp)
    if rule in ("mainstream_threshold", "top_up"):
        return float(top_up_gbp)
    if rule == "fee":
        return float(fee_gbp)
    if rule == "none":
        return 0.0
    raise ValidationError(f"funding rule {rule!r}: expected one of place_plus_top_up, "
                          "mainstream_threshold, fee, top_up, none")


def cost_table(overrides: pd.DataFrame | dict | None = None, defaults: pd.DataFrame | None = None,
               transport_share: dict | None = None) -> pd.DataFrame:
    """Cost per placement per year by provision type (and phase), from the funding rules.

    Parameters
    ----------
    overrides : DataFrame or dict, optional
        Replace any component for a provision (or a provision in one phase). A DataFrame with
        ``provision`` (and optionally ``phase``) and any of ``place_funding_gbp, top_up_gbp,
        fee_gbp, threshold_gbp, support_gbp, transport_gbp`` (NaN = keep the default), or a dict
        ``{provision: {component: value}}``. For mainstream, ``support_gbp`` is the total
        additional support and the top-up is ``max(0, support - threshold)``; giving
        ``top_up_gbp`` directly sets the LA's payment. A row with a ``phase`` adds a
        phase-specific cost (``"primary"``, ``"post-16"`` ...) used before the ``"all"`` row.
    defaults : DataFrame, optional
        A replacement for :data:`DEFAULTS` (same columns), e.g. with another price year.
    transport_share : dict, optional
        Share of pupils transported by provision (default :data:`TRANSPORT_SHARE`); the
        transport cost per placement is ``transport_per_pupil x share``.

    Returns
    -------
    DataFrame
        ``provision, phase, rule, place_funding_gbp, top_up_gbp, fee_gbp, threshold_gbp,
        hnb_cost_gbp, transport_gbp, source`` in the price year of the defaults (£ per placement
        per year). ``hnb_cost_gbp`` is what the High Needs Block pays; transport is separate.

    Examples
    --------
    >>> t = cost_table({"special_independent": {"fee_gbp": 70000}}).set_index("provision")
    >>> float(t.loc["special_independent", "hnb_cost_gbp"]), float(t.loc["resource_base", "hnb_cost_gbp"])
    (70000.0, 16000.0)
    """
    if overrides is None and defaults is None and transport_share is None:
        # the national defaults alone: the same table for every run (made once per process
        # from DEFAULTS, RULES and TRANSPORT_SHARE; callers get a copy)
        return _default_cost_table().copy()
    return _cost_table(overrides, defaults, transport_share)


@functools.lru_cache(maxsize=1)
def _default_cost_table() -> pd.DataFrame:
    return _cost_table(None, None, None)


def _cost_table(overrides, defaults, transport_share) -> pd.DataFrame:
    table = DEFAULTS if defaults is None else defaults
    share = dict(TRANSPORT_SHARE if transport_share is None else transport_share)
    transport = default("transport_per_pupil", table)
    threshold = default("mainstream_threshold", table)
    rows = []
    for _, r in RULES.iterrows():
        place = default(r["place_default"], table) if isinstance(r["place_default"], str) else 0.0
        value = default(r["top_up_default"], table) if isinstance(r["top_up_default"], str) else 0.0
        row = {"provision": r["provision"], "phase": "all", "rule": r["rule"],
               "place_funding_gbp": place, "top_up_gbp": 0.0, "fee_gbp": 0.0,
               "threshold_gbp": 0.0, "transport_gbp": transport * share.get(r["provision"], 0.0),
               "source": "defaults"}
        if r["rule"] == "fee":
            row["fee_gbp"] = value
        elif r["rule"] == "mainstream_threshold":
            row["threshold_gbp"] = threshold
            row["top_up_gbp"] = max(0.0, value - threshold)
        else:
            row["top_up_gbp"] = value
        rows.append(row)
    out = pd.DataFrame(rows)
    if overrides is not None:
        out = _apply_overrides(out, overrides)
    out["hnb_cost_gbp"] = [hnb_cost(r.rule, r.place_funding_gbp, r.top_up_gbp, r.fee_gbp)
                           for r in out.itertuples()]
    return out[COST_COLUMNS].reset_index(drop=True)


def _apply_overrides(table: pd.DataFrame, overrides) -> pd.DataFrame:
    if isinstance(overrides, dict):
        overrides = pd.DataFrame([{"provision": p, **v} for p, v in overrides.items()])
    if not isinstance(overrides, pd.DataFrame) or "provision" not in overrides:
        raise ValidationError("cost overrides: expected a DataFrame with a 'provision' column or "
                              "a dict {provision: {component: value}}")
    unknown = [c for c in overrides.columns
               if c not in ("provision", "phase", "rule", "source") + COMPONENTS]
    if unknown:
        raise ValidationError(f"cost overrides: columns {unknown} not recognised; expected "
                              f"provision, phase and any of {list(COMPONENTS)}")
    known = set(table["provision"])
    table = table.copy()
    for i, o in enumerate(overrides.to_dict("records"), start=2):
        prov = o["provision"]
        if prov not in known:
            raise ValidationError(f"cost overrides: row {i}, column provision: {prov!r} is not a "
                                  f"provision code; expected one of {sorted(known)}")
        phase = o.get("phase")
        phase = "all" if phase is None or pd.isna(phase) else phase
        base = table[(table["provision"] == prov) & (table["phase"] == "all")].iloc[0].to_dict()
        hit = (table["provision"] == prov) & (table["phase"] == phase)
        row = table[hit].iloc[0].to_dict() if hit.any() else {**base, "phase": phase}
        for comp in COMPONENTS:
            value = o.get(comp)
            if value is None or pd.isna(value):
                continue
            if not np.isfinite(float(value)) or float(value) < 0:
                raise ValidationError(f"cost overrides: row {i}, column {comp}: {value!r}; "
                                      "expected a non-negative amount in £")
            if comp == "support_gbp":
                row["top_up_gbp"] = max(0.0, float(value) - row["threshold_gbp"])
            else:
                row[comp] = float(value)
        if o.get("rule") is not None and not pd.isna(o.get("rule")):
            row["rule"] = o["rule"]
        source = o.get("source")
        row["source"] = source if isinstance(source, str) and source else "override"
        if hit.any():
            for key, value in row.items():
                table.loc[hit, key] = value
        else:
            table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return table


def inflation_factor(year, price_year: int = 2024, inflation: float = 0.03):
    """``(1 + inflation) ** (year - price_year)``: the uplift from the price year to ``year``.

    Examples
    --------
    >>> round(float(inflation_factor(2026, 2024, 0.03)), 4)
    1.0609
    """
    return (1.0 + inflation) ** (np.asarray(year, dtype=float) - price_year)


def unit_costs(years, costs: pd.DataFrame | None = None, inflation: float | dict | None = None,
               price_year: int | None = None, independent_fee_growth: float | None = None
               ) -> pd.DataFrame:
    """Cost per placement by provision (and phase) in each year, on the price paths.

    Top-ups follow the top-up price path, fees the independent-fee path and transport the
    transport path (:mod:`sufficiency.finance.prices`: published uplifts where known, a stated
    assumption beyond); place funding and the mainstream threshold are cash rates and stay flat.
    A flat ``inflation`` rate replaces the paths when given.

    Parameters
    ----------
    years : iterable of int
        Census-convention years (2026 = financial year 2025-26).
    costs : DataFrame, optional
        From :func:`cost_table` or :func:`sufficiency.finance.calibrate.calibrate_costs`.
    inflation : float or dict, optional
        A flat annual rate for top-ups, fees and transport, or ``{provision: rate}``, instead of
        the price paths (default: the paths).
    price_year : int, optional
        The price year of ``costs`` (default 2024, i.e. 2023-24 prices).
    independent_fee_growth : float, optional
        Growth of independent fees a year beyond the published CPI (default 4%,
        :data:`sufficiency.finance.prices.PRICE_ASSUMPTIONS`).

    Returns
    -------
    DataFrame
        ``year`` plus the :func:`cost_table` columns, priced in that year (£).

    Examples
    --------
    >>> u = unit_costs([2024, 2025]).query("provision == 'special_maintained'")
    >>> u["hnb_cost_gbp"].round().tolist()     # £10,000 flat + £16,000 x teachers' pay 2024-25
    [26000.0, 26947.0]
    >>> unit_costs([2025], inflation=0.03).query("provision == 'special_maintained'")[
    ...     "hnb_cost_gbp"].tolist()
    [26480.0]
    """
    from .prices import price_index

    costs = cost_table() if costs is None else costs
    price_year = PRICE_YEAR if price_year is None else int(price_year)
    years = sorted({int(y) for y in years})
    if not years:
        raise ValueError("unit_costs: no years given")
    # one block of the cost table per year, priced in one step: each component times its
    # year's factor (the same products as pricing the table year by year)
    n = len(costs)
    comps = ("top_up_gbp", "fee_gbp", "transport_gbp")
    if inflation is None:
        index = price_index(years, price_year, independent_fee_growth=independent_fee_growth)
        level = dict(zip(zip(index["series"], index["year"]), index["index"]))
        series = {"top_up_gbp": "top_up", "fee_gbp": "independent_fee",
                  "transport_gbp": "transport"}
        factors = {c: np.repeat([float(level[(series[c], y)]) for y in years], n)
                   for c in comps}
    else:
        if isinstance(inflation, dict):
            fallback = default("inflation")
            r = costs["provision"].map(lambda p: inflation.get(p, fallback))
            each = [((1.0 + r) ** (year - price_year)).to_numpy() for year in years]
            factor = np.concatenate(each) if n else np.zeros(0)
        else:
            r = float(inflation)
            factor = np.repeat([(1.0 + r) ** (year - price_year) for year in years], n)
        factors = {c: factor for c in comps}
    t = costs.take(np.tile(np.arange(n), len(years))).reset_index(drop=True)
    t.insert(0, "year", np.repeat(np.array(years, dtype="int64"), n))
    for comp, factor in factors.items():
        t[comp] = t[comp] * factor
    t["hnb_cost_gbp"] = np.where(t["rule"] == "place_plus_top_up",
                                 t["place_funding_gbp"] + t["top_up_gbp"],
                                 np.where(t["rule"] == "fee", t["fee_gbp"],
                                          np.where(t["rule"] == "none", 0.0, t["top_up_gbp"])))
    return t


def lognormal_fee(mean_gbp: float | None = None, median_gbp: float | None = None):
    """The lognormal distribution of independent special school fees with a given mean and median.

    ``mu = ln(median)``, ``sigma = sqrt(2 ln(mean / median))`` (the lognormal's mean is
    ``exp(mu + sigma^2 / 2)``). Defaults: mean £63,000 (DfE 2025), median £50,000 (assumption).

    Returns
    -------
    scipy.stats.rv_continuous (frozen)

    Examples
    --------
    >>> d = lognormal_fee(63000, 50000)
    >>> round(d.mean()), round(d.median())
    (63000, 50000)
    """
    from scipy import stats

    mean = default("fee_special_independent_mean") if mean_gbp is None else float(mean_gbp)
    median = default("fee_special_independent_median") if median_gbp is None else float(median_gbp)
    if not (mean > 0 and median > 0 and mean >= median):
        raise ValidationError(f"independent fee distribution: mean £{mean:,.0f}, median "
                              f"£{median:,.0f}; expected positive amounts with mean >= median "
                              "(fees are right-skewed)")
    sigma = math.sqrt(2.0 * math.log(mean / median))
    return stats.lognorm(s=sigma, scale=median)


def sample_mean_fees(n_pupils, n_paths: int, rng: np.random.Generator, mean_gbp: float | None = None,
                     median_gbp: float | None = None) -> np.ndarray:
    """Average fee per path for a cohort of ``n_pupils`` independent placements (£).

    Each path's average of ``n`` lognormal fees is drawn from its normal approximation (mean
    ``m``, sd ``s / sqrt(n)``): the uncertainty in what an LA's independent cohort costs on
    average. Returns an array of shape ``(n_paths,)`` (``n_pupils`` a scalar >= 1).

    Examples
    --------
    >>> fees = sample_mean_fees(100, 4000, np.random.default_rng(0))
    >>> bool(61000 < fees.mean() < 65000)
    True
    """
    dist = lognormal_fee(mean_gbp, median_gbp)
    n = max(1.0, float(n_pupils))
    draws = rng.normal(dist.mean(), dist.std() / math.sqrt(n), size=n_paths)
    return np.maximum(draws, 0.0)


def setting_costs(settings: pd.DataFrame, costs: pd.DataFrame | None = None,
                  overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cost per placement for each named setting: its provision's cost, with per-setting overrides.

    Parameters
    ----------
    settings : DataFrame
        ``setting, provision`` (e.g. the optimiser's settings table).
    costs : DataFrame, optional
        Provision costs (:func:`cost_table`).
    overrides : DataFrame, optional
        ``setting`` and any of ``place_funding_gbp, top_up_gbp, fee_gbp, transport_gbp``.

    Returns
    -------
    DataFrame
        ``setting, provision, rule, place_funding_gbp, top_up_gbp, fee_gbp, hnb_cost_gbp,
        transport_gbp``.

    Examples
    --------
    >>> s = pd.DataFrame({"setting": ["Oak", "Elm"], "provision": ["special_maintained"] * 2})
    >>> o = pd.DataFrame({"setting": ["Elm"], "top_up_gbp": [20000.0]})
    >>> setting_costs(s, overrides=o)["hnb_cost_gbp"].tolist()
    [26000.0, 30000.0]
    """
    costs = cost_table() if costs is None else costs
    for col in ("setting", "provision"):
        if col not in settings:
            raise ValidationError(f"settings: expected a {col!r} column")
    base = costs[costs["phase"] == "all"].drop(columns=["phase"])
    out = settings[["setting", "provision"]].merge(base, on="provision", how="left")
    missing = out["rule"].isna()
    if missing.any():
        rows = [str(i + 2) for i in np.flatnonzero(missing.to_numpy())]
        raise ValidationError(f"settings: rows {', '.join(rows[:10])}, column provision: no cost "
                              f"for {sorted(set(out.loc[missing, 'provision']))}")
    if overrides is not None:
        o = overrides.set_index("setting")
        for comp in ("place_funding_gbp", "top_up_gbp", "fee_gbp", "transport_gbp"):
            if comp in o:
                new = out["setting"].map(o[comp])
                out[comp] = new.where(new.notna(), out[comp])
    out["hnb_cost_gbp"] = [hnb_cost(r.rule, r.place_funding_gbp, r.top_up_gbp, r.fee_gbp)
                           for r in out.itertuples()]
    return out[["setting", "provision", "rule", "place_funding_gbp", "top_up_gbp", "fee_gbp",
                "hnb_cost_gbp", "transport_gbp"]]


def with_costs_per_place(table: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """A cost table with the user's cost per place in place of the provisions (and phases)
    ``costs`` names.

    Each cost per place becomes the component its funding rule pays: the fee (independent,
    specialist post-16), the top-up above the place funding (place plus top-up; place funding
    is kept unless the cost is below it), or the top-up. A phase the table lacks gets a row,
    copied from the provision's ``"all"`` row.

    Parameters
    ----------
    table : DataFrame
        A cost table (:func:`cost_table` columns, 2023-24 prices), e.g. a calibration's.
    costs : DataFrame
        ``provision, phase, cost_per_place, source`` (a scenario's ``finance.costs``; an empty
        phase = every phase).

    Returns
    -------
    DataFrame
        The table (a copy), with ``source`` the user's for the rows replaced.

    Examples
    --------
    >>> mine = pd.DataFrame({"provision": ["special_independent"], "phase": ["all"],
    ...                      "cost_per_place": [72000.0], "source": ["our contracts"]})
    >>> t = with_costs_per_place(cost_table(), mine).set_index("provision")
    >>> float(t.loc["special_independent", "hnb_cost_gbp"]), t.loc["special_independent", "source"]
    (72000.0, 'our contracts')
    """
    table = table.copy()
    for r in costs.itertuples(index=False):
        phase = r.phase if isinstance(r.phase, str) and r.phase else "all"
        hit = (table["provision"] == r.provision) & (table["phase"] == phase)
        if not hit.any():
            base = table[(table["provision"] == r.provision) & (table["phase"] == "all")]
            table = pd.concat([table, base.assign(phase=phase)], ignore_index=True)
            hit = (table["provision"] == r.provision) & (table["phase"] == phase)
        i = table.index[hit][0]
        rule, value = table.at[i, "rule"], float(r.cost_per_place)
        if rule == "fee":
            table.at[i, "fee_gbp"] = value
        elif rule == "place_plus_top_up":
            place = min(float(table.at[i, "place_funding_gbp"]), value)
            table.at[i, "place_funding_gbp"] = place
            table.at[i, "top_up_gbp"] = value - place
        else:
            table.at[i, "rule"] = "top_up" if rule == "none" else rule
            table.at[i, "top_up_gbp"] = value
        table.at[i, "hnb_cost_gbp"] = hnb_cost(table.at[i, "rule"],
                                               table.at[i, "place_funding_gbp"],
                                               table.at[i, "top_up_gbp"], table.at[i, "fee_gbp"])
        table.at[i, "source"] = r.source
    return table.reset_index(drop=True)


def cost_per_place(table: pd.DataFrame, year: int) -> tuple[pd.Series, pd.Series]:
    """The High Needs cost of a place by provision, and by provision and phase, in ``year``'s
    prices: what a place plan's settings cost, priced as the DSG projection prices them.

    Parameters
    ----------
    table : DataFrame
        A cost table (:func:`cost_table` columns), e.g. a calibration's.
    year : int
        Census year of the prices (:func:`unit_costs`).

    Returns
    -------
    (Series, Series)
        £ a place a year: by ``provision`` (the ``"all"`` phase's where the table has one, else
        the mean over its phases), and by ``provision, phase`` for the rows of a named phase
        (empty when there are none). Provisions that cost nothing are left out.

    Examples
    --------
    >>> by_provision, by_phase = cost_per_place(cost_table(), 2024)
    >>> float(by_provision["special_maintained"]) > 20000, len(by_phase)
    (True, 0)
    """
    unit = unit_costs([year], table)
    unit = unit[unit["hnb_cost_gbp"] > 0]
    every = unit[unit["phase"] == "all"].groupby("provision")["hnb_cost_gbp"].mean()
    cost = unit.groupby("provision")["hnb_cost_gbp"].mean()
    cost.update(every)
    phased = unit[unit["phase"] != "all"].set_index(["provision", "phase"])["hnb_cost_gbp"]
    return cost, phased
