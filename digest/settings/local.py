"""Developer settings: the embedded defaults of base.py with debugging on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The demo's logins reach the admin without a phone; set it to require two-factor here as well.
DIGEST_REQUIRE_2FA_ROLES = env.list("DIGEST_REQUIRE_2FA_ROLES", default=[])
