"""Every ``reluflow`` command line shown in the README, the documentation and CONTRIBUTING names
a real command, and every option it shows is one that command accepts (its ``--help`` lists
it): the pages cannot drift from the CLI.  (The Python blocks run: tests/test_readme.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from reluflow.cli import app

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
runner = CliRunner()


def _command_lines() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
        for t in tokens:
            if t.type == "fence" and t.info.strip() in ("bash", "sh", "console", "text"):
                for line in t.content.splitlines():
                    line = line.split("#", 1)[0].strip()
                    for part in re.split(r"&&|\|", line):
                        words = part.split()
                        if words[:1] == ["reluflow"]:
                            out.append((page.relative_to(ROOT).as_posix(), " ".join(words)))
    return out


LINES = _command_lines()
_HELP: dict[str, str] = {}


def _help(command: str) -> str:
    if command not in _HELP:
        res = runner.invoke(app, [command, "--help"] if command else ["--help"], env={"COLUMNS": "250"})
        assert res.exit_code == 0, f"`reluflow {command} --help` failed: {res.output}"
        _HELP[command] = res.output
    return _HELP[command]


def test_the_pages_show_commands():
    shown = {line.split()[1] for _, line in LINES if len(line.split()) > 1}
    assert {"solve", "predict", "check", "sweep", "collect", "compare", "reproduce"} <= shown


@pytest.mark.parametrize(("page", "line"), LINES, ids=[f"{p}: {l[:60]}" for p, l in LINES])
def test_a_shown_command_and_its_options_exist(page, line):
    words = line.split()
    command = words[1] if len(words) > 1 and not words[1].startswith("-") else ""
    text = _help(command)
    for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line):
        assert flag in text, f"{page}: `{line}` shows {flag}, which `reluflow {command} --help` does not list"
