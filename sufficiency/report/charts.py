"""Charts for a sufficiency report, one function per chart, tidy frames in, a Figure out.

Every function returns a :class:`matplotlib.figure.Figure` (the caller saves or shows it) and
labels its axes with units. :func:`save_png` writes a PNG without a timestamp or software tag,
so the same figure gives the same bytes.
"""

from __future__ import annotations

import matplotlib

__all__ = ["fan_chart", "demand_vs_capacity", "capital_timeline", "cost_by_provision",
           "deficit_chart", "save_png"]

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..data.labels import label  # noqa: E402

_WHOLE = FuncFormatter(lambda v, _: f"{v:,.0f}")

__all__ = ["fan_chart", "demand_vs_capacity", "capital_timeline", "cost_by_provision",
           "deficit_chart", "save_png"]

_BLUE, _GREY, _ORANGE, _RED = "#1f5f8b", "#7f7f7f", "#d9822b", "#b03a2e"


def fan_chart(history: pd.DataFrame, forecast: pd.DataFrame, by: str | None = None,
              title: str = "EHC plans: history and forecast", value: str = "count",
              order=None, total: str | None = "all"):
    """History and forecast with 80% and 90% bands, one panel per ``by`` group.

    Parameters
    ----------
    history : DataFrame
        ``year``, ``value`` (children) and ``by`` when given.
    forecast : DataFrame
        ``year``, ``mean`` and any of ``p05, p10, p50, p90, p95`` (and ``by``).
    order : sequence, optional
        Panel order (e.g. the age bands youngest first); groups not listed follow.
    total : str or None
        The ``by`` value of the LA total: drawn first, as its own panel ("All ages").
    """
    present = list(dict.fromkeys(forecast[by])) if by else [None]
    if by:
        ranked = [g for g in (order or []) if g in present and g != total]
        groups = ([total] if total in present else []) + ranked + \
            sorted(g for g in present if g not in ranked and g != total)
    else:
        groups = [None]
    cols = min(3, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, group in zip(axes.flat, groups):
        h = history if group is None else history[history[by] == group]
        f = forecast if group is None else forecast[forecast[by] == group]
        f = f.sort_values("year")
        if {"p05", "p95"} <= set(f.columns):
            ax.fill_between(f["year"], f["p05"], f["p95"], color=_BLUE, alpha=0.15,
                            label="90% range")
        if {"p10", "p90"} <= set(f.columns):
            ax.fill_between(f["year"], f["p10"], f["p90"], color=_BLUE, alpha=0.3,
                            label="80% range")
        ax.plot(f["year"], f["mean"], color=_BLUE, lw=2, label="Forecast (mean)")
        h = h.sort_values("year")
        ax.plot(h["year"], h[value], color="black", lw=1.5, marker="o", ms=3,
                label="Published (DfE SEN2)")
        name = label(group, by) if group is not None else title
        ax.set_title(name, fontsize=10, fontweight="bold" if group == total else None)
        ax.set_ylabel("Children and young people")
        ax.yaxis.set_major_formatter(_WHOLE)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    if by:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def demand_vs_capacity(frame: pd.DataFrame, title: str = "Specialist demand against local places"):
    """Demand for specialist places against local capacity, existing and new, per year.

    ``frame``: ``year``, ``demand`` (children needing a specialist place), ``existing``
    (local places there today) and ``new`` (places the plan's projects add by that year).
    Places are drawn as whole places.
    """
    g = frame.sort_values("year")
    existing = np.round(g["existing"].to_numpy(float))
    new = np.round(g["new"].to_numpy(float))
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(g["year"], existing, color=_GREY, alpha=0.6, label="Local places today")
    ax.bar(g["year"], new, bottom=existing, color=_BLUE, alpha=0.8,
           label="New places from the capital programme")
    ax.plot(g["year"], g["demand"], color=_RED, lw=2, marker="o", ms=4,
            label="Children needing a specialist place")
    ax.set_ylabel("Children / places")
    ax.set_xlabel("January census year")
    ax.yaxis.set_major_formatter(_WHOLE)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def capital_timeline(programme: pd.DataFrame, title: str = "Capital programme"):
    """Chosen projects as bars from their opening year, labelled with places and cost.

    ``programme``: ``project``, ``opening_year``, ``places``, ``capital_cost_gbp``.
    """
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.45 * len(programme) + 1)))
    if programme.empty:
        ax.text(0.5, 0.5, "No capital projects chosen", ha="center", va="center")
        ax.set_axis_off()
        return fig
    p = programme.sort_values(["opening_year", "project"]).reset_index(drop=True)
    last = int(p["opening_year"].max()) + 2
    for i, row in p.iterrows():
        ax.barh(i, last - row["opening_year"], left=row["opening_year"], color=_BLUE, alpha=0.7)
        ax.text(row["opening_year"] + 0.1, i,
                f"{row['places']:,.0f} places, £{row['capital_cost_gbp'] / 1e6:.1f}m",
                va="center", fontsize=8, color="white")
    ax.set_yticks(range(len(p)), p["project"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Opening year (September)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def cost_by_provision(cost: pd.DataFrame, value: str = "cost_gbp",
                      title: str = "Annual cost by provision type"):
    """Stacked bars of cost per year by provision type (``year``, ``provision``, ``value``)."""
    wide = cost.pivot_table(index="year", columns="provision", values=value, aggfunc="sum")
    wide = wide.fillna(0) / 1e6
    fig, ax = plt.subplots(figsize=(8, 4))
    _stack(ax, wide)
    ax.set_ylabel("£ million a year")
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def revenue_and_capital(cost: pd.DataFrame, title: str = "What the plan costs"):
    """Revenue and capital drawn apart: two panels sharing the years.

    ``cost``: ``year``, ``provision``, ``revenue`` (and ``transport``) and ``capital`` (£ of
    each year). Left: revenue (and transport) a year by provision type; right: capital spent
    each year on the chosen projects.
    """
    revenue = cost.assign(running=cost["revenue"] + cost.get("transport", 0.0))
    wide = revenue.pivot_table(index="year", columns="provision", values="running",
                               aggfunc="sum").fillna(0) / 1e6
    wide = wide.loc[:, wide.sum() > 0]
    capital = cost.groupby("year")["capital"].sum() / 1e6
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharex=True,
                                      gridspec_kw={"width_ratios": [3, 2]})
    _stack(left, wide)
    left.set_title("Revenue a year (placements and transport)", fontsize=10)
    left.set_ylabel("£ million a year")
    left.legend(fontsize=7, ncol=2, loc="upper left")
    right.bar(capital.index, capital.to_numpy(), color=_ORANGE)
    right.set_title("Capital spent a year (projects)", fontsize=10)
    right.set_ylabel("£ million a year")
    for ax in (left, right):
        ax.grid(axis="y", alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _stack(ax, wide: pd.DataFrame) -> None:
    bottom = np.zeros(len(wide))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(wide.columns), 2)))
    for colour, column in zip(colours, wide.columns):
        ax.bar(wide.index, wide[column], bottom=bottom, label=label(str(column), "provision"),
               color=colour)
        bottom += wide[column].to_numpy()


def deficit_chart(trajectory: pd.DataFrame, title: str = "Cumulative DSG position"):
    """Cumulative DSG balance per year for each variant, with its 80% band where it has one.

    ``trajectory``: ``year``, ``variant``, ``mean`` (or ``p50``) and optionally ``p10``,
    ``p90`` (£; negative = deficit). A variant's band is shaded where its ``p10``/``p90`` are
    known (every scenario with simulated paths); the line is ``mean``.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    colours = {"unmitigated": _RED, "mitigated": _BLUE,
               "forecast, today's placement mix": _RED, "forecast with the levers": _BLUE,
               "today's placement mix": _RED, "with the scenario's levers": _BLUE}
    line = "mean" if "mean" in trajectory else "p50"
    for i, (variant, g) in enumerate(trajectory.groupby("variant", sort=True)):
        g = g.sort_values("year")
        key = str(variant).lower().split(" (")[0]
        colour = colours.get(key, [_ORANGE, _GREY][i % 2])
        if {"p10", "p90"} <= set(g.columns) and g[["p10", "p90"]].notna().all().all():
            ax.fill_between(g["year"], g["p10"] / 1e6, g["p90"] / 1e6, color=colour, alpha=0.2)
        ax.plot(g["year"], g[line] / 1e6, color=colour, lw=2, marker="o", ms=3, label=variant)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("£ million (below zero = deficit)")
    ax.set_xlabel("Financial year, by the year it ends (2026 = 2025-26)")
    ax.set_title(title + (" (mean of the paths; shaded: 80% band)" if line == "mean" else ""))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_png(fig, path, dpi: int = 110) -> None:
    """Save without metadata that changes between runs, then close the figure."""
    fig.savefig(path, dpi=dpi, format="png", metadata={"Software": None})
    plt.close(fig)
