"""Templates carry no inline style or script: the Content-Security-Policy forbids both, and the
site has one stylesheet (static/css/app.css) and small static scripts (static/js/)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", ".git", "staticfiles"}

# What a browser under "script-src 'self'; style-src 'self'" refuses to run or apply.
FORBIDDEN = {
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "an inline <script> (one without src)": re.compile(
        r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE
    ),
    'a style="…" attribute': re.compile(r"\sstyle\s*=\s*[\"']", re.IGNORECASE),
    "an on…= event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
}


def _templates() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.html"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP or "templates" not in parts:
            continue
        found.append(path)
    return sorted(found)


def _offences(text: str) -> list[str]:
    return [
        f"line {text.count(chr(10), 0, match.start()) + 1}: {what} — {match.group(0)!r}"
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]


def test_the_project_has_templates_to_check():
    names = {p.relative_to(ROOT).as_posix() for p in _templates()}
    assert "templates/base.html" in names and "templates/transport/manifest.html" in names


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_template_has_no_inline_style_or_script(path):
    offences = _offences(path.read_text(encoding="utf-8"))
    assert not offences, f"{path.relative_to(ROOT)}:\n" + "\n".join(offences)


@pytest.mark.parametrize(
    "snippet",
    [
        "<style>.a{}</style>",
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        '<p style="margin:0">',
        "<button onclick='go()'>",
        '<form onsubmit="return confirm(1)">',
    ],
)
def test_the_check_catches_each_kind(snippet):
    assert _offences(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/app.js" defer></script>',
        '<button data-confirm="确定？">',
        '<progress class="bar" value="3" max="9">',
        "{# a comment about the style element #}",
    ],
)
def test_the_check_lets_the_allowed_forms_pass(snippet):
    assert not _offences(snippet)


def test_one_stylesheet():
    sheets = [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*.css")
        if not set(p.relative_to(ROOT).parts) & (SKIP | {"admin", "rest_framework"})
    ]
    assert sheets == ["static/css/app.css"]


def test_htmx_injects_no_style_element():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert 'name="htmx-config"' in base and '"includeIndicatorStyles": false' in base
