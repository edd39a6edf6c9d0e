"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against
the site served by pytest-django's ``live_server`` with the demo content.

Run them with ``make e2e`` (``pytest -m e2e tests/e2e``). Nothing here
downloads a browser: Chromium is /usr/bin/chromium (Debian's ``chromium``
package; HEARTHSIDE_E2E_CHROMIUM points elsewhere). Each test saves a
screenshot of where it ended (and, when it fails, of every tab it had open)
into a temporary folder that is removed afterwards; set
HEARTHSIDE_E2E_SCREENSHOTS=<dir> to keep them.

Every test module uses ``pytestmark = E2E`` (below): the e2e marker plus a
transactional database with serialized rollback. Transactional, because the
live server answers from another thread and must see the test's data;
serialized rollback, because the flush after each transactional test also
wipes what the migrations created (Wagtail's root page and default site, the
Editors and Moderators groups), which the next test's ``load_demo`` needs.

Every tab listens for Content-Security-Policy violations (the
``securitypolicyviolation`` events of each page and frame, and the console
errors Chromium logs for them, which also cover frames that run no script):
a test whose tabs met any fails, listing them, even if its own assertions
passed.
"""
import contextlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop in this thread; Django's
# ORM would otherwise refuse to run next to it (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = os.environ.get("HEARTHSIDE_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_USERNAME = "e2e-admin"
ADMIN_PASSWORD = "kettle-on-the-hob-42"
# Generous: CI's machine has two cores, and the first admin page view
# compiles templates. Assertions retry until this runs out.
TIMEOUT_MS = 20_000
# Only the live server is reachable; anything else (the admin's Gravatar
# avatars, say) is refused at once instead of waiting on a closed network.
NOT_LOCAL = re.compile(r"^(?!(?:https?://(?:localhost|127\.0\.0\.1)[:/])|data:|blob:|about:)")
# Runs in every document and frame before the page's own scripts. Report-only
# violations count too: they are what the enforced policy would block.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__hearthsideCSPViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : "",
    sample: event.sample,
    page: document.location.href,
  });
});
"""


@dataclass(frozen=True)
class Article:
    title: str
    path: str  # URL path on the live server, e.g. /journal/proving-dough/


@dataclass(frozen=True)
class Demo:
    """What the tests need to know about the loaded demo, read before the browser starts."""

    brand_name: str
    hero_title: str
    journal_id: int
    journal_path: str
    article: Article  # the newest article in the Journal


@pytest.fixture
def demo(transactional_db, live_server):
    """The Copper Kettle demo, its default Site answering at the live server's address."""
    from django.core.management import call_command
    from wagtail.models import Site

    from hearthside.models import SiteBranding

    call_command("load_demo", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    site.hostname = live_server.thread.host
    site.port = live_server.thread.port
    site.save()

    home = site.root_page.specific
    journal = home.featured_section.specific
    articles = list(journal.articles())
    assert len(articles) >= 8, "the demo's Journal should have at least 8 articles"
    newest = articles[0]
    return Demo(
        brand_name=SiteBranding.for_site(site).display_name,
        hero_title=home.hero_title or home.title,
        journal_id=journal.pk,
        journal_path=journal.get_url(),
        article=Article(title=newest.title, path=newest.get_url()),
    )


@pytest.fixture
def superuser(transactional_db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, _ = User.objects.get_or_create(username=ADMIN_USERNAME, defaults={"email": "e2e-admin@example.com"})
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(ADMIN_PASSWORD)
    user.save()
    return user


@pytest.fixture
def browser(transactional_db, live_server, demo, superuser):
    """Chromium, launched for one test once its data is in place.

    Function-scoped on purpose. While Playwright's sync API runs, its asyncio
    loop is visible in this thread, and Django (through asgiref's
    thread-critical locals) then hands this thread a *different* set of
    database connections. Keeping the browser's life inside the test keeps
    the set-up, the serialized-rollback restore and the flush on Django's
    usual connections; whatever the test body opened meanwhile is closed
    here, before the loop goes away (a leaked PostgreSQL connection would
    stop the test database from being dropped).
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test, for the screenshots on failure."""
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


class Tab:
    """A browser context with one page, and the CSP violations it has met."""

    def __init__(self, browser):
        self.violations: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route(NOT_LOCAL, lambda route: route.abort())
        self.context.expose_binding("__hearthsideCSPViolation", self._on_violation_event)
        self.context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)

    def _on_violation_event(self, source, violation):
        where = f" at {violation['source']}" if violation["source"] else ""
        sample = f" ({violation['sample']})" if violation["sample"] else ""
        blocked = violation["blocked"] or "inline"
        what = f"{violation['directive']} blocked {blocked}{where}{sample}"
        self.violations.append(f"{violation['page']}: {what}")

    def _on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url') or self.page.url}: {message.text}")

    def csp_violations(self) -> list[str]:
        """What was reported so far, once the events still on their way have arrived."""
        from playwright.sync_api import Error as PlaywrightError

        # A closed or navigating page has nothing more to say.
        with contextlib.suppress(PlaywrightError):
            self.page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
        return list(dict.fromkeys(self.violations))


def _new_tab(request, browser):
    tab = Tab(browser)
    request.node.e2e_tabs = [*getattr(request.node, "e2e_tabs", []), tab]
    return tab.context, tab.page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test, after its own assertions, if any of its tabs met a CSP violation."""
    result = yield
    violations = [violation for tab in getattr(item, "e2e_tabs", []) for violation in tab.csp_violations()]
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)
    return result


def _close_tab(request, context, page, role, screenshot_dir):
    """Close a tab; if the test failed, first save what that tab showed."""
    report = getattr(request.node, "e2e_report_call", None)
    if report is not None and report.failed:
        path = screenshot_dir / f"{request.node.name}-FAILED-{role}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"\nscreenshot of the {role}'s tab at {page.url}: {path}")
        except Exception as exc:  # the page may be what broke
            print(f"\nno screenshot of the {role}'s tab: {exc}")
    context.close()


@pytest.fixture
def visitor(request, browser, screenshot_dir):
    """An anonymous visitor's tab: no session cookie, so the page cache serves it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context, page = _new_tab(request, browser)
    yield page
    _close_tab(request, context, page, "visitor", screenshot_dir)


@pytest.fixture
def admin(request, browser, live_server, screenshot_dir):
    """A tab signed into the Wagtail admin through its login form."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context, page = _new_tab(request, browser)
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    yield page
    _close_tab(request, context, page, "admin", screenshot_dir)


def emailed_link(smtp_server, email, pattern: re.Pattern) -> str:
    """The first link matching ``pattern`` in the text of an email that
    reached ``email`` through the test SMTP server (waiting up to 10 s)."""
    for _ in range(50):
        for message in smtp_server.messages():
            if email in message["To"]:
                body = next(
                    part.get_payload(decode=True).decode()
                    for part in message.walk()
                    if part.get_content_type() == "text/plain"
                )
                found = pattern.search(body)
                assert found, body
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email with such a link reached {email}")


@pytest.fixture(scope="session")
def screenshot_dir():
    wanted = os.environ.get("HEARTHSIDE_E2E_SCREENSHOTS")
    if wanted:
        path = Path(wanted)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="hearthside-e2e-"))
    yield path
    if any(path.glob("*-FAILED-*.png")):
        print(f"\ne2e screenshots kept in {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def screenshot(request, screenshot_dir):
    """``screenshot(page, label)``: save a full-page PNG named after the test and label."""

    def _take(page, label):
        path = screenshot_dir / f"{request.node.name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take
