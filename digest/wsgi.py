import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest.settings.production")
application = get_wsgi_application()

# Each worker loads the search's dictionary as it starts, not while a reader waits.
from editorial.search import tokenizer_load  # noqa: E402 - needs the apps loaded above

tokenizer_load()
