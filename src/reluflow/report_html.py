"""The ``reluflow reproduce`` report as one self-contained HTML page (``report.html``).

Design: the Markdown report (``report.md``) is the single source of truth, and this module
converts it.  It is a small, dependency-free converter for exactly the Markdown subset the
report uses — nothing more, so nothing surprising:

* ATX headings ``#`` … ``######`` (each gets an ``id``; ``##`` and ``###`` go into the
  table of contents placed after the title);
* paragraphs (consecutive non-blank lines), unordered (``-``/``*``) and ordered (``1.``)
  lists, fenced code blocks, and a line of ``---`` as a rule;
* pipe tables (header row, ``|---|`` rule row with optional ``:`` alignment, body rows;
  ``\\|`` is a literal bar inside a cell), wrapped so that wide tables scroll;
* inline: ``code`` spans (contents literal), images ``![alt](file)``, links
  ``[text](href)`` and ``**bold**``.  Single ``*`` and ``_`` are literal text (the report
  writes ``v*`` and file names such as ``loss_curve.png``), and so is any HTML in the
  source: every piece of text and every attribute goes through :func:`html.escape`.

Images are read from the report's folder and embedded as base64 ``data:`` URIs, so the
page is one file that references nothing outside itself: no CDN, no fonts, no scripts, and
a remote (``http:``/``https:``/``//``) image is never loaded — it is shown as its address
in text.  A missing image file is shown as a visible “missing figure” note.  Links are kept
as written (the report's links are relative: the PDF of each figure and the CSV tables
beside the report); they are navigation only and load nothing.

Verdicts are coloured: a bold run or a whole table cell reading PASS, FAIL, INCONCLUSIVE
or “certified PASS” gets a class (green, red, amber; certified PASS also underlined), and
so does each verdict of a table cell that is a list of named verdicts (``theorem8 PASS,
below_counterexample FAIL``).  Verdict words in prose (“FAIL if its upper limit is below
the bound”) and counts (``48 PASS, 0 FAIL``) are not coloured, since that would mislead.
"""

from __future__ import annotations

import base64
import html
import re
import unicodedata
from pathlib import Path

__all__ = ["convert", "markdown_to_html", "slugify", "write_html"]

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".svg": "image/svg+xml", ".webp": "image/webp"}
_VERDICT = re.compile(r"(?:certified )?(?:PASS|FAIL|INCONCLUSIVE)")
_VERDICT_WORD = re.compile(r"(\b\d+ )?\b(certified PASS|PASS|FAIL|INCONCLUSIVE)\b")  # group 1: a count
_V = r"(?:certified PASS|PASS|FAIL|INCONCLUSIVE|\?)"
_VERDICT_LIST = re.compile(rf"[\w.-]+ {_V}(?:, [\w.-]+ {_V})*")  # a cell such as "theorem8 PASS, below FAIL"
_INLINE = re.compile(
    r"(?P<code>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))"
    r"|(?P<img>!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\))"
    r"|(?P<link>\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\))"
    r"|(?P<bold>\*\*(?P<boldtext>.+?)\*\*)"
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE_CELL = re.compile(r"^\s*:?-{1,}:?\s*$")
_ITEM = re.compile(r"^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$")

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
    ascii_text = "".join(c if c.isascii() else "" if unicodedata.combining(c) else "-"
                         for c in unicodedata.normalize("NFKD", text))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


def _verdict_class(verdict: str) -> str:
    return "verdict-" + verdict.split()[-1].lower() + (" verdict-certified" if verdict.startswith("certified") else "")


def _colour_words(escaped: str) -> str:
    """Wrap verdict words of already-escaped text in coloured spans."""
    def span(m: re.Match) -> str:
        if m.group(1):  # "0 FAIL" is a count, not a verdict
            return m.group(0)
        return f'<span class="{_verdict_class(m.group(2))}">{m.group(2)}</span>'

    return _VERDICT_WORD.sub(span, escaped)


class _Converter:
    def __init__(self, base: Path | None, *, embed: bool = True):
        self.base = base
        self.embed = embed
        self.headings: list[tuple[int, str, str]] = []  # (level, id, html)
        self._ids: dict[str, int] = {}

    # ---- inline -------------------------------------------------------------------------
    def inline(self, text: str, *, in_cell: bool = False) -> str:
        out, pos = [], 0
        for m in _INLINE.finditer(text):
            out.append(self._text(text[pos:m.start()], in_cell))
            pos = m.end()
            if m.group("code"):
                out.append(f"<code>{html.escape(m.group('codetext').strip() or m.group('codetext'))}</code>")
            elif m.group("img"):
                out.append(self.image(m.group("alt"), m.group("src")))
            elif m.group("link"):
                href = m.group("href")
                out.append(f'<a href="{html.escape(href, quote=True)}">{self.inline(m.group("text"), in_cell=in_cell)}</a>')
            else:
                inner = m.group("boldtext")
                if _VERDICT.fullmatch(inner.strip()):
                    out.append(f'<strong class="{_verdict_class(inner.strip())}">{html.escape(inner)}</strong>')
                else:
                    out.append(f"<strong>{self.inline(inner)}</strong>")
        out.append(self._text(text[pos:], in_cell))
        return "".join(out)

    @staticmethod
    def _text(text: str, in_cell: bool) -> str:
        escaped = html.escape(text, quote=False)
        return _colour_words(escaped) if in_cell else escaped

    def image(self, alt: str, src: str) -> str:
        alt_attr = html.escape(alt, quote=True)
        if src.startswith("data:"):
            return f'<img src="{html.escape(src, quote=True)}" alt="{alt_attr}">'
        if re.match(r"^[a-zA-Z][\w+.-]*:|^//", src):  # remote: never load it
            return f'<span class="missing">remote image not embedded: {html.escape(src)}</span>'
        if not self.embed or self.base is None:
            return f'<span class="missing">image not embedded: {html.escape(src)}</span>'
        path = (self.base / src)
        mime = _MIME.get(path.suffix.lower())
        if mime is None or not path.is_file():
            return f'<span class="missing">missing figure: {html.escape(src)}</span>'
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img src="data:{mime};base64,{data}" alt="{alt_attr}" title="{html.escape(src, quote=True)}">'

    # ---- blocks -------------------------------------------------------------------------
    def anchor(self, text: str) -> str:
        slug = slugify(text)
        n = self._ids.get(slug, 0)
        self._ids[slug] = n + 1
        return slug if n == 0 else f"{slug}-{n + 1}"

    @staticmethod
    def split_row(line: str) -> list[str]:
        s = line.strip()
        s = s.removeprefix("|")
        if s.endswith("|") and not s.endswith("\\|"):
            s = s[:-1]
        cells, cur, i = [], [], 0
        while i < len(s):
            if s[i] == "\\" and i + 1 < len(s) and s[i + 1] == "|":
                cur.append("|")
                i += 2
                continue
            if s[i] == "|":
                cells.append("".join(cur).strip())
                cur = []
            else:
                cur.append(s[i])
            i += 1
        cells.append("".join(cur).strip())
        return cells

    @classmethod
    def is_rule_row(cls, line: str) -> bool:
        if "|" not in line or "-" not in line:
            return False
        return all(_RULE_CELL.match(c) for c in cls.split_row(line))

    def table(self, lines: list[str]) -> str:
        head = self.split_row(lines[0])
        aligns = []
        for c in self.split_row(lines[1]):
            c = c.strip()
            aligns.append("center" if c.startswith(":") and c.endswith(":") else "right" if c.endswith(":")
                          else "left" if c.startswith(":") else None)

        def style(k: int) -> str:
            a = aligns[k] if k < len(aligns) else None
            return f' style="text-align:{a}"' if a and a != "left" else ""

        rows = ['<div class="table-wrap"><table>', "<thead><tr>"]
        rows += [f"<th{style(k)}>{self.inline(c)}</th>" for k, c in enumerate(head)]
        rows.append("</tr></thead>")
        rows.append("<tbody>")
        for line in lines[2:]:
            cells = self.split_row(line)
            cells += [""] * (len(head) - len(cells))
            tds = []
            for k, c in enumerate(cells):
                bare = c.strip().strip("*").strip()
                cls = f' class="verdict-cell-{bare.split()[-1].lower()}"' if _VERDICT.fullmatch(bare) else ""
                listed = bool(_VERDICT_LIST.fullmatch(c.strip()))
                tds.append(f"<td{cls}{style(k)}>{self.inline(c, in_cell=listed)}</td>")
            rows.append("<tr>" + "".join(tds) + "</tr>")
        rows.append("</tbody></table></div>")
        return "\n".join(rows)

    def convert(self, text: str) -> str:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        out: list[str] = []
        i, n = 0, len(lines)
        while i < n:
            line = lines[i]
            stripped = line.strip()
            if not stripped:
                i += 1
                continue
            if stripped.startswith("```"):
                body = []
                i += 1
                while i < n and not lines[i].strip().startswith("```"):
                    body.append(lines[i])
                    i += 1
                i += 1
                out.append(f"<pre><code>{html.escape(chr(10).join(body))}</code></pre>")
                continue
            m = _HEADING.match(stripped)
            if m:
                level, title = len(m.group(1)), m.group(2)
                ident = self.anchor(title)
                inner = self.inline(title)
                self.headings.append((level, ident, inner))
                out.append(f'<h{level} id="{ident}">{inner}</h{level}>')
                i += 1
                continue
            if re.fullmatch(r"(-{3,}|\*{3,}|_{3,})", stripped):
                out.append("<hr>")
                i += 1
                continue
            if "|" in stripped and i + 1 < n and self.is_rule_row(lines[i + 1]):
                block = [line, lines[i + 1]]
                i += 2
                while i < n and lines[i].strip() and "|" in lines[i]:
                    block.append(lines[i])
                    i += 1
                out.append(self.table(block))
                continue
            if _ITEM.match(line):
                ordered = _ITEM.match(line).group(2) is not None
                items = []
                while i < n and lines[i].strip():
                    mi = _ITEM.match(lines[i])
                    if mi:
                        items.append(mi.group(3))
                    elif items:  # a continuation line of the last item
                        items[-1] += " " + lines[i].strip()
                    i += 1
                tag = "ol" if ordered else "ul"
                out.append(f"<{tag}>" + "".join(f"<li>{self.inline(it)}</li>" for it in items) + f"</{tag}>")
                continue
            para = []
            while i < n and lines[i].strip():
                nxt = lines[i].strip()
                if para and (_HEADING.match(nxt) or nxt.startswith("```")
                             or ("|" in nxt and i + 1 < n and self.is_rule_row(lines[i + 1]))):
                    break
                para.append(nxt)
                i += 1
            out.append(f"<p>{self.inline(' '.join(para))}</p>")
        return "\n".join(out)


def _toc(headings: list[tuple[int, str, str]]) -> str:
    items = [f'<li class="toc{level}"><a href="#{ident}">{inner}</a></li>'
             for level, ident, inner in headings if level in (2, 3)]
    if not items:
        return ""
    return '<nav class="toc" aria-label="Contents"><h2>Contents</h2><ul>' + "".join(items) + "</ul></nav>"


def markdown_to_html(text: str, base: Path | str | None = None) -> tuple[str, list[tuple[int, str, str]]]:
    """The body HTML of ``text`` and its headings ``(level, id, inner html)``; images are
    read relative to ``base`` (not embedded when ``base`` is None)."""
    conv = _Converter(Path(base) if base is not None else None, embed=base is not None)
    return conv.convert(text), conv.headings


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
        body = body[: h1_end + 5] + "\n" + toc + body[h1_end + 5:] if h1_end >= 0 else toc + "\n" + body
    foot = f"<footer>{html.escape(footer)}</footer>" if footer else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n{foot}\n</main>\n</body>\n</html>\n")


def write_html(markdown_path: Path | str, html_path: Path | str | None = None) -> Path:
    """Convert ``markdown_path`` (its images read from its folder) to a self-contained page,
    by default beside it with the suffix ``.html``; returns the page's path."""
    md = Path(markdown_path)
    out = Path(html_path) if html_path is not None else md.with_suffix(".html")
    page = convert(md.read_text(encoding="utf-8"), md.parent,
                   footer=f"Self-contained page generated from {md.name}; figures embedded, PDFs and CSVs beside it.")
    out.write_text(page, encoding="utf-8")
    return out
