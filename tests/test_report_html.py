"""report.html: the Markdown-subset converter (escaping, tables, embedded images, TOC
anchors, verdict colours), the page written from a synthetic report with a real PNG,
`reluflow reproduce` writing it (heavy parts replaced by stand-ins), the --quick/--full
exclusion, and (slow) the page rendered by headless Chromium."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reluflow.cli import app
from reluflow.report_html import convert, markdown_to_html, slugify, write_html

runner = CliRunner()


class _Collect(HTMLParser):
    """Tags, their attributes and the text, from a page (stdlib parser: also a well-formedness smoke test)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in {"img", "meta", "br", "hr", "link"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack[-5:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    p.close()
    assert not p.stack, f"unclosed tags {p.stack}"
    return p


def png(path: Path) -> Path:
    """A real (small) PNG drawn by matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1, 2], [1, 0.3, 0.1])
    fig.savefig(path)
    plt.close(fig)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def assert_self_contained(page: str) -> None:
    p = parse(page)
    for tag, attrs in p.tags:
        for key in ("src", "srcset", "data", "poster"):
            if key in attrs:
                assert attrs[key].startswith("data:"), f"<{tag} {key}={attrs[key][:40]!r}> is not embedded"
        if tag in {"script", "link", "iframe", "object", "embed"}:
            raise AssertionError(f"<{tag}> in a self-contained page")
        if tag == "a":
            assert not re.match(r"^[a-z]+:|^//", attrs.get("href", "")), attrs
    assert 'src="http' not in page and "url(" not in page and "@import" not in page


# ---- the converter -----------------------------------------------------------------------


def test_text_is_escaped_everywhere():
    md = "\n".join(
        [
            "# Title <b>&</b>",
            "",
            "A <script>alert(1)</script> & \"quotes\" 'too'.",
            "",
            "| a <i> | b |",
            "|---|---|",
            "| <img src=x onerror=y> | `<code> & **not bold**` |",
            "",
            "- item <u>",
            "",
            '![alt "with" <quotes>](missing.png)',
        ]
    )
    body, _ = markdown_to_html(md)
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in body
    assert "<b>" not in body and "<i>" not in body and "<u>" not in body and "onerror=y>" not in body
    assert "&lt;img src=x onerror=y&gt;" in body
    assert "<code>&lt;code&gt; &amp; **not bold**</code>" in body  # code spans are literal
    parse(body)


def test_inline_subset_only():
    body, _ = markdown_to_html(
        "v* = (4/5, 0, 3/5), loss_curve.png and a_j_k stay literal; **bold `x`** "
        "and [PDF](loss_curve.pdf) and [`a.json`](a.json)."
    )
    assert "v* = (4/5" in body and "loss_curve.png" in body and "<em>" not in body
    assert "<strong>bold <code>x</code></strong>" in body
    assert '<a href="loss_curve.pdf">PDF</a>' in body and '<a href="a.json"><code>a.json</code></a>' in body


def test_pipe_tables_headers_cells_escaped_bars_and_alignment():
    md = "| id | value | time |\n|---|:---:|---:|\n| O13 | \\|a\\| ≤ 1 | 1.9 s |\n| O14 | short |\n"
    body, _ = markdown_to_html(md)
    p = parse(body)
    assert [t for t, _ in p.tags].count("th") == 3 and [t for t, _ in p.tags].count("tr") == 3
    assert "<td>|a| ≤ 1</td>" not in body and "|a| ≤ 1" in body  # the escaped bars are one cell
    assert '<th style="text-align:center">value</th>' in body and '<td style="text-align:right">1.9 s</td>' in body
    assert body.count("<td") == 6  # the short row is padded
    assert '<div class="table-wrap">' in body


def test_verdicts_are_coloured_but_counts_are_not():
    md = (
        "**12 PASS, 0 FAIL, 0 INCONCLUSIVE of 12 claims**\n\n| id | verdict | checks |\n|---|---|---|\n"
        "| O1 | **PASS** | theorem8 PASS |\n| O2 | **FAIL** | x |\n| O3 | **INCONCLUSIVE** | 3 FAIL |\n"
        "| O13 | **certified PASS** | y |\n| N23 | ok | FAIL if its upper limit is below the bound |\n"
        "| b | 3 | theorem8 PASS, below_counterexample FAIL, other ? |\n"
    )
    body, _ = markdown_to_html(md)
    assert '<strong class="verdict-pass">PASS</strong>' in body
    assert '<strong class="verdict-fail">FAIL</strong>' in body
    assert '<strong class="verdict-inconclusive">INCONCLUSIVE</strong>' in body
    assert '<strong class="verdict-pass verdict-certified">certified PASS</strong>' in body
    assert 'class="verdict-cell-pass"' in body and 'class="verdict-cell-fail"' in body
    assert 'theorem8 <span class="verdict-pass">PASS</span>' in body
    assert "<strong>12 PASS, 0 FAIL, 0 INCONCLUSIVE of 12 claims</strong>" in body  # summary uncoloured
    assert "<td>3 FAIL</td>" in body  # a count in a cell is not a verdict
    assert "<td>FAIL if its upper limit is below the bound</td>" in body  # nor is a word in prose
    assert (
        '<td>theorem8 <span class="verdict-pass">PASS</span>, below_counterexample '
        '<span class="verdict-fail">FAIL</span>, other ?</td>'
    ) in body


def test_images_are_embedded_as_data_uris(tmp_path):
    fig = png(tmp_path / "fig.png")
    md = (
        "# R\n\n![fig](fig.png) ([PDF](fig.pdf))\n\n![gone](nope.png)\n\n![remote](https://example.org/x.png)\n\n"
        "![proto](//cdn.example.org/y.png)\n"
    )
    page = convert(md, tmp_path)
    data = base64.b64encode(fig.read_bytes()).decode()
    assert f'src="data:image/png;base64,{data}"' in page
    assert "missing figure: nope.png" in page
    assert "remote image not embedded: https://example.org/x.png" in page and '<img src="https' not in page
    assert "remote image not embedded: //cdn.example.org/y.png" in page
    assert page.count("<img") == 1
    assert_self_contained(page)


def test_toc_anchors_resolve_and_are_unique():
    md = "# Report\n\nintro\n\n## Run\n\ntext\n\n## Claims: Lazić & co (N1–N24)\n\n### Wall time\n\n## Run\n\n#### deep\n"
    page = convert(md)
    ids = re.findall(r'<h[1-6] id="([^"]+)"', page)
    assert ids == ["report", "run", "claims-lazic-co-n1-n24", "wall-time", "run-2", "deep"]
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.DOTALL).group(0)
    hrefs = re.findall(r'href="#([^"]+)"', toc)
    assert hrefs == ["run", "claims-lazic-co-n1-n24", "wall-time", "run-2"]  # levels 2 and 3 only
    assert page.index("</h1>") < page.index('<nav class="toc"') < page.index('id="run"')
    assert "<title>Report</title>" in page
    assert slugify("**!!**") == "section"


def test_lists_code_blocks_and_rules():
    body, _ = markdown_to_html("- one\n- two `x`\n  continued\n\n1. first\n2. second\n\n```\n<raw> | a |\n```\n\n---\n")
    flat = re.sub(r">\s+<", "><", body).replace("\n", " ")  # whitespace between tags is layout only
    assert "<ul><li>one</li><li>two <code>x</code> continued</li></ul>" in flat
    assert "<ol><li>first</li><li>second</li></ol>" in flat
    assert "<pre><code>&lt;raw&gt; | a |" in body and "<hr>" in body
    parse(body)


def synthetic_report(folder: Path) -> Path:
    png(folder / "loss_curve.png")
    (folder / "loss_curve.pdf").write_bytes(b"%PDF-1.4 stand-in")
    md = folder / "report.md"
    md.write_text(
        "\n".join(
            [
                "# reluflow reproduce — full report",
                "",
                "Fixture **E1** at λ = 1e-30; spec `orthogonal_inputs.md` §6.3.",
                "",
                "## Summary",
                "",
                "Overall: **PASS**.",
                "",
                "| part | result | verdict |",
                "|---|---|---|",
                "| E1 digits | 34.5 (need ≥ 30) | **PASS** |",
                "",
                "## Run",
                "",
                "| quantity | value |",
                "|---|---|",
                "| max \\|a_j² − ‖w_j‖²\\| | 6.75e-35 |",
                "",
                "## Figures",
                "",
                "![loss_curve](loss_curve.png) ([PDF](loss_curve.pdf))",
                "",
                "## Environment",
                "",
                "| key | value |",
                "|---|---|",
                "| python | 3.11 |",
                "",
                "### Wall time",
                "",
                "| section | wall time |",
                "|---|---:|",
                "| E1 solve | 0.4 s |",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return md


def test_write_html_on_a_synthetic_report(tmp_path):
    md = synthetic_report(tmp_path)
    out = write_html(md)
    assert out == tmp_path / "report.html"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<title>reluflow reproduce — full report</title>" in page
    assert page.count("<img") == 1 and "data:image/png;base64," in page
    assert '<a href="#environment">Environment</a>' in page and 'id="wall-time"' in page
    assert "<td>max |a_j² − ‖w_j‖²|</td>" in page
    assert_self_contained(page)
    # the page survives moving away from the figures: it is one file
    moved = tmp_path / "elsewhere" / "page.html"
    moved.parent.mkdir()
    shutil.copy(out, moved)
    (tmp_path / "loss_curve.png").unlink()
    assert moved.read_text(encoding="utf-8") == page


# ---- reproduce ---------------------------------------------------------------------------


def _stub_heavy_parts(monkeypatch):
    """Replace the figures, proofs, claims and the interpolator family by quick stand-ins
    (a few real checks and claims; a PNG per figure group)."""
    from reluflow import claims as claims_pkg
    from reluflow import proofs as proofs_checks
    from reluflow import reproduce
    from reluflow.figures import catalog

    def figure(stem, out, **options):
        pdf = Path(out) / f"{stem}.pdf"
        pdf.write_bytes(b"%PDF-1.4 stand-in")
        return [pdf, png(Path(out) / f"{stem}.png")]

    point = {
        "t": "2",
        "b": 4.0,
        "M": -0.24,
        "M_sign": -1,
        "min": {"lo": "1.99999", "hi": "2"},
        "rank_one": {"lo": "1.99999", "hi": "2"},
        "rank": 1,
        "counterexample": None,
        "checks": {"theorem8": True},
        "certified": True,
        "flow": {"theta_sq": "2.0"},
    }
    monkeypatch.setattr(reproduce, "make_figure", figure)
    interp = {"points": [point], "crossing": None, "lambda": "1e-8"}
    monkeypatch.setitem(
        reproduce.FIGURES, "interp_family", replace(catalog.FIGURES["interp_family"], compute=lambda **kw: dict(interp))
    )
    real_proofs, real_claims = proofs_checks.run, claims_pkg.run
    monkeypatch.setattr(proofs_checks, "run", lambda ids=None, **kw: real_proofs(["M4", "E37pos"], **kw))
    monkeypatch.setattr(
        claims_pkg,
        "run",
        lambda paper, *, profile="quick", **kw: real_claims(
            paper, profile=profile, ids=["O21"] if paper == "orthogonal" else ["N17"]
        ),
    )


def test_reproduce_writes_the_html_report_with_environment_and_timings(tmp_path, monkeypatch):
    _stub_heavy_parts(monkeypatch)
    res = runner.invoke(app, ["reproduce", "--out", str(tmp_path), "--digits", "20", "--no-experiments", "--quick"])
    assert res.exit_code == 0, res.output
    flat = res.output.replace("\n", "")
    assert f"and {tmp_path / 'report.html'}" in flat
    # stage-level progress (plain lines off a terminal), and the verdict table comes last
    assert "reproduce [1/" in res.output and "E1 solve" in res.output and "proof checks" in res.output
    tail = res.output[res.output.rindex("verdict") :]
    assert "E1 digits" in tail and "overall: PASS" in tail and res.output.rstrip().endswith("overall: PASS")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for needle in (
        "## Summary",
        "Overall: **PASS**",
        "| proof checks | 2 PASS, 0 FAIL, 0 INCONCLUSIVE of 2 checks | **PASS** |",
        "## Environment",
        "| python |",
        "| platform |",
        "| CPU count |",
        "| date (UTC) |",
        "| mode | quick |",
        "| python-flint |",
        "| clarabel |",
        "| matplotlib |",
        "| sympy |",
        "| numpy |",
        "| mpmath |",
        "| reluflow |",
        "### Wall time",
        "| E1 solve |",
        "| proof checks |",
        "| claims: orthogonal (quick) |",
        "**total**",
        "command | reluflow reproduce --quick --digits 20 --no-experiments",
        "| O21 |",
        "| N17 |",
        "| M4 |",
        "| gradient descent (single-neuron paper) | not run",
    ):
        assert needle in md, needle
    assert "| not installed |" not in md.split("## Environment")[1].split("| mpmath backend")[0]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert_self_contained(page)
    assert page.count("<img") == 8  # loss curve, four orthogonal, single neuron, interpolators, sliding
    for anchor in (
        "summary",
        "run",
        "proof-checks",
        "environment",
        "wall-time",
        "minimum-norm-versus-rank-one-theorem-8-family",
    ):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page, anchor
    assert '<strong class="verdict-pass">PASS</strong>' in page
    assert json.loads((tmp_path / "claims_orthogonal.json").read_text())[0]["id"] == "O21"


def test_reproduce_result_carries_the_page_and_timings(tmp_path, monkeypatch):
    from reluflow.reproduce import reproduce

    _stub_heavy_parts(monkeypatch)
    res = reproduce(tmp_path, digits=20, experiments=False)
    assert res.html == tmp_path / "report.html" and res.html.stat().st_size > 1000
    assert res.ok and res.mode == "quick"
    assert {"E1 solve", "proof checks", "HTML page", "total"} <= set(res.timings)
    assert all(v >= 0 for v in res.timings.values())


def test_quick_and_full_are_mutually_exclusive(tmp_path):
    res = runner.invoke(app, ["reproduce", "--out", str(tmp_path), "--quick", "--full"])
    assert res.exit_code == 2 and "mutually exclusive" in res.output
    assert not (tmp_path / "report.md").exists()


# ---- the page in a real browser ----------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="needs headless Chromium (`apt-get install chromium`); not on PATH")
def test_report_html_renders_in_headless_chromium(tmp_path, monkeypatch):
    _stub_heavy_parts(monkeypatch)
    from reluflow.reproduce import reproduce

    page = reproduce(tmp_path / "rep", digits=20, experiments=False).html
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = page.resolve().as_uri()
    dom = subprocess.run(
        [_chromium(), *flags, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    for needle in (
        "<h1",
        "reluflow reproduce — full report",
        ">Summary</h2>",
        ">Environment</h2>",
        ">Wall time</h3>",
        'class="toc"',
        "verdict-pass",
    ):
        assert needle in dom.stdout, needle
    assert dom.stdout.count("<img") == 5 and dom.stdout.count('src="data:image/png;base64,') == 5
    shot = tmp_path / "shot.png"
    res = subprocess.run(
        [_chromium(), *flags, "--window-size=1200,3000", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1200, 3000)
        grey = im.convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > 5000, "the screenshot is (nearly) blank"
        assert len(grey.getcolors(256) or []) > 50  # text, tables, figures: many grey levels
