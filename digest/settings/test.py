"""Test settings: PostgreSQL and Redis on 127.0.0.1 unless the environment names others."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/digest"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_CACHE_URL", default="redis://127.0.0.1:6379/14"),
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
# Tests that are about the anonymous rate limit set their own.
DIGEST_API_ANON_RATE = "100000/min"
# Every test sees the documents as the database holds them; the middleware's test sets a time.
DIGEST_DOCUMENT_CACHE_SECONDS = 0
