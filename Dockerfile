# Digest application image: web (gunicorn), worker and beat (celery) all run it; docker-compose.yml
# sets the command of each. Build with `docker-compose build`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_STATIC_ROOT=/app/var/static \
    DJANGO_MEDIA_ROOT=/app/var/media

# Runtime libraries for PDF rendering: Pango/HarfBuzz, CJK fonts, poppler (pdftotext, pdftoppm)
# and zbarimg for checking QR codes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils zbar-tools \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 digest \
 && useradd --system --uid 10001 --gid digest --create-home --home-dir /home/digest \
      --shell /usr/sbin/nologin digest

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not reinstall them.
# Empty stub packages let `pip install .` resolve the dependency list; the stub is then uninstalled
# and the project runs from /app (PYTHONPATH), because the settings locate templates/ and var/
# relative to the source tree, which an installed copy in site-packages would not have.
COPY pyproject.toml ./
RUN mkdir digest editorial \
 && touch digest/__init__.py editorial/__init__.py \
 && pip install . \
 && pip uninstall -y digest \
 && rm -rf digest editorial build ./*.egg-info

COPY . .

# Static files are collected at build time with production settings. The values below exist only
# to satisfy the settings during this step; the real ones come from the environment at run time.
RUN DJANGO_SETTINGS_MODULE=digest.settings.production \
    DJANGO_SECRET_KEY=build-time-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
 && mkdir -p var/media var/mail \
 && chown digest:digest var/media var/mail

# The code stays owned by root; the app user can write only var/media and var/mail (the media
# volume is initialised from var/media, so it inherits this ownership).
USER digest
EXPOSE 8000
CMD ["gunicorn", "digest.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
