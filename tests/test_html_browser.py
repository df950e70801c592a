"""The HTML report in a real browser: headless Chromium driven by Playwright.

Needs the ``playwright`` package (PyPI) and a Chromium binary, by default
Debian's ``/usr/bin/chromium`` (``DEDUPE_CHROMIUM`` names another); the
browsers Playwright would download are never used. Without them the tests
skip, except when ``CI`` is set: there a missing browser fails, so CI cannot
pass without running them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import dedupe
from dedupe.html import render_html

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("DEDUPE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_FOR_PEOPLE = Path("/tmp/dedupe-report.png")

GAZA_A = "seeds/000_0ca4ebad92ee63ed.txt:37-61"
GAZA_B = "seeds/000_0ca4ebad92ee63ed.txt:62-79"
# A copy of a seed paragraph with markup in it, in a file whose name is markup,
# a javascript: URL and a right-to-left override.
HOSTILE_NAME = '"><img src=x onerror=alert(1)> javascript:alert(1) \u202etxt.exe.txt'
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = (
    "Palestinian witnesses say Israeli forces have repeatedly opened fire towards crowds of "
    f"people going to receive aid. {HOSTILE_SCRIPT} {HOSTILE_IMG}\n"
)
# Every element the renderer writes; anything else was made from corpus text.
OWN_ELEMENTS = {
    *("html", "head", "meta", "link", "title", "style", "body", "script", "header", "h1"),
    *("h2", "h3", "dl", "dt", "dd", "div", "span", "input", "section", "table", "thead"),
    *("tbody", "tr", "th", "td", "button", "a", "bdi", "mark", "del", "ins", "details"),
    *("summary", "ul", "li", "p"),
}


def _require_browser() -> Any:
    """Playwright's sync API, or a skip (a failure under CI) naming what is missing."""
    missing = []
    try:
        from playwright import sync_api
    except ImportError:
        sync_api = None
        missing.append("the playwright package (pip install playwright)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"a Chromium at {CHROMIUM} (apt-get install chromium)")
    if missing:
        reason = "the browser test needs " + " and ".join(missing)
        if "CI" in os.environ:
            pytest.fail(reason + "; CI is set, so it may not be skipped")
        pytest.skip(reason)
    return sync_api


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of a copy of ``seeds/`` plus the hostile document."""
    folder = tmp_path_factory.mktemp("browser")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    (folder / "seeds" / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    previous = Path.cwd()
    os.chdir(folder)  # paths in the report are relative, as users give them
    try:
        report = dedupe.scan("seeds")
        page = render_html(report)
    finally:
        os.chdir(previous)
    assert any(HOSTILE_NAME in (m.a.path + m.b.path) for m in report.matches)
    target = folder / "report.html"
    target.write_text(page, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = _require_browser()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page with the report open, and everything it tried to do."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Any, report_file: Path) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    seen = Visit(page, report_file.as_uri())

    def route(route: Any) -> None:
        url = route.request.url
        if url == seen.url or url.startswith("data:"):
            route.continue_()
        else:
            seen.blocked.append(url)
            route.abort()

    def dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("dialog", dialog)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.goto(seen.url)
    yield seen
    context.close()


def _rows(page: Any) -> list[tuple[str, float, int]]:
    """The paragraph-copy rows in the order the page shows them."""
    return [
        (row["id"], row["similarity"], row["y"])
        for row in page.locator("tbody.match").evaluate_all(
            "rows => rows.map(r => ({id: r.id, similarity: Number(r.dataset.similarity),"
            " y: r.getBoundingClientRect().top + window.scrollY}))"
        )
    ]


def test_gaza_passage_is_listed_with_highlighted_spans(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    passage = page.locator("tbody.passage", has_text=GAZA_A)
    assert passage.count() == 1
    assert GAZA_B in passage.inner_text()
    marks = passage.locator("mark")
    assert marks.count() >= 16
    first = marks.first
    assert first.is_visible()
    box = first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert "At least 798 people in Gaza have" in first.inner_text()
    # The differences are drawn inside the shared text: "reportedly" is A's only.
    assert passage.locator("del.reworded", has_text="reportedly").is_visible()
    page.screenshot(path=str(tmp_path / "report.png"))
    shutil.copyfile(tmp_path / "report.png", SCREENSHOT_FOR_PEOPLE)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert visit.errors == []  # the CSP let our script run and blocked nothing of ours


def test_sorting_by_similarity_reorders_rows(visit: Visit) -> None:
    page = visit.page
    before = _rows(page)
    header = page.locator("section:has(#matches) th button[data-key='similarity']")
    header.click()
    after = _rows(page)
    assert [r[0] for r in after] != [r[0] for r in before]
    assert sorted(r[0] for r in after) == sorted(r[0] for r in before)
    assert [r[1] for r in after] == sorted((r[1] for r in after), reverse=True)
    assert [r[2] for r in after] == sorted(r[2] for r in after)  # drawn in that order
    assert header.locator("xpath=..").get_attribute("aria-sort") == "descending"
    header.click()
    ascending = _rows(page)
    assert [r[1] for r in ascending] == sorted(r[1] for r in ascending)


def test_filter_box_hides_rows_that_do_not_match(visit: Visit) -> None:
    page = visit.page
    rows = page.locator("tbody.match")
    total = rows.count()
    page.fill("#filter", "Shamdasani")
    shown = [i for i in range(total) if rows.nth(i).is_visible()]
    assert 0 < len(shown) < total
    assert all("shamdasani" in rows.nth(i).inner_text().lower() for i in shown)
    assert "of" in page.inner_text("#shown")
    page.fill("#filter", "003_dc1485344ad45eb0")  # a path
    shown = [i for i in range(total) if rows.nth(i).is_visible()]
    assert shown and all("003_dc1485344ad45eb0" in rows.nth(i).inner_text() for i in shown)
    page.fill("#filter", "")
    assert all(rows.nth(i).is_visible() for i in range(total))


def test_hostile_document_shows_its_markup_as_text(visit: Visit) -> None:
    page = visit.page
    body = page.locator("body").text_content()
    assert HOSTILE_SCRIPT in body and HOSTILE_IMG in body
    tags = set(page.evaluate("Array.from(document.querySelectorAll('*'), e => e.localName)"))
    assert tags <= OWN_ELEMENTS, tags - OWN_ELEMENTS
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], [onclick]').length") == 0
    assert visit.dialogs == []
    # The right-to-left override is shown as a badge, never applied.
    shown = page.evaluate("document.body.innerText")
    assert "\u202e" not in shown and "U+202E" in shown
    badge = page.locator("tbody.match .ctl", has_text="U+202E").first
    assert badge.is_visible()


def test_no_request_leaves_the_page(visit: Visit) -> None:
    page = visit.page
    page.locator("th button[data-key='size']").first.click()
    page.fill("#filter", "gaza")
    page.locator("#boilerplate summary").click()
    page.locator("#documents summary").click()
    page.locator("a[href^='#cluster-']:visible").first.click()
    page.wait_for_timeout(200)
    assert visit.blocked == []
    assert visit.requests, "the navigation itself is a request"
    assert all(url == visit.url or url.startswith("data:") for url in visit.requests)
    assert visit.errors == []
