"""Coherence: forecasts of the parts add up to the forecast of the whole, path by path.

The LA total and its parts (age bands, needs, areas) are forecast separately, then reconciled
by weighted least squares (Hyndman et al. 2011; Wickramasuriya, Athanasopoulos & Hyndman
2019, "MinT" with a diagonal covariance, also called WLS-var). For one level of parts
``b_1..b_m`` under a total ``T`` with forecast variances ``v_j`` and ``v_T`` (from the
simulated paths, per year), the reconciled values minimise
``sum (x_j - b_j)^2 / v_j + (sum x_j - T)^2 / v_T``, whose solution is::

    d   = T - sum_j b_j                      (the incoherence)
    x_j = b_j + d * v_j / (v_T + sum_j v_j)  (each part takes a share by its uncertainty)

and the reconciled total is ``sum_j x_j``. It is applied to every simulated path and year, so
the paths are coherent, and hence so are the mean and any linear summary (quantiles of the
total are those of the summed paths, not sums of quantiles). Parts that would go negative
are set to 0 and the total is re-summed, keeping exact coherence.
"""

from __future__ import annotations

import numpy as np

__all__ = ["reconcile_paths"]


def reconcile_paths(parts: np.ndarray, total: np.ndarray, method: str = "wls") -> np.ndarray:
    """Reconcile one group: ``parts`` (m, n_paths, h) under ``total`` (n_paths, h).

    Parameters
    ----------
    method : {"wls", "bottom_up"}
        ``"wls"`` as in the module docstring; ``"bottom_up"`` ignores the total's own forecast.

    Returns
    -------
    ndarray (m, n_paths, h)
        The reconciled parts; their sum over axis 0 is the reconciled total.

    Examples
    --------
    >>> import numpy as np
    >>> parts = np.array([[[10.], [12.]], [[20.], [18.]]])   # 2 parts, 2 paths, 1 year
    >>> total = np.array([[33.], [27.]])
    >>> float(reconcile_paths(parts, total, "bottom_up").sum())
    60.0
    >>> x = reconcile_paths(parts, total)   # the total varies more, so it moves less
    >>> [round(float(v), 2) for v in x.sum(axis=0)[:, 0]]
    [30.55, 29.45]
    """
    if method == "bottom_up":
        return parts.copy()
    if method != "wls":
        raise ValueError(f"reconcile = {method!r}: expected 'wls', 'bottom_up' or None")
    v = parts.var(axis=1)                       # (m, h)
    v_t = total.var(axis=0)                     # (h,)
    denom = v_t + v.sum(axis=0)
    share = np.where(denom > 0, v / np.where(denom > 0, denom, 1), 1.0 / len(parts))
    d = total - parts.sum(axis=0)               # (n_paths, h)
    out = parts + share[:, None, :] * d[None, :, :]
    return np.maximum(out, 0.0)
