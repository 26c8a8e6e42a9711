"""The result of a forecast run: tables, simulated paths, models, levers and assumptions."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .validate import quantile_name

__all__ = ["Forecast"]


@dataclass
class Forecast:
    """One forecast run (from :func:`~sufficiency.forecast.project`).

    Attributes
    ----------
    table : DataFrame
        Tidy: the key columns, ``year`` (future years only), ``mean`` and one column per
        quantile (``p05``, ``p10``, ``p50``, ``p90``, ``p95`` by default), in EHC plans.
    series : DataFrame
        One row per series (the key columns), in the order of ``path_array``.
    path_array : ndarray, shape (n_series, n_paths, horizon)
        Simulated counts; the array form of :attr:`paths` (what a finance stage consumes).
    years : ndarray of int
        The forecast years (``horizon`` of them).
    model : DataFrame
        Keys, ``model`` (the model used for each series) and ``description`` (what was fitted).
    levers : DataFrame
        ``lever, parameters, applied_to, status``: every lever applied, in order.
    provision_shifts : DataFrame
        Placement levers recorded for the placement stage (no provision key in the forecast).
    assumptions : DataFrame
        ``name, value, unit, source``.
    history : DataFrame
        The history used (tidy), for plots.
    components : DataFrame or None
        Prevalence model only: demographic and prevalence effects per series and year.
    """

    table: pd.DataFrame
    series: pd.DataFrame
    path_array: np.ndarray
    years: np.ndarray
    model: pd.DataFrame
    levers: pd.DataFrame
    assumptions: pd.DataFrame
    history: pd.DataFrame
    provision_shifts: pd.DataFrame = field(default_factory=pd.DataFrame)
    components: pd.DataFrame | None = None
    quantiles: tuple = (0.05, 0.1, 0.5, 0.9, 0.95)
    notes: list = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return list(self.series.columns)

    @property
    def paths(self) -> pd.DataFrame:
        """Simulated paths, tidy: the key columns, ``path``, ``year``, ``value``."""
        n, p, h = self.path_array.shape
        idx = np.repeat(np.arange(n), p * h)
        out = self.series.iloc[idx].reset_index(drop=True)
        out["path"] = np.tile(np.repeat(np.arange(p), h), n)
        out["year"] = np.tile(self.years, n * p)
        out["value"] = self.path_array.reshape(-1)
        return out

    def summary_frame(self, alpha: float = 0.1) -> pd.DataFrame:
        """Mean and the central ``1 - alpha`` interval from the paths: keys, ``year, mean,
        lower, upper``."""
        lo = np.quantile(self.path_array, alpha / 2, axis=1)
        hi = np.quantile(self.path_array, 1 - alpha / 2, axis=1)
        out = self._frame({"mean": self.path_array.mean(axis=1), "lower": lo, "upper": hi})
        return out

    def _frame(self, columns: dict) -> pd.DataFrame:
        n, _, h = self.path_array.shape
        out = self.series.iloc[np.repeat(np.arange(n), h)].reset_index(drop=True)
        out["year"] = np.tile(self.years, n)
        for k, v in columns.items():
            out[k] = np.asarray(v).reshape(-1)
        return out

    def summary(self) -> str:
        """A few lines: models used, levers, the total's forecast."""
        lines = [f"Forecast {int(self.years[0])}-{int(self.years[-1])}: "
                 f"{len(self.series)} series, {self.path_array.shape[1]} simulated paths"]
        counts = self.model["model"].value_counts()
        lines.append("Models: " + ", ".join(f"{m} ({c})" for m, c in counts.items()))
        if len(self.levers):
            lines.append("Levers (assumptions): " + "; ".join(self.levers["parameters"]))
        named = self.assumptions.set_index("name")["value"] if len(self.assumptions) else {}
        if "long-run growth" in named:
            lines.append(str(named["long-run growth"]).capitalize())
        if self.components is not None and {"demographic_effect", "prevalence_effect"} <= \
                set(self.components):
            last = self.components[self.components["year"] == self.components["year"].max()]
            if "age_band" in last:
                last = last[last["age_band"] == "all"]
            if len(last) == 1:
                r = last.iloc[0]
                lines.append(f"Growth to {int(r['year'])}: demographic "
                             f"{r['demographic_effect']:+,.0f}, prevalence "
                             f"{r['prevalence_effect']:+,.0f} plans")
        for note in self.notes:
            lines.append("Note: " + note)
        total = self._total_rows()
        cols = ["year", "mean"] + [quantile_name(q) for q in self.quantiles
                                   if quantile_name(q) in self.table]
        lines.append("")
        lines.append(total[self.keys_without_all() + cols].to_string(index=False,
                                                                     float_format="{:,.0f}".format))
        return "\n".join(lines)

    def keys_without_all(self):
        return [k for k in self.keys if k in ("la_code",)]

    def _total_rows(self) -> pd.DataFrame:
        t = self.table
        hier = [k for k in self.keys if k != "la_code"]
        if not hier:
            return t
        mask = np.ones(len(t), bool)
        for k in hier:
            mask &= t[k].astype(str) == "all"
        return t[mask] if mask.any() else t

    def plot(self, where: dict | None = None, ax=None, max_panels: int = 6):
        """Fan chart: history (black), mean, 80% and 90% bands, for the series in ``where``.

        Parameters
        ----------
        where : dict, optional
            ``{key: value}`` selecting series; default the total (``"all"`` rows) or the
            first series. Up to ``max_panels`` series are drawn, one panel each.

        Returns
        -------
        matplotlib Figure
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        rows = np.arange(len(self.series))
        if where:
            sel = np.ones(len(self.series), bool)
            for k, v in where.items():
                sel &= self.series[k].astype(str).to_numpy() == str(v)
            rows = np.flatnonzero(sel)
        else:
            hier = [k for k in self.keys if k != "la_code"]
            if hier:
                sel = np.ones(len(self.series), bool)
                for k in hier:
                    sel &= self.series[k].astype(str).to_numpy() == "all"
                if sel.any():
                    rows = np.flatnonzero(sel)
        rows = rows[:max_panels]
        if ax is None:
            ncol = min(3, len(rows))
            nrow = int(np.ceil(len(rows) / ncol))
            fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol, 3.6 * nrow), squeeze=False)
            axes = axes.ravel()
        else:
            fig, axes = ax.figure, np.array([ax])
        for a, i in zip(axes, rows):
            p = self.path_array[i]
            hist = self.history
            for k in self.keys:
                hist = hist[hist[k].astype(str) == str(self.series.iloc[i][k])]
            hist = hist.sort_values("year")
            a.plot(hist["year"], hist["count"], color="black", lw=1.5, label="history")
            # the fan starts at the last observed year so history and forecast join up
            x = self.years
            start = None
            if len(hist):
                start = (int(hist["year"].iloc[-1]), float(hist["count"].iloc[-1]))
                x = np.concatenate([[start[0]], self.years])

            def join(v):
                return np.concatenate([[start[1]], v]) if start else v

            for lo, hi, alpha, lab in ((0.05, 0.95, 0.2, "90%"), (0.1, 0.9, 0.35, "80%")):
                a.fill_between(x, join(np.quantile(p, lo, axis=0)),
                               join(np.quantile(p, hi, axis=0)), color="tab:blue",
                               alpha=alpha, lw=0, label=f"{lab} interval")
            a.plot(x, join(p.mean(axis=0)), color="tab:blue", lw=2, label="mean")
            a.xaxis.set_major_locator(MaxNLocator(integer=True))
            title = ", ".join(f"{k} {v}" for k, v in self.series.iloc[i].items()
                              if str(v) != "all") or "total"
            a.set_title(f"{title} ({self.model['model'].iloc[i]})", fontsize=9)
            a.set_xlabel("year (January)")
            a.set_ylabel("EHC plans")
            a.grid(alpha=0.3)
        for a in axes[len(rows):]:
            a.set_visible(False)
        axes[0].legend(fontsize=8, loc="upper left")
        fig.tight_layout()
        return fig
