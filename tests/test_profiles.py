"""Site profiles: CSS selectors for one known site override the generic extractor's choices."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import search
from search.cli import EXIT_USAGE, cli
from search.errors import ProfileError
from search.extraction.profiles import SiteProfile, find_profile, load_profiles

# A layout the generic extractor cannot get right alone: the real article is two short
# paragraphs, while a long "story" box of another article dominates the page.
PAGE = """<!DOCTYPE html><html><head><title>Clinic site</title>
<link rel="canonical" href="https://news.clinic.example/a/ankle-sprain"></head><body>
<div class="story">
  <p>An unrelated long story about hospital parking fees, with many words, commas, and clauses,
  written at length so that it outweighs everything else on the page by far, again and again.</p>
  <p>More of the unrelated story about parking fees, meters, permits, fines, and the council's
  plans for next year, also long, also full of commas, and also not the article we want.</p>
</div>
<div class="post"><span class="headline">Ankle Sprains Heal Faster With Early Movement</span>
  <p>Gentle movement after an ankle sprain speeds recovery.</p>
  <div class="promo">Subscribe to our clinic newsletter today</div>
  <p>Ice helps in the first two days. See <a href="/a/knee-pain">our knee pain guide</a>.</p>
</div>
<a rel="next" href="/a/wrist-fracture">Wrist fractures</a>
</body></html>"""

PROFILE_TOML = """
[[site]]
host = "clinic.example"
title = ".post .headline"
body = "div.post"
drop = [".promo", ".headline"]
"""


@pytest.fixture()
def profiles(tmp_path: Path) -> list[SiteProfile]:
    path = tmp_path / "profiles.toml"
    path.write_text(PROFILE_TOML, encoding="utf-8")
    return load_profiles(path)


def test_generic_extraction_picks_the_long_story() -> None:
    assert "parking" in search.extract(PAGE).body


def test_profile_chooses_title_body_and_drops_boxes(profiles: list[SiteProfile]) -> None:
    article = search.extract(PAGE, profiles=profiles)
    assert article.title == "Clinic site"  # the headline was dropped before the title selector ran
    assert article.body == (
        "Gentle movement after an ankle sprain speeds recovery.\n\n"
        "Ice helps in the first two days. See our knee pain guide."
    )
    kinds = {(link.kind, link.url) for link in article.links}
    assert ("body", "https://news.clinic.example/a/knee-pain") in kinds
    assert ("next", "https://news.clinic.example/a/wrist-fracture") in kinds


def test_title_selector(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[[site]]\nhost = "clinic.example"\ntitle = ".post .headline"\nbody = "div.post"\n', encoding="utf-8")
    article = search.extract(PAGE, profiles=load_profiles(path))
    assert article.title == "Ankle Sprains Heal Faster With Early Movement"
    assert not article.body.startswith("Ankle Sprains")  # the title is not repeated in the body


def test_profile_applies_only_to_its_host(profiles: list[SiteProfile]) -> None:
    other = PAGE.replace("news.clinic.example", "elsewhere.example")
    assert "parking" in search.extract(other, profiles=profiles).body
    assert find_profile(profiles, "https://clinic.example/x") is profiles[0]
    assert find_profile(profiles, "https://notclinic.example/x") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[site]]\ntitle = 'h1'\n", "'host' is required"),
        ("[[site]]\nhost = 'a.example'\nbodyy = 'div'\n", "unknown key(s) bodyy"),
        ("[[site]]\nhost = 'a.example'\nbody = 'div[['\n", "bad CSS selector for 'body'"),
        ("[[site]]\nhost = 'a.example'\ndrop = [3]\n", "'drop' must be a CSS selector string"),
        ("[[site]\nhost = ", "not valid TOML"),
        ("[other]\nx = 1\n", "expected only [[site]] tables"),
    ],
)
def test_invalid_profiles_are_typed_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profiles(path)
    assert message in str(info.value)


def test_adding_profiles_re_reads_unchanged_files(tmp_path: Path, profiles: list[SiteProfile]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ankle.html").write_text(PAGE, encoding="utf-8")
    index_dir = tmp_path / "index"
    search.index([corpus], index_dir)
    assert search.search("parking", index_dir).total == 1
    report = search.index([corpus], index_dir, profiles=profiles)
    assert report.updated == 1
    assert search.search("parking", index_dir).total == 0
    assert search.index([corpus], index_dir, profiles=profiles).unchanged == 1


def test_cli_bad_profiles_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[site]]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", str(tmp_path), "--index", str(tmp_path / "ix"), "--site-profiles", str(bad)])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "'host' is required" in result.stderr
