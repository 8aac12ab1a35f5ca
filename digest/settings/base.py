"""Settings shared by every environment, read from the environment with django-environ.

With no environment variables the project runs embedded: SQLite under ./var/, Celery tasks run
eagerly, e-mail is written to ./var/mail/, media under ./var/media/. Setting DATABASE_URL and
REDIS_URL (or CELERY_BROKER_URL) switches to PostgreSQL and a Redis-backed worker;
STORAGE_BACKEND=s3 moves media and generated files to an S3-compatible store.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "digest.apps.AdminConfig",  # Django's admin, with our home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "adminsortable2",
    "django_prose_editor",
    "reversion",
    "django_celery_beat",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "anymail",
    "editorial",
]

MIDDLEWARE = [
    "digest.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The reading site's pages as rendered at publication, before sessions and views.
    "editorial.public.middleware.PublishedDocumentMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "digest.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "digest.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "digest.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by its backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Headers of every page (docs/decisions/0011-security-headers.md). Scripts and <style> elements
# run only with the response's nonce ({{ request.csp_nonce }}) or from our own origin; style
# attributes are allowed (they run no code and load nothing img-src would refuse).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The rich-text editor's own extensions (editorial/static/editorial/editor.js, an ES module
# loaded without a build step) and the tags they write, for django-prose-editor.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("editorial/editor.js")],
        "extensions": {
            "DigestFigure": html_tags(["figure"], {"figure": ["data-figure"]}),
            "DigestPaste": html_tags([]),
            "DigestTitles": html_tags([]),
        },
    }
]
DIGEST_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

ROOT_URLCONF = "digest.urls"
WSGI_APPLICATION = "digest.wsgi.application"
ASGI_APPLICATION = "digest.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logins: django-axes counts failures per username and locks the account for a while (its
# attempts and lockouts are in the admin); sessions are short; staff in the roles that approve
# and publish must confirm a TOTP code (django-otp), others may choose to.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DIGEST_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DIGEST_LOGIN_LOCKOUT_MINUTES", default=30))
# Failures count per username (the account is locked) and per client address, which is read
# behind DIGEST_PROXY_COUNT reverse proxies of our own (digest.middleware.client_ip).
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "digest.middleware.client_ip"
DIGEST_PROXY_COUNT = env.int("DIGEST_PROXY_COUNT", default=0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/account_locked.html"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
DIGEST_REQUIRE_2FA_ROLES = env.list(
    "DIGEST_REQUIRE_2FA_ROLES",
    default=["editor_in_chief", "board_member", "executive_editor", "publisher"],
)
OTP_TOTP_ISSUER = "Digest 编辑部"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
# Stored files are private (docs/decisions/0010): no proxy or bucket serves them, their URLs lead
# to the view that checks who asks (editorial/admin/files.py). Behind nginx that view may hand the
# sending to the proxy: the prefix of an `internal` location over MEDIA_ROOT. On S3 it may
# redirect to a signed URL that expires after DIGEST_FILES_SIGNED_URL_SECONDS.
MEDIA_URL = "/files/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
DIGEST_FILES_X_ACCEL_PREFIX = env("DIGEST_FILES_X_ACCEL_PREFIX", default="")
DIGEST_FILES_S3_REDIRECT = env.bool("DIGEST_FILES_S3_REDIRECT", default=False)
DIGEST_FILES_SIGNED_URL_SECONDS = env.int("DIGEST_FILES_SIGNED_URL_SECONDS", default=60)

# Media and generated files (renditions) go through STORAGES so that web and workers on several
# hosts can share them: STORAGE_BACKEND=s3 switches "default" to an S3-compatible bucket.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("DIGEST_FILES_SIGNED_URL_SECONDS", default=60),
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise environ.ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}"
    )
STORAGES = {
    "default": _default_storage,
    # WhiteNoise serves them with the gzip copies made at collectstatic (production adds
    # the manifest of hashed names, which needs collectstatic to have run).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Cache: Redis when REDIS_URL is set (shared by web and workers: WeChat access tokens live here),
# otherwise in-process memory.
_cache_url = env("REDIS_CACHE_URL", default=env("REDIS_URL", default=""))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The WeChat Official Account API (see editorial/integrations/wechat.py).
WECHAT_APP_ID = env("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env("WECHAT_APP_SECRET", default="")
WECHAT_API_BASE = env("WECHAT_API_BASE", default="https://api.weixin.qq.com")
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=10.0)
WECHAT_RETRY_ATTEMPTS = env.int("WECHAT_RETRY_ATTEMPTS", default=4)
WECHAT_RETRY_BACKOFF_SECONDS = env.float("WECHAT_RETRY_BACKOFF_SECONDS", default=1.0)

# 采编 (an article from its original link): fetching pages and their figures from the web.
# Private, loopback, link-local, multicast and reserved addresses are refused unless a network
# is listed here; only the test settings list one (the local server the tests start).
DIGEST_FETCH_TIMEOUT_SECONDS = env.float("DIGEST_FETCH_TIMEOUT_SECONDS", default=15.0)
DIGEST_FETCH_MAX_PAGE_BYTES = env.int("DIGEST_FETCH_MAX_PAGE_BYTES", default=5 * 1024 * 1024)
DIGEST_FETCH_MAX_REDIRECTS = 5
DIGEST_FETCH_PRIVATE_NETWORKS: list[str] = []
DIGEST_FETCH_MAX_FIGURES = env.int("DIGEST_FETCH_MAX_FIGURES", default=30)

# Uploads: what the image validators accept.
DIGEST_MAX_IMAGE_BYTES = env.int("DIGEST_MAX_IMAGE_BYTES", default=10 * 1024 * 1024)
DIGEST_MAX_IMAGE_PIXELS = env.int("DIGEST_MAX_IMAGE_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# A whole request (an article form with a few figures) is refused from its Content-Length before it
# is read; fields other than files are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE, and files
# larger than FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file.
DIGEST_MAX_REQUEST_BYTES = env.int("DIGEST_MAX_REQUEST_BYTES", default=32 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# The workflow: how long a soft edit lock lasts, how often a notification is tried, the site's URL
# in e-mails.
DIGEST_EDIT_LOCK_SECONDS = env.int("DIGEST_EDIT_LOCK_SECONDS", default=30 * 60)
DIGEST_NOTIFICATION_MAX_ATTEMPTS = env.int("DIGEST_NOTIFICATION_MAX_ATTEMPTS", default=5)
DIGEST_SITE_URL = env("DIGEST_SITE_URL", default="http://127.0.0.1:8000")
# The reading site's stored documents: how long each worker keeps one in memory before asking the
# database again (a publication reaches every worker within it), and how much memory that takes.
DIGEST_DOCUMENT_CACHE_SECONDS = env.float("DIGEST_DOCUMENT_CACHE_SECONDS", default=10.0)
DIGEST_DOCUMENT_CACHE_BYTES = env.int("DIGEST_DOCUMENT_CACHE_BYTES", default=64 * 1024 * 1024)
# The reading site's footer: the ICP 备案号 every site hosted in China shows, and a contact line.
DIGEST_ICP_NUMBER = env("DIGEST_ICP_NUMBER", default="")
DIGEST_SITE_CONTACT = env("DIGEST_SITE_CONTACT", default="")

# Subscribers (editorial/services/subscriptions.py): the version of the consent text the subscribe
# form shows (recorded with every consent), how long a confirmation link works, and how many
# subscribe requests one IP address may make per window.
DIGEST_CONSENT_TEXT_VERSION = env("DIGEST_CONSENT_TEXT_VERSION", default="2024-1")
DIGEST_SUBSCRIBE_CONFIRM_SECONDS = env.int(
    "DIGEST_SUBSCRIBE_CONFIRM_SECONDS", default=3 * 24 * 3600
)
DIGEST_SUBSCRIBE_RATE = env.int("DIGEST_SUBSCRIBE_RATE", default=5)
DIGEST_SUBSCRIBE_RATE_SECONDS = env.int("DIGEST_SUBSCRIBE_RATE_SECONDS", default=3600)

# E-mail: an SMTP server from EMAIL_URL, or files under var/mail/ when none is configured.
_email_url = env("EMAIL_URL", default="")
if _email_url:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="digest@localhost")
# Or an ESP through django-anymail (docs/decisions/0017): DIGEST_EMAIL_ESP=mailgun (postmark,
# amazon_ses, sendgrid, brevo, …) selects anymail's backend for that ESP; every ANYMAIL_<NAME>
# variable becomes ANYMAIL["<NAME>"] (MAILGUN_API_KEY, POSTMARK_SERVER_TOKEN, WEBHOOK_SECRET…).
DIGEST_EMAIL_ESP = env("DIGEST_EMAIL_ESP", default="")
if DIGEST_EMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{DIGEST_EMAIL_ESP}.EmailBackend"
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_")
}

# The e-mail edition and its delivery (editorial/services/deliveries.py). Throughput: messages
# per second over all connections (0: as fast as the server takes them), connections (parallel
# senders: tasks on workers, or threads of `deliver_issue`), rows claimed per batch. A transient
# failure is tried again after base × 2^attempts seconds (at most the max, with jitter), up to
# the attempts given. A PDF larger than the cap is linked instead of attached.
DIGEST_DELIVERY_FROM_EMAIL = env("DIGEST_DELIVERY_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
DIGEST_DELIVERY_MESSAGES_PER_SECOND = env.float("DIGEST_DELIVERY_MESSAGES_PER_SECOND", default=0)
DIGEST_DELIVERY_CONNECTIONS = env.int("DIGEST_DELIVERY_CONNECTIONS", default=4)
DIGEST_DELIVERY_BATCH_SIZE = env.int("DIGEST_DELIVERY_BATCH_SIZE", default=200)
DIGEST_DELIVERY_MAX_ATTEMPTS = env.int("DIGEST_DELIVERY_MAX_ATTEMPTS", default=6)
DIGEST_DELIVERY_BACKOFF_SECONDS = env.float("DIGEST_DELIVERY_BACKOFF_SECONDS", default=30)
DIGEST_DELIVERY_BACKOFF_MAX_SECONDS = env.float("DIGEST_DELIVERY_BACKOFF_MAX_SECONDS", default=3600)
DIGEST_EMAIL_ATTACHMENT_MAX_BYTES = env.int(
    "DIGEST_EMAIL_ATTACHMENT_MAX_BYTES", default=8 * 1024 * 1024
)
# DKIM signing of messages sent over SMTP (an ESP signs with the key it holds for the domain).
DIGEST_DKIM_DOMAIN = env("DIGEST_DKIM_DOMAIN", default="")
DIGEST_DKIM_SELECTOR = env("DIGEST_DKIM_SELECTOR", default="digest")
DIGEST_DKIM_PRIVATE_KEY = env("DIGEST_DKIM_PRIVATE_KEY", default="")
DIGEST_DKIM_PRIVATE_KEY_FILE = env("DIGEST_DKIM_PRIVATE_KEY_FILE", default="")

# Celery: a Redis broker when REDIS_URL or CELERY_BROKER_URL is set, otherwise tasks run eagerly.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every other task's limits; the job kinds' own are DIGEST_JOB_TIME_LIMITS below.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_RESULT_EXPIRES = None  # no result backend, so no nightly clean-up task either
# A web request enqueuing after commit must not hang on a dead broker: fail fast, the sweepers
# send what was recorded.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "publish-due-issues": {"task": "editorial.tasks.publish_due_issues", "schedule": 60.0},
    "notifications-sweep": {"task": "editorial.tasks.notifications_sweep", "schedule": 300.0},
    "renditions-sweep": {"task": "editorial.tasks.renditions_sweep", "schedule": 300.0},
    "wechat-sweep": {"task": "editorial.tasks.wechat_sweep", "schedule": 60.0},
    "document-builds-sweep": {"task": "editorial.tasks.document_builds_sweep", "schedule": 300.0},
    "deliveries-sweep": {
        "task": "editorial.tasks.deliveries_sweep",
        "schedule": env.float("DIGEST_DELIVERY_SWEEP_SECONDS", default=60.0),
    },
}
# Each job kind's task to its queue, from the table in editorial/jobs.py: PDF rendering is heavy,
# so it has its own queue, workers recycled often (see docs/operations.md).
CELERY_TASK_ROUTES = ("editorial.jobs.job_route",)
# The job kinds of editorial/jobs.py: (soft, hard) time limit of each one's task, in seconds. A
# claimed row's lease runs past the hard limit by the margin, and the running task renews it, so
# the sweeper re-claims a row only when its worker is gone.
DIGEST_JOB_TIME_LIMITS = {
    "rendition": (
        env.int("DIGEST_RENDITION_SOFT_TIME_LIMIT", default=240),
        env.int("DIGEST_RENDITION_TIME_LIMIT", default=300),
    ),
    "wechat_push": (
        env.int("DIGEST_WECHAT_PUSH_SOFT_TIME_LIMIT", default=540),
        env.int("DIGEST_WECHAT_PUSH_TIME_LIMIT", default=600),
    ),
    "notification": (
        env.int("DIGEST_NOTIFICATION_SOFT_TIME_LIMIT", default=240),
        env.int("DIGEST_NOTIFICATION_TIME_LIMIT", default=300),
    ),
    "document_build": (
        env.int("DIGEST_DOCUMENT_BUILD_SOFT_TIME_LIMIT", default=240),
        env.int("DIGEST_DOCUMENT_BUILD_TIME_LIMIT", default=300),
    ),
    "delivery": (
        env.int("DIGEST_DELIVERY_SOFT_TIME_LIMIT", default=240),
        env.int("DIGEST_DELIVERY_TIME_LIMIT", default=300),
    ),
}
DIGEST_JOB_LEASE_MARGIN_SECONDS = env.int("DIGEST_JOB_LEASE_MARGIN_SECONDS", default=60)

# The API (docs/decisions/0019-complete-api.md): token or session login, anyone may read what is
# published, anonymous readers rate-limited in the shared cache; ``format`` is the body format
# of articles, not a renderer switch.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "editorial.api.schema.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["editorial.api.access.ReadPublishedOrStaff"],
    "DEFAULT_THROTTLE_CLASSES": ["editorial.api.access.AnonymousRate"],
    "EXCEPTION_HANDLER": "editorial.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "editorial.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "URL_FORMAT_OVERRIDE": None,
}
DIGEST_API_ANON_RATE = env("DIGEST_API_ANON_RATE", default="120/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Digest API",
    "DESCRIPTION": (
        "《大数据发展动态》等刊物的编辑与阅读接口。读者无需登录即可读取已发布的期与文章；"
        "编辑部以令牌（Authorization: Token …）或会话登录。写操作须带 If-Match（读取时的 ETag）。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "IssueStatusEnum": "editorial.workflow.IssueStatus",
        "ArticleStatusEnum": "editorial.workflow.ArticleStatus",
        "RenditionStatusEnum": "editorial.models.renditions.RenditionStatus",
        "SubscriberStatusEnum": "editorial.models.subscribers.SubscriberStatus",
        "DeliveryStatusEnum": "editorial.models.deliveries.DeliveryStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO; its warnings are what matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces its configuration at start-up; its lockouts are warnings.
        "axes.apps": {"level": "WARNING"},
    },
}
