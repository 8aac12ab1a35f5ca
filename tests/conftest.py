from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from editorial.models import Publication
from tests import factories
from tests.builders import BundleMaker, bundle_maker


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
