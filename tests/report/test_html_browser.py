"""report.html renders in a real browser: not blank, and the headline figures are on it."""
from matplotlib import image

from sufficiency.report import write_report


def test_report_renders_in_headless_chromium(tmp_path, render_page, tiny_report):
    out = write_report(tiny_report(), tmp_path / "out")
    shot, dom = render_page(out / "report.html")
    pixels = image.imread(shot)
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    assert pixels[..., :3].std() > 0.05, "screenshot is blank"
    assert "2,717 -&gt; 4,100" in dom or "2,717 -> 4,100" in dom
    assert "Specialist places needed" in dom
    # the opening summary is on the page, in sentences, after the headline cards
    assert "<h2 id=\"summary\">Summary</h2>" in dom or "id=\"summary\"" in dom
    assert "Testshire had 2,717 children needing a specialist place in 2026." in dom
    assert dom.index("2,717 -") < dom.index("Testshire had 2,717")
    assert "alt=\"" in dom and "<figcaption>caption</figcaption>" in dom
