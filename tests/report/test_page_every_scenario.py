"""The visible text of every shipped scenario's page: words, not internal codes.

Each scenario in ``scenarios/`` (the example has its own, fuller tests in test_workflow.py)
is run with fewer simulated paths and a short solver limit (the words on the page do not
depend on either) and its page rendered without charts.
"""
import html
import re
import warnings
from pathlib import Path

import pytest

from sufficiency.errors import DataWarning
from sufficiency.report import build_report, render_html
from sufficiency.scenario import load_scenario
from sufficiency.workflow import run_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if p.name != "example.yaml")
FAST = {"forecast.n_paths": 100, "allocate.time_limit": 10}


def visible_text(page: str) -> str:
    """What a reader sees: the text outside tags, and the charts' alt text."""
    alts = re.findall(r"alt='([^']*)'", page)
    page = re.sub(r"<style>.*?</style>|src='data:[^']*'", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + " ".join(alts))


def internal_codes(text: str) -> list:
    """Machine names in a text: any word with an underscore in it (``income_gbp``,
    ``Price_growth_top_up``), and the bare codes people do not read."""
    found = set(re.findall(r"\b\w*[A-Za-z0-9]_\w*\b", text))
    for code in ("semh", "cognition", "unmitigated", "allocation_plan", "SEMH", "ASD", "NaN",
                 "nan", "None", "True", "False"):
        # "(cognition and learning)" in a project's name is the need in words, not a code
        if re.search(rf"(?<![\w-]){code}(?![\w-]| and learning)", text):
            found.add(code)
    return sorted(found)


def test_internal_codes_finds_what_a_reader_should_not_see():
    assert internal_codes("Finance: Price_growth_top_up 2025-26 and income_gbp") == [
        "Price_growth_top_up", "income_gbp"]
    assert internal_codes("SEMH places") == ["SEMH"]
    assert internal_codes("cognition places") == ["cognition"]
    assert internal_codes("Build New special school 3 (cognition and learning)") == []
    assert internal_codes("Social, emotional and mental health: 2,717 children, 3.5%") == []


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenarios_page_reads_as_words(path):
    scenario = load_scenario(path, overrides=FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        run = run_scenario(scenario)
    report = build_report(run)
    shown = report.assumptions if report.assumptions is not None else report.tables[
        "assumptions"]
    page = render_html(report.title, report.subtitle, report.headlines, [], report.page_tables,
                       shown, report.notes, summary=report.summary,
                       sections=report.sections)
    text = visible_text(page)
    assert not internal_codes(text), internal_codes(text)
    assert not re.search(r"£-?\d{1,3}(,\d{3}){2,}", text), "money to the pound on the page"
    years = shown[shown.iloc[:, 0].astype(str).str.contains("year", case=False)]
    assert not years.iloc[:, 1].astype(str).str.fullmatch(r"\d,\d{3}").any(), \
        "a year written with a separator"
    assert not re.search(r"\d(\.\d+)?e-\d+", text), "a number in scientific notation"
    # a plan that builds nothing says so in words, with no empty timeline chart
    if run.allocation is not None and not len(run.allocation.capital_programme):
        assert "No project chosen" in text and "no project chosen" in text
        assert "capital_programme.png" not in [c[0] for c in report.charts]
