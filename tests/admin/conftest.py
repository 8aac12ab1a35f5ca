"""Fixtures for the admin tests: a superuser that can log in, and a client logged in as it."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

EDITOR_PASSWORD = "pass-word-123"


@pytest.fixture
def editor(superuser: User) -> User:
    """The superuser the admin tests log in as (its password is EDITOR_PASSWORD)."""
    return superuser


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    """A client logged in as a superuser, the way editors reach the admin."""
    client.force_login(editor)
    return client
