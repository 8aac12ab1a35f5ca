from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, include, path

from digest.views import healthz
from editorial.admin.files import stored_file
from editorial.admin.two_factor import two_factor_setup, two_factor_verify
from editorial.integrations.esp_webhooks import webhook_urls
from editorial.previews.urls import editor_urls, link_urls
from editorial.public.sitemaps import SITEMAPS
from editorial.public.views import public_page

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("admin/2fa/setup/", two_factor_setup, name="two_factor_setup"),
    path("admin/2fa/verify/", two_factor_verify, name="two_factor_verify"),
    # Previews: under /admin/ for the two-factor check, but 404 (no login page) to others.
    path("admin/preview/<int:issue_id>/", include(editor_urls, namespace="preview")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("editorial.api.urls")),
    # An ESP's tracking webhooks (bounces, complaints, deliveries) for the delivery ledger.
    *webhook_urls(),
    path("subscribe/", include("editorial.public.subscription_urls")),
    path("preview/<str:token>/", include(link_urls, namespace="preview-link")),
    # Every stored file, to those who may see it (MEDIA_URL); published ones are in the archive.
    path("files/<path:name>", stored_file, name="stored-file"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    # The reading site: home, archive, issues, articles, sections, feeds.
    path("", include("editorial.public.urls")),
]
