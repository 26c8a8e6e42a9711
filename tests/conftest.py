"""Shared fixtures: the DfE source files (tests on them skip when absent), one run of the
example scenario, headless Chromium (installed by .ci/run; found here, or the test skipped)."""
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sufficiency.cli import main
from sufficiency.errors import DataWarning
from sufficiency.report import charts as ch
from sufficiency.workflow import run_scenario

REPO = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("SUFFICIENCY_SOURCE_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def source_dir():
    if not (SOURCE / "dfe-sen2-2025" / "caseload.csv").exists():
        pytest.skip(f"DfE source files not found at {SOURCE} (set SUFFICIENCY_SOURCE_DATA to "
                    "the shared/data folder to run the reader tests)")
    return SOURCE

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def find_chromium() -> str:
    """The headless Chromium for the browser test. It is installed by ``.ci/run``, never by
    the tests: in CI (``SUFFICIENCY_REQUIRE_BROWSER=1``) a missing browser fails the test,
    elsewhere the test is skipped with the reason."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("SUFFICIENCY_REQUIRE_BROWSER"):
        pytest.fail("headless Chromium is not installed, but .ci/run should have installed it")
    pytest.skip("headless Chromium is not installed: install chromium (or run .ci/run, which "
                "installs it) to run the browser test")


def render(chromium: str, html: Path, width=1200, height=2400):
    """Screenshot (PNG path) and the rendered DOM text of a local HTML file."""
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    shot = Path(tempfile.mkdtemp(prefix="shot-")) / "page.png"
    url = html.resolve().as_uri()
    common = FLAGS + [f"--user-data-dir={profile}", f"--window-size={width},{height}"]
    subprocess.run([chromium, *common, f"--screenshot={shot}", url], check=True,
                   capture_output=True, timeout=120)
    dom = subprocess.run([chromium, *common, "--dump-dom", url], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    shutil.rmtree(profile, ignore_errors=True)
    return shot, dom


@pytest.fixture(scope="session")
def render_page():
    """``render_page(html_path) -> (screenshot png path, dom text)`` in headless Chromium."""
    chromium = find_chromium()
    return lambda html, **kw: render(chromium, Path(html), **kw)


def _tiny_report(fail=False):
    """The smallest :class:`sufficiency.report.Report` the writers take (a chart that raises
    with ``fail=True``)."""
    from sufficiency.report import Report

    tables = {"assumptions": pd.DataFrame({"parameter": ["discount_rate"], "value": [0.035],
                                           "unit": ["per year"], "source": ["Green Book"]}),
              "costs": pd.DataFrame({"year": [2026, 2027], "provision": ["special", "special"],
                                     "cost_gbp": [1.25e6, 1.5e6]})}

    def chart():
        if fail:
            raise RuntimeError("chart failed")
        return ch.cost_by_provision(tables["costs"])

    return Report(title="Testshire: SEND place sufficiency", subtitle="a test",
                  headlines=[("Specialist places needed 2026 -> 2033", "2,717 -> 4,100")],
                  charts=[("cost.png", "Cost", "caption", chart)],
                  page_tables=[("Costs", tables["costs"], "by year")], tables=tables,
                  notes=["illustrative"], manifest={"seed": 0, "timings_seconds": {}},
                  summary=["Testshire had 2,717 children needing a specialist place in 2026.",
                           "Assumed: costs grow 3% a year."])


@pytest.fixture
def tiny_report():
    """The smallest report (a function: call it, optionally with fail=True)."""
    return _tiny_report


EXAMPLE = REPO / "scenarios" / "example.yaml"


@pytest.fixture(scope="session")
def example_out(tmp_path_factory):
    """`sufficiency run scenarios/example.yaml --out DIR`, run once for the session."""
    out = tmp_path_factory.mktemp("run") / "results"
    assert main(["run", str(EXAMPLE), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="session")
def example_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return run_scenario(EXAMPLE)
