"""Charts for a sufficiency report, one function per chart, tidy frames in, a Figure out.

Every function returns a :class:`matplotlib.figure.Figure` (the caller saves or shows it) and
labels its axes with units. :func:`save_png` writes a PNG without a timestamp or software tag,
so the same figure gives the same bytes.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

_BLUE, _GREY, _ORANGE, _RED = "#1f5f8b", "#7f7f7f", "#d9822b", "#b03a2e"


def fan_chart(history: pd.DataFrame, forecast: pd.DataFrame, by: str | None = None,
              title: str = "EHC plans: history and forecast", value: str = "count"):
    """History and forecast with 80% and 90% bands, one panel per ``by`` group.

    Parameters
    ----------
    history : DataFrame
        ``year``, ``value`` (children) and ``by`` when given.
    forecast : DataFrame
        ``year``, ``mean`` and any of ``p05, p10, p50, p90, p95`` (and ``by``).
    """
    groups = sorted(forecast[by].unique()) if by else [None]
    cols = min(3, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, group in zip(axes.flat, groups):
        h = history if group is None else history[history[by] == group]
        f = forecast if group is None else forecast[forecast[by] == group]
        f = f.sort_values("year")
        if {"p05", "p95"} <= set(f.columns):
            ax.fill_between(f["year"], f["p05"], f["p95"], color=_BLUE, alpha=0.15,
                            label="90% interval")
        if {"p10", "p90"} <= set(f.columns):
            ax.fill_between(f["year"], f["p10"], f["p90"], color=_BLUE, alpha=0.3,
                            label="80% interval")
        ax.plot(f["year"], f["mean"], color=_BLUE, lw=2, label="forecast (mean)")
        h = h.sort_values("year")
        ax.plot(h["year"], h[value], color="black", lw=1.5, marker="o", ms=3, label="history")
        ax.set_title(str(group) if group is not None else title, fontsize=10)
        ax.set_ylabel("children and young people")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    if by:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def demand_vs_capacity(frame: pd.DataFrame, by: str = "group",
                       title: str = "Specialist demand vs places"):
    """Demand against local capacity per year, one panel per ``by`` group.

    ``frame``: ``year``, ``by``, ``demand`` (children) and ``capacity`` (local places for the
    group: designated capacity, or the local places a plan fills for it).
    """
    groups = sorted(frame[by].unique())
    cols = min(3, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, group in zip(axes.flat, groups):
        g = frame[frame[by] == group].sort_values("year")
        ax.bar(g["year"], g["capacity"], color=_GREY, alpha=0.5, label="local places")
        ax.plot(g["year"], g["demand"], color=_RED, lw=2, marker="o", ms=3, label="demand")
        ax.set_title(str(group), fontsize=10)
        ax.set_ylabel("children / places")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(title)
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
                f"{row['places']:.0f} places, £{row['capital_cost_gbp'] / 1e6:.1f}m",
                va="center", fontsize=8, color="white")
    ax.set_yticks(range(len(p)), p["project"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("opening year (September)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def cost_by_provision(cost: pd.DataFrame, value: str = "cost_gbp",
                      title: str = "Annual cost by provision type"):
    """Stacked bars of cost per year by provision type (``year``, ``provision``, ``value``)."""
    wide = cost.pivot_table(index="year", columns="provision", values=value, aggfunc="sum")
    wide = wide.fillna(0) / 1e6
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = np.zeros(len(wide))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(wide.columns), 2)))
    for colour, column in zip(colours, wide.columns):
        ax.bar(wide.index, wide[column], bottom=bottom, label=str(column), color=colour)
        bottom += wide[column].to_numpy()
    ax.set_ylabel("£ million a year")
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def deficit_chart(trajectory: pd.DataFrame, title: str = "Cumulative DSG position"):
    """Cumulative DSG balance per year for each variant, with its 80% band where it has one.

    ``trajectory``: ``year``, ``variant``, ``mean`` (or ``p50``) and optionally ``p10``,
    ``p90`` (£; negative = deficit). A variant's band is shaded where its ``p10``/``p90`` are
    known (every scenario with simulated paths); the line is ``mean``.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    colours = {"unmitigated": _RED, "mitigated": _BLUE,
               "forecast, today's placement mix": _RED, "forecast with the levers": _BLUE}
    line = "mean" if "mean" in trajectory else "p50"
    for i, (variant, g) in enumerate(trajectory.groupby("variant", sort=True)):
        g = g.sort_values("year")
        colour = colours.get(variant, [_ORANGE, _GREY][i % 2])
        if {"p10", "p90"} <= set(g.columns) and g[["p10", "p90"]].notna().all().all():
            ax.fill_between(g["year"], g["p10"] / 1e6, g["p90"] / 1e6, color=colour, alpha=0.2)
        ax.plot(g["year"], g[line] / 1e6, color=colour, lw=2, marker="o", ms=3, label=variant)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("£ million (negative = deficit)")
    ax.set_title(title + (" (mean of the paths; shaded: 80% band)" if line == "mean" else ""))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_png(fig, path, dpi: int = 110) -> None:
    """Save without metadata that changes between runs, then close the figure."""
    fig.savefig(path, dpi=dpi, format="png", metadata={"Software": None})
    plt.close(fig)
