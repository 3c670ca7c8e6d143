"""Every Python code block of the README and of the documentation (``docs/**/*.md``) runs
verbatim, as a new user would paste it: each in a fresh interpreter namespace, in an empty
folder that holds only the repository's ``examples/`` (so what a block writes never lands in
the checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]


def _blocks(path: Path) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    return [(t.map[0] + 1, t.content) for t in tokens if t.type == "fence" and t.info.strip() == "python"]


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCKS = [(page.relative_to(ROOT).as_posix(), line, code) for page in PAGES for line, code in _blocks(page)]


def test_the_pages_have_python_examples():
    assert len(BLOCKS) >= 10 and any(page == "README.md" for page, _, _ in BLOCKS)


@pytest.mark.parametrize(("page", "line", "code"), BLOCKS, ids=[f"{page}:{line}" for page, line, _ in BLOCKS])
def test_code_block_runs_verbatim(page, line, code, tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"{page}:{line}", "exec"), {"__name__": "__docs__"})
    assert not (ROOT / "runs").exists()  # what the block wrote stayed in the folder
