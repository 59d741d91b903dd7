"""Fixtures of the browser test: Debian's chromium driven by Playwright, one page shared by the
tests of a module (they follow one user's session in order), a small client of the API for
checking what the page did, and a watch on the browser's console and network that fails any
test during which the page logged an error or a request failed.

scripts/browser-test.sh provides the environment: WEB_URL, API_URL, TOKEN, THERAPIST_ID,
MANIFEST, OUT_DIR, CHROMIUM, LOCAL_RUNNER and the AWS and resource settings the runner's
`tick` needs.
"""
import contextlib
import json
import os
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

# Playwright cannot download its own browsers here: launch the system chromium.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

expect.set_options(timeout=20_000)


class Env:
    web = os.environ["WEB_URL"]
    api = os.environ["API_URL"]
    token = os.environ["TOKEN"]
    therapist = os.environ["THERAPIST_ID"]
    out = os.environ.get("OUT_DIR", "out/browser")
    runner = os.environ["LOCAL_RUNNER"]  # the binary, for `exports-local-runner tick --at …`
    manifest = json.load(open(os.environ["MANIFEST"]))

    @classmethod
    def patients(cls):
        return next(t for t in cls.manifest["therapists"] if t["therapist_id"] == cls.therapist)["patients"]


@pytest.fixture(scope="session")
def env():
    os.makedirs(Env.out, exist_ok=True)
    return Env


class Api:
    """What the API says, asked directly (not through the page) to check what the page did."""

    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw else None)

    def get(self, path):
        status, body = self.call("GET", path)
        assert status == 200, f"GET {path}: {status} {body}"
        return body

    def jobs(self):
        items, cursor = [], None
        while True:
            page = self.get("/api/v1/export/jobs?limit=100" + (f"&cursor={cursor}" if cursor else ""))
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items


@pytest.fixture(scope="session")
def api(env):
    return Api(env.api, env.token)


class Problems:
    """Console errors, uncaught exceptions and failed requests of every page of the context.

    Chromium logs every HTTP error answer to fetch() as a console error ("Failed to load resource:
    the server responded with a status of 422"); a test that provokes one on purpose says so with
    `allowing(422)`, and only that status is then let through.
    """

    def __init__(self):
        self.seen, self.allowed = [], set()

    def console(self, message):
        if message.type != "error":
            return
        status = re.search(r"responded with a status of (\d{3})", message.text)
        if status and int(status.group(1)) in self.allowed:
            return
        self.seen.append(f"console error: {message.text} ({message.location.get('url')})")

    def page_error(self, error):
        self.seen.append(f"uncaught exception: {error}")

    def request_failed(self, request):
        # The browser fetches the tab's icon on its own, after the page loaded; leaving the page
        # aborts that fetch. (That the icon is served is checked on its own.)
        if request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED":
            return
        self.seen.append(f"request failed: {request.method} {request.url}: {request.failure}")

    @contextlib.contextmanager
    def allowing(self, *statuses):
        self.allowed.update(statuses)
        try:
            yield
        finally:
            self.allowed.difference_update(statuses)


@pytest.fixture(scope="session")
def problems():
    return Problems()


@pytest.fixture(scope="session")
def context(env, problems):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                      locale="en-US", timezone_id="America/New_York")
        context.on("console", problems.console)
        context.on("weberror", lambda web_error: problems.page_error(web_error.error))
        context.on("requestfailed", problems.request_failed)
        yield context
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def page(context, env):
    """The therapist's tab, signed in (so a selection of tests, `-k template`, starts signed in)."""
    page = context.new_page()
    page.goto(f"{env.web}/#token={env.token}")
    page.wait_for_selector("#dashboard:not([aria-busy])")  # its lists loaded: nothing in flight
    yield page
    page.close()


@pytest.fixture(autouse=True)
def no_browser_problems(problems):
    """Every test fails if the browser logged an error or a request failed while it ran."""
    problems.seen.clear()
    yield
    assert problems.seen == [], "the browser reported problems:\n" + "\n".join(problems.seen)
