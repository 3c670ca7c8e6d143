"""The ``reluflow reproduce`` report as one self-contained HTML page (``report.html``).

The Markdown report (``report.md``) is the single source of truth; markdown-it-py
(CommonMark with pipe tables, raw HTML off: every piece of text is escaped) converts it,
and a few rules on its token stream make the page the report needs:

* headings get ``id`` anchors (unique; ``##`` and ``###`` go into a table of contents
  placed after the title); wide tables scroll;
* single ``*`` and ``_`` stay literal text (the report writes ``v*`` and file names such
  as ``loss_curve.png``): only ``**bold**`` is emphasis;
* images are read from the report's folder and embedded as base64 ``data:`` URIs, so the
  page references nothing outside itself (no CDN, fonts or scripts); a remote image
  (``http:``, ``https:``, ``//``) is never loaded but shown as its address, a missing file
  as a visible “missing figure” note.  Links are kept as written (the report's are
  relative: the PDFs and CSVs beside it) and load nothing;
* verdicts are coloured: a bold run or a whole table cell reading PASS, FAIL,
  INCONCLUSIVE or “certified PASS” gets a class (green, red, amber; certified PASS also
  underlined), and so does each verdict of a cell that lists named verdicts (``theorem8
  PASS, below_counterexample FAIL``).  Verdict words in prose and counts (``48 PASS, 0
  FAIL``) are not coloured, since that would mislead.
"""

from __future__ import annotations

import base64
import html
import re
import unicodedata
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["convert", "markdown_to_html", "slugify", "write_html"]

_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
_VERDICT = re.compile(r"(?:certified )?(?:PASS|FAIL|INCONCLUSIVE)")
_VERDICT_WORD = re.compile(r"(\b\d+ )?\b(certified PASS|PASS|FAIL|INCONCLUSIVE)\b")  # group 1: a count
_V = r"(?:certified PASS|PASS|FAIL|INCONCLUSIVE|\?)"
_VERDICT_LIST = re.compile(rf"[\w.-]+ {_V}(?:, [\w.-]+ {_V})*")  # a cell such as "theorem8 PASS, below FAIL"

CSS = """
:root { --pass: #1a7f37; --fail: #cf222e; --inconclusive: #9a6700; --rule: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2328; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.8rem; border-bottom: 1px solid var(--rule); padding-bottom: .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
code { font: .9em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; border-radius: 6px; }
pre code { background: none; padding: 0; }
.table-wrap { overflow-x: auto; margin: .8rem 0; }
table { border-collapse: collapse; font-size: .88rem; }
th, td { border: 1px solid var(--rule); padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
img { max-width: 100%; height: auto; display: block; margin: .6rem 0 .2rem; border: 1px solid #eee; }
nav.toc { background: #f6f8fa; border: 1px solid var(--rule); border-radius: 6px; padding: .6rem 1.2rem; margin: 1rem 0 1.5rem; }
nav.toc h2 { font-size: 1rem; margin: .2rem 0; border: none; }
nav.toc ul { margin: .2rem 0; padding-left: 1.2rem; }
nav.toc li.toc3 { margin-left: 1.2rem; font-size: .92em; }
.verdict-pass { color: var(--pass); }
.verdict-fail { color: var(--fail); }
.verdict-inconclusive { color: var(--inconclusive); }
.verdict-certified { text-decoration: underline; text-decoration-thickness: 2px; }
td.verdict-cell-pass { background: #dafbe1 !important; }
td.verdict-cell-fail { background: #ffebe9 !important; }
td.verdict-cell-inconclusive { background: #fff8c5 !important; }
.missing { color: var(--fail); font-style: italic; }
footer { color: var(--muted); font-size: .85rem; margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .5rem; }
"""


def slugify(text: str) -> str:
    """A heading's anchor: ASCII lower case (accents dropped), runs of anything but letters
    and digits as ``-``.

    >>> slugify("Claims: Chistikov, Englert & Lazić (N1–N24)")
    'claims-chistikov-englert-lazic-n1-n24'
    """
    ascii_text = "".join(
        c if c.isascii() else "" if unicodedata.combining(c) else "-" for c in unicodedata.normalize("NFKD", text)
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


def _verdict_class(verdict: str) -> str:
    return "verdict-" + verdict.split()[-1].lower() + (" verdict-certified" if verdict.startswith("certified") else "")


def _colour_words(text: str) -> str:
    """Escape ``text`` and wrap its verdict words (not counts such as "0 FAIL") in coloured spans."""

    def span(m: re.Match) -> str:
        return m.group(0) if m.group(1) else f'<span class="{_verdict_class(m.group(2))}">{m.group(2)}</span>'

    return _VERDICT_WORD.sub(span, html.escape(text, quote=False))


def _image(src: str, alt: str, base: Path | None) -> str:
    alt_attr = html.escape(alt, quote=True)
    if src.startswith("data:"):
        return f'<img src="{html.escape(src, quote=True)}" alt="{alt_attr}">'
    if re.match(r"^[a-zA-Z][\w+.-]*:|^//", src):  # remote: never load it
        return f'<span class="missing">remote image not embedded: {html.escape(src)}</span>'
    if base is None:
        return f'<span class="missing">image not embedded: {html.escape(src)}</span>'
    path = base / src
    mime = _MIME.get(path.suffix.lower())
    if mime is None or not path.is_file():
        return f'<span class="missing">missing figure: {html.escape(src)}</span>'
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:{mime};base64,{data}" alt="{alt_attr}" title="{html.escape(src, quote=True)}">'


def _literal_single_marks(children: list[Token]) -> None:
    """Single ``*``/``_`` emphasis back to the literal characters it was written as."""
    for t in children:
        if t.type in ("em_open", "em_close"):
            t.type, t.tag, t.nesting, t.content = "text", "", 0, t.markup


def _colour(tokens: list[Token]) -> None:
    """Verdict classes on bold verdicts, on cells that read a verdict, on verdict lists."""
    for i, t in enumerate(tokens):
        if t.type == "inline" and t.children:
            kids = t.children
            for k in range(len(kids) - 2):
                if (
                    kids[k].type == "strong_open"
                    and kids[k + 2].type == "strong_close"
                    and kids[k + 1].type == "text"
                    and _VERDICT.fullmatch(kids[k + 1].content.strip())
                ):
                    kids[k].attrSet("class", _verdict_class(kids[k + 1].content.strip()))
        if t.type == "td_open":
            cell = tokens[i + 1].content.strip()
            bare = cell.strip("*").strip()
            if _VERDICT.fullmatch(bare):
                t.attrSet("class", f"verdict-cell-{bare.split()[-1].lower()}")
            elif _VERDICT_LIST.fullmatch(cell) and tokens[i + 1].children:
                tokens[i + 1].children = [Token("html_inline", "", 0, content=_colour_words(cell))]


def _parser(base: Path | None, headings: list[tuple[int, str, str]]) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False}).enable("table")
    ids: dict[str, int] = {}

    def heading_open(self, tokens, idx, options, env):
        inline = tokens[idx + 1]
        slug = slugify(inline.content)
        ids[slug] = ids.get(slug, 0) + 1
        ident = slug if ids[slug] == 1 else f"{slug}-{ids[slug]}"
        headings.append((int(tokens[idx].tag[1]), ident, self.renderInline(inline.children, options, env)))
        return f'<{tokens[idx].tag} id="{ident}">'

    def image(self, tokens, idx, options, env):
        t = tokens[idx]
        return _image(t.attrGet("src") or "", self.renderInlineAsText(t.children or [], options, env), base)

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("image", image)
    md.add_render_rule("table_open", lambda self, tokens, idx, options, env: '<div class="table-wrap"><table>\n')
    md.add_render_rule("table_close", lambda self, tokens, idx, options, env: "</table></div>\n")
    return md


def markdown_to_html(text: str, base: Path | str | None = None) -> tuple[str, list[tuple[int, str, str]]]:
    """The body HTML of ``text`` and its headings ``(level, id, inner html)``; images are
    read relative to ``base`` (not embedded when ``base`` is None)."""
    headings: list[tuple[int, str, str]] = []
    md = _parser(Path(base) if base is not None else None, headings)
    tokens = md.parse(text)
    for t in tokens:
        if t.type == "inline" and t.children:
            _literal_single_marks(t.children)
    _colour(tokens)
    return md.renderer.render(tokens, md.options, {}), headings


def _toc(headings: list[tuple[int, str, str]]) -> str:
    items = [
        f'<li class="toc{level}"><a href="#{ident}">{inner}</a></li>'
        for level, ident, inner in headings
        if level in (2, 3)
    ]
    if not items:
        return ""
    return '<nav class="toc" aria-label="Contents"><h2>Contents</h2><ul>' + "".join(items) + "</ul></nav>"


def convert(text: str, base: Path | str | None = None, *, title: str | None = None, footer: str | None = None) -> str:
    """A whole HTML page for the Markdown ``text``: a table of contents after the first
    ``#`` heading (or at the top), styles inline, images embedded from ``base``."""
    body, headings = markdown_to_html(text, base)
    toc = _toc(headings)
    if title is None:
        first = next((h for h in headings if h[0] == 1), None)
        title = re.sub(r"<[^>]+>", "", first[2]) if first else "report"
        title = html.unescape(title)
    if toc:
        h1_end = body.find("</h1>")
        body = body[: h1_end + 5] + "\n" + toc + body[h1_end + 5 :] if h1_end >= 0 else toc + "\n" + body
    foot = f"<footer>{html.escape(footer)}</footer>" if footer else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n{foot}\n</main>\n</body>\n</html>\n"
    )


def write_html(markdown_path: Path | str, html_path: Path | str | None = None) -> Path:
    """Convert ``markdown_path`` (its images read from its folder) to a self-contained page,
    by default beside it with the suffix ``.html``; returns the page's path."""
    md = Path(markdown_path)
    out = Path(html_path) if html_path is not None else md.with_suffix(".html")
    page = convert(
        md.read_text(encoding="utf-8"),
        md.parent,
        footer=f"Self-contained page generated from {md.name}; figures embedded, PDFs and CSVs beside it.",
    )
    out.write_text(page, encoding="utf-8")
    return out
