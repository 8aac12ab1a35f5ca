"""Test settings: PostgreSQL and Redis on 127.0.0.1 unless the environment names others.

Under pytest-xdist each worker gets its own databases: pytest-django suffixes the PostgreSQL test
database with the worker's name, and here worker ``gwN`` moves both Redis database numbers down by
2·N, so that one worker's Celery tasks and cache never reach another's.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import VAR_DIR, env


def _for_this_worker(url: str) -> str:
    """``url`` with its Redis database number moved down by 2·N for xdist worker ``gwN``."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    if not worker:
        return url
    parts = urlsplit(url)
    number = (int(parts.path.strip("/") or 0) - 2 * worker) % 16
    return urlunsplit(parts._replace(path=f"/{number}"))


DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/digest"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
REDIS_URL = _for_this_worker(env("REDIS_URL", default="redis://127.0.0.1:6379/15"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _for_this_worker(env("REDIS_CACHE_URL", default="redis://127.0.0.1:6379/14")),
    }
}
# Tests that are about tasks start a real worker on this broker; the rest run tasks eagerly.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests that are about two-factor set the roles that need it themselves.
DIGEST_REQUIRE_2FA_ROLES = []
# 采编 tests fetch from a server they start on the loopback address (never allowed elsewhere).
DIGEST_FETCH_PRIVATE_NETWORKS = ["127.0.0.0/8"]
# Tests that are about the anonymous rate limit set their own.
DIGEST_API_ANON_RATE = "100000/min"
# Every test sees the documents as the database holds them; the middleware's test sets a time.
DIGEST_DOCUMENT_CACHE_SECONDS = 0
