from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from editorial.models import Publication
from tests import factories
from tests.builders import BundleMaker, bundle_maker
from tests.fake_ghostscript import GhostscriptLog, install_fake_ghostscript
from tests.integrations.fake_wechat import FakeWechat, running_fake_wechat
from tests.integrations.page_server import PageServer, running_page_server
from tests.tasks.support import SmtpServer


@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes uploads into a folder of its own."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture
def publication() -> Publication:
    return factories.PublicationFactory.create(slug="dsjfzdt", name="大数据发展动态")


@pytest.fixture
def superuser() -> object:
    return factories.UserFactory.create(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def make_bundle(tmp_path: Path) -> BundleMaker:
    """``make_bundle(edit=fn, files={...})``: a small valid bundle folder, changed by ``edit``."""
    return bundle_maker(tmp_path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test (real threads, a real worker, the browser) reloads what migrations
    created (role groups, content types, permissions) instead of letting a flush's post_migrate
    recreate part of it under new ids. Set on each test's marker, because that is where
    pytest-django decides whether to serialize the database, even for a module run alone."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
            name in fixtures for name in ("transactional_db", "live_server")
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True}
            kwargs["serialized_rollback"] = True
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    """A local web server with the 采编 fixture pages and their images (page_server.py)."""
    with running_page_server() as server:
        yield server


@pytest.fixture
def wechat_server(settings: Settings) -> Iterator[FakeWechat]:
    """The local stand-in of the WeChat API, with the settings pointed at it (fake_wechat.py)."""
    with running_fake_wechat(settings) as server:
        yield server


@pytest.fixture
def ghostscript_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GhostscriptLog:
    """A logging fake ``gs`` first on PATH (tests/fake_ghostscript.py)."""
    return install_fake_ghostscript(tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def _shared_smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_inbox(_shared_smtp: SmtpServer, settings: Settings) -> SmtpServer:
    """One real SMTP server on 127.0.0.1 for the session, emptied for each test, with Django's
    SMTP backend pointed at it (the task tests start their own, which they stop and restart)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _shared_smtp.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    with _shared_smtp.lock:
        _shared_smtp.inbox.clear()
    return _shared_smtp
