"""Deployment configuration: the compose file, the production settings and the embedded defaults.

No database here: docker-compose and manage.py run in subprocesses with environments built from
scratch, so neither the developer's shell nor pytest's own settings leak into what is checked.
"""

import json
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_DIR = ROOT / "digest" / "settings"
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
SECRET_KEY = secrets.token_urlsafe(50)
COMPOSE_SECRETS = {
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "digest.example.org",
    "POSTGRES_PASSWORD": "0123456789abcdef",
}
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "digest.settings.production",
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "digest.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/digest",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
LOCAL_ENV = {"DJANGO_SETTINGS_MODULE": "digest.settings.local"}
DUMP_SETTINGS = """
import json
import django
from django.conf import settings
from django.core.files.storage import storages
django.setup()
storage = type(storages["default"])
print(json.dumps({
    "db_engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "email_backend": settings.EMAIL_BACKEND,
    "email_file_path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
    "default_storage": settings.STORAGES["default"],
    "default_storage_class": f"{storage.__module__}.{storage.__qualname__}",
}))
"""


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argument lists, no shell
        args, cwd=cwd, env={**BASE_ENV, **env}, capture_output=True, text=True, timeout=120
    )


# --- docker-compose.yml -------------------------------------------------------------------------


@pytest.fixture
def compose_dir(tmp_path: Path) -> Path:
    """A copy of the deployment files with .env made from .env.example, as an operator would."""
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def compose_config(directory: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.fail(
            "docker-compose is not installed; `make debs` (part of `make test`) installs Debian's "
            "docker-compose package"
        )
    return run([docker_compose, "-f", "docker-compose.yml", "config"], env, cwd=directory)


@pytest.fixture
def compose(compose_dir: Path) -> dict[str, Any]:
    result = compose_config(compose_dir, COMPOSE_SECRETS)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_defines_the_services_and_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "renderer", "beat", "postgres", "redis"}
    assert set(compose["volumes"]) == {"postgres-data", "redis-data", "media"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data:rw"]
    assert services["redis"]["image"] == "redis:7"
    assert services["redis"]["volumes"] == ["redis-data:/data:rw"]
    for name in ("web", "worker", "renderer"):
        assert services[name]["volumes"] == ["media:/app/var/media:rw"]


def test_compose_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["healthcheck"]["test"] == [
        "CMD",
        "pg_isready",
        "-U",
        "digest",
        "-d",
        "digest",
    ]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    web_check = services["web"]["healthcheck"]["test"]
    assert web_check[:3] == ["CMD", "python", "-c"]
    assert '"http://127.0.0.1:8000/healthz"' in web_check[3]
    compile(web_check[3], "web-healthcheck", "exec")
    for name in ("worker", "renderer"):
        queue = "default" if name == "worker" else "render"
        assert services[name]["healthcheck"]["test"] == [
            "CMD-SHELL",
            f"celery -A digest inspect ping -d {queue}@$$HOSTNAME -t 10",
        ]


def test_compose_start_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    app_depends_on = {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("web", "worker", "renderer", "beat"):
        assert services[name]["depends_on"] == app_depends_on, name
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"


def test_compose_commands(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["command"][:3] == [
        "gunicorn",
        "digest.wsgi:application",
        "--bind=0.0.0.0:8000",
    ]
    assert services["worker"]["command"] == [
        "celery",
        "-A",
        "digest",
        "worker",
        "-l",
        "info",
        "-Q",
        "default",
        "-n",
        "default@%h",
    ]
    assert services["renderer"]["command"][4:] == [
        "-l",
        "info",
        "-Q",
        "render",
        "-n",
        "render@%h",
        "--concurrency=2",
        "--max-tasks-per-child=10",
    ]
    assert services["beat"]["command"] == [
        "celery",
        "-A",
        "digest",
        "beat",
        "-l",
        "info",
        "--scheduler",
        "django_celery_beat.schedulers:DatabaseScheduler",
    ]


def test_compose_application_environment(compose: dict[str, Any]) -> None:
    for name in ("migrate", "web", "worker", "renderer", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "digest.settings.production", name
        assert environment["DJANGO_SECRET_KEY"] == SECRET_KEY, name
        assert environment["DJANGO_ALLOWED_HOSTS"] == "digest.example.org", name
        assert environment["DATABASE_URL"] == (
            "postgres://digest:0123456789abcdef@postgres:5432/digest"
        ), name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
    assert compose["services"]["postgres"]["environment"] == {
        "POSTGRES_DB": "digest",
        "POSTGRES_USER": "digest",
        "POSTGRES_PASSWORD": "0123456789abcdef",
    }


@pytest.mark.parametrize("missing", sorted(COMPOSE_SECRETS))
def test_compose_refuses_to_run_without_a_required_variable(
    compose_dir: Path, missing: str
) -> None:
    env = {name: value for name, value in COMPOSE_SECRETS.items() if name != missing}

    result = compose_config(compose_dir, env)

    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


# --- Dockerfile and .env.example ---------------------------------------------------------------


def test_dockerfile_essentials() -> None:
    """It cannot be built here, so the parts that matter are pinned."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.MULTILINE)
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-noto-cjk",
        "poppler-utils",
        "zbar-tools",
    ):
        assert f" {package}" in dockerfile, package
    assert "pip install ." in dockerfile
    assert "DJANGO_SETTINGS_MODULE=digest.settings.production" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    assert re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE) == ["digest"]
    assert "ENTRYPOINT" not in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "var"} <= set(ignored)


def test_env_example_documents_every_variable_the_settings_read() -> None:
    read = set()
    for path in SETTINGS_DIR.glob("*.py"):
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert "DJANGO_SECRET_KEY" in read
    assert read - documented == set()


# --- production settings -------------------------------------------------------------------------


def test_production_settings_pass_the_deployment_checks() -> None:
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert result.stderr == ""


def test_production_settings_require_the_secret_key() -> None:
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != "DJANGO_SECRET_KEY"}

    result = run([sys.executable, "-c", "import digest.settings.production"], env)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "Set the DJANGO_SECRET_KEY environment variable"
    )


# --- embedded defaults and their switches --------------------------------------------------------


def dump_settings(env: dict[str, str]) -> dict[str, Any]:
    result = run([sys.executable, "-c", DUMP_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    dumped: dict[str, Any] = json.loads(result.stdout)
    return dumped


def test_local_settings_run_embedded_without_any_service() -> None:
    check = run([sys.executable, "manage.py", "check"], LOCAL_ENV)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout

    dumped = dump_settings(LOCAL_ENV)

    assert dumped["db_engine"] == "django.db.backends.sqlite3"
    assert dumped["db_name"] == str(ROOT / "var" / "db.sqlite3")
    assert dumped["broker"] == ""
    assert dumped["eager"] is True
    assert dumped["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert dumped["email_file_path"] == str(ROOT / "var" / "mail")
    assert dumped["default_storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_database_and_redis_urls_switch_to_postgresql_and_a_worker() -> None:
    env = {
        **LOCAL_ENV,
        "DATABASE_URL": "postgres://digest:pw@db.internal:5432/digest",
        "REDIS_URL": "redis://redis.internal:6379/0",
    }

    dumped = dump_settings(env)

    assert dumped["db_engine"] == "django.db.backends.postgresql"
    assert dumped["db_name"] == "digest"
    assert dumped["broker"] == "redis://redis.internal:6379/0"
    assert dumped["eager"] is False


def test_celery_broker_url_wins_over_redis_url() -> None:
    env = {
        **LOCAL_ENV,
        "REDIS_URL": "redis://redis.internal:6379/0",
        "CELERY_BROKER_URL": "redis://broker.internal:6379/1",
    }

    dumped = dump_settings(env)

    assert dumped["broker"] == "redis://broker.internal:6379/1"
    assert dumped["eager"] is False


def test_storage_backend_s3_switches_default_storage() -> None:
    env = {
        **LOCAL_ENV,
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "digest-media",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        "AWS_S3_REGION_NAME": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "example-secret",
    }

    dumped = dump_settings(env)

    assert dumped["default_storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert dumped["default_storage_class"] == "storages.backends.s3.S3Storage"
    options = dumped["default_storage"]["OPTIONS"]
    assert options["bucket_name"] == "digest-media"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["region_name"] == "eu-central-1"


def test_the_operations_guide_describes_the_compose_file(compose: dict[str, Any]) -> None:
    """docs/operations.md names every service, and each worker's queue is the one the job-kinds
    table routes its tasks to."""
    from editorial.jobs import JOB_KINDS

    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name, service in compose["services"].items():
        assert f"`{name}`" in guide, name
        command = service.get("command") or []
        if "worker" in command:
            queue = command[command.index("-Q") + 1]
            assert f"`{name}` consumes the `{queue}` queue" in guide, name
            assert "`stop_grace_period` is" in guide
    queues = {kind.queue for kind in JOB_KINDS}
    consumed = {
        s["command"][s["command"].index("-Q") + 1]
        for s in compose["services"].values()
        if "worker" in (s.get("command") or [])
    }
    assert queues <= consumed


def test_static_files_are_served_by_whitenoise_with_their_gzip_copies(
    tmp_path: Path, settings: Any
) -> None:
    """collectstatic writes a gzip copy of each compressible file; WhiteNoise sends it to a
    browser that accepts gzip, before any other middleware."""
    from django.core.management import call_command
    from django.test import Client

    settings.STATIC_ROOT = tmp_path
    others = ["admin", "adminsortable2", "django_otp", "otp_totp", "rest_framework"]
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=others)
    css = tmp_path / "public" / "site.css"
    assert css.exists() and (tmp_path / "public" / "site.css.gz").exists()
    response = Client().get("/static/public/site.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip" and response["Vary"] == "Accept-Encoding"
    assert int(response["Content-Length"]) < css.stat().st_size
