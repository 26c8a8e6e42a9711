"""Progress lines for long steps: :func:`step_meter` turns a backtest's step callback into
messages with the steps done and left, the time elapsed and an estimate of the time left."""

from __future__ import annotations

import time

__all__ = ["step_meter", "clock_text"]


def clock_text(seconds: float) -> str:
    """``"42s"`` under a minute, ``"3m05s"`` from a minute on (rounded to the second).

    Examples
    --------
    >>> clock_text(41.6), clock_text(185)
    ('42s', '3m05s')
    """
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def step_meter(say, per_origin: int, every: float = 2.0, clock=time.perf_counter):
    """A backtest's ``on_step`` callback that says how far it has got.

    One line when an origin year's ``per_origin`` models are done, at the last step, and after
    any step at least ``every`` seconds after the previous line: the origin and model, the
    steps done and left, the time elapsed and about how long is left (elapsed time per step
    done, times the steps left).

    Parameters
    ----------
    say : callable
        Called with each line (e.g. the command line's progress printer).
    per_origin : int
        Models backtested at each origin year.
    every : float
        Seconds between lines within an origin (default 2).
    clock : callable
        Seconds, monotonic (default :func:`time.perf_counter`; a test passes its own).

    Returns
    -------
    callable
        ``on_step(done, total, origin, model)`` for :func:`sufficiency.forecast.backtest`.

    Examples
    --------
    >>> ticks = iter([0.0, 1.0, 2.0])
    >>> on_step = step_meter(print, per_origin=2, clock=lambda: next(ticks))
    >>> on_step(1, 4, 2019, "log_linear")     # 1 s later, mid-origin: quiet
    >>> on_step(2, 4, 2019, "damped_trend")   # the origin's models are done
    origin 2019, model 2 of 2 (damped_trend): 2 of 4 steps done, 2 left | elapsed 2s, about 2s left
    """
    start = clock()
    last = [start]

    def on_step(done: int, total: int, origin: int, model: str) -> None:
        now = clock()
        if done % per_origin and done != total and now - last[0] < every:
            return
        last[0] = now
        elapsed = now - start
        left = elapsed / done * (total - done) if done else 0.0
        k = (done - 1) % per_origin + 1
        say(f"origin {origin}, model {k} of {per_origin} ({model}): {done} of {total} steps "
            f"done, {total - done} left | elapsed {clock_text(elapsed)}, about "
            f"{clock_text(left)} left")

    return on_step
