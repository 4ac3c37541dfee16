"""Test configuration: under CI, hypothesis runs a fixed (derandomized) set of examples so a
submission's result does not depend on luck; locally it explores new examples each run.

The `browser` and `page` fixtures give page tests a headless Chromium (see below)."""
import importlib.util
import os
import shutil
import sys

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# --- notebooks that need an optional extra ------------------------------------------------------
# A plain `.[dev]` install (the README's test command) has no torch: notebook 12 is skipped,
# saying which extra it needs; CI installs every extra and runs it. (Here, not in a
# notebooks/conftest.py: two modules named conftest would shadow each other's imports.)
NOTEBOOK_NEEDS = {"12_graduating_to_pytorch.ipynb": "torch"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = NOTEBOOK_NEEDS.get(item.path.name)
        if module and importlib.util.find_spec(module) is None:
            item.add_marker(pytest.mark.skip(
                reason=f"needs {module}: pip install -e \".[dev,{module}]\""))


# --- pages in a real browser: headless Chromium driven by playwright --------------------------
# The system's Chromium (Debian's `chromium` package) is launched by path: playwright's own
# browser download is not used. Without a browser the page tests skip, saying why; under CI
# (CI=true, as .ci/run sets it) a missing browser or playwright is a failure.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path():
    """The browser to drive: $MICROGRAD_CHROMIUM, else chromium on PATH, else None."""
    return (os.environ.get("MICROGRAD_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"page tests need a browser under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")   # not session: playwright's event loop would outlive it
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    exe = chromium_path()
    if not exe:
        _unavailable("no Chromium found (apt-get install chromium, or set MICROGRAD_CHROMIUM)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh page that fails the test on any console error, page error or request that
    leaves the page (anything but file:, data:, blob: and about:)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type in ("error", "assert") else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:"))
           else problems.append(f"network request: {r.url}"))
    yield tab
    context.close()
    assert not problems, problems


def keep_screenshot(png: bytes, name: str) -> None:
    """With $MICROGRAD_SCREENSHOTS set to a folder, keep a page test's screenshot there as
    name (the README's pictures of the pages are these: `MICROGRAD_SCREENSHOTS=docs/images
    python -m pytest tests/test_*_browser.py`)."""
    folder = os.environ.get("MICROGRAD_SCREENSHOTS")
    if folder:
        from micrograd.files import atomic_write
        atomic_write(os.path.join(folder, name), png)


@pytest.fixture
def busy_switching():
    """Threads switch every microsecond inside the test: races show up."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)
