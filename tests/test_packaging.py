"""What a user installs and cites: the licence, the citation, the changelog, the typing marker,
one version everywhere."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from reluflow import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_license_and_citation_name_the_package_and_both_papers():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^version: (\S+)$", cff, re.M).group(1) == __version__
    assert "arXiv:2206.00939" in cff and "arXiv:2306.06479" in cff and "cff-version: 1.2.0" in cff


def test_the_changelog_and_the_typing_marker_ship():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in text and f"## {__version__}" in text
    assert resources.files("reluflow").joinpath("py.typed").is_file()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["tool"]["setuptools"]["package-data"]["reluflow"] == ["py.typed"]
    assert meta["project"]["dynamic"] == ["version"]  # one source: reluflow/_version.py
