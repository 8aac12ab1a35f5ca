import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest.settings.production")
application = get_wsgi_application()

# Each worker does as it starts what would otherwise make a reader's first request wait: import
# every view (the URLconf) and load the search's dictionary (a second each).
from django.urls import get_resolver  # noqa: E402 - needs the apps loaded above

from editorial.search import tokenizer_load  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf
tokenizer_load()
