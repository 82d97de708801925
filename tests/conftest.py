import os
import shutil
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from parvis.console import roles
from parvis.people import services
from parvis.people.models import DataSource

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
os.environ.setdefault("PARVIS_ASSIST_AUTO_SETUP", "false")  # assist tests train their own


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run inline in tests; the worker itself is tested in tests/console/test_worker.py."""
    from parvis.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _mail_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Otherwise WhiteNoise indexes every static file for each test client (about 1 s each).
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def english():
    """For tests that check the wording of a message: the source (English) text, whatever the
    site's default language; the French catalogue is checked in tests/test_i18n.py."""
    from django.utils import translation

    with translation.override("en"):
        yield


def require_or_skip(available: bool, reason: str):
    """Skip when a real server or tool is missing, except in CI where it must be there."""
    if available:
        return
    if settings.PARVIS_REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PARVIS_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, role: str | None = None, **extra):
        user = django_user_model.objects.create_user(
            username=username, password="pw-test-123", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def agent(make_user):
    return make_user("agent1", roles.AGENT, first_name="Anne")


@pytest.fixture
def supervisor(make_user):
    return make_user("super1", roles.SUPERVISOR)


@pytest.fixture
def administrator(make_user):
    return make_user("admin1", roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def dpo(make_user):
    return make_user("dpo1", roles.DPO)


@pytest.fixture
def nobody(make_user):
    return make_user("nobody1")


@pytest.fixture
def person(db):
    """Élodie Le Gall, born Martin, with contacts, consents and facts of every sensitivity."""
    p = services.create_person(
        first_names="Élodie Marie",
        last_name="Le Gall",
        birth_name="Martin",
        birth_date=date(1984, 3, 12),
        sex="F",
        nir="2 84 03 54 084 123 73",
    )
    services.add_contact_point(p, "email", "Elodie.LeGall@Example.FR", verified=True)
    services.add_contact_point(p, "mobile", "06 12 34 56 78")
    services.record_consent(p, purpose="alerts", channel="sms", granted=True, method="portal")
    ants = DataSource.objects.get(code="ants")
    caf = DataSource.objects.get(code="caf")
    services.add_fact(
        p,
        key="passport_expires_on",
        value=timezone.localdate() + timedelta(days=150),
        source=ants,
        legal_basis="Code de la sécurité intérieure",
    )
    services.add_fact(
        p, key="family_quotient", value="612,50", source=caf, legal_basis="CSS art. L. 114-12-1"
    )
    return p


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require_or_skip(os.path.exists(path), "chromium is not installed")
    return path


# --- browser tests ----------------------------------------------------------------------------
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(chromium_path, settings):
    """Debian's chromium, headless, driven by Playwright; fast password hashing for the users
    the test signs in with."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=BROWSER_ARGS
        )
        yield browser
        browser.close()
        # Inside sync_playwright the test runs in another context, where Django opened its
        # own database connection: close it, or PostgreSQL cannot drop the test database.
        connections.close_all()


def new_page(browser, timeout_ms=15000):
    """A page in a fresh French context (its own cookies: one signed-in user per page)."""
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(timeout_ms)
    return page


@pytest.fixture
def page(browser):
    return new_page(browser)


# --- transactional tests ----------------------------------------------------------------------
# A transactional test (browser tests, workers, races) ends with Django's flush, which empties
# every table, the reference rows written by data migrations included (fact keys, data sources,
# example rules). The rows are put back after each such test, so that the next test of the
# same worker finds the database as migrations left it. (serialized_rollback would restore
# them at the start of the next transactional test only, and collides with the groups that
# flush's post_migrate recreates: it is not used.)

_blocker = None


@pytest.fixture(autouse=True, scope="session")
def _keep_db_blocker(django_db_blocker):
    global _blocker
    _blocker = django_db_blocker


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _access_log_triggers(install: bool) -> None:
    """The access log refuses DELETE; SQLite's flush deletes (PostgreSQL's TRUNCATE is not
    subject to row triggers): the triggers are lifted around the flush of a test database."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    import importlib

    append_only = importlib.import_module("parvis.audit.migrations.0002_append_only")
    with connection.cursor() as cursor:
        for statement in append_only.SQLITE_REVERSE:
            cursor.execute(statement)
        if install:
            for statement in append_only.SQLITE:
                cursor.execute(statement)


def restore_reference_data() -> None:
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal

    from parvis.people.models import FactKey

    if not Group.objects.filter(name=roles.AGENT).exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    if FactKey.objects.exists():
        return
    import importlib

    importlib.import_module("parvis.people.migrations.0002_catalogue").load(apps, None)
    if apps.is_installed("parvis.rights"):
        importlib.import_module("parvis.rights.migrations.0002_example_rules").install(apps, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    transactional = _blocker is not None and _is_transactional(item)
    if transactional:
        with _blocker.unblock():
            _access_log_triggers(install=False)
    yield
    # After the last test the test database is already dropped: nothing to put back (and the
    # connection would reach the development database).
    if transactional and nextitem is not None:
        with _blocker.unblock():
            _access_log_triggers(install=True)
            restore_reference_data()
