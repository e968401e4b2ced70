"""Top-level routes. Each app owns its URLs; the API lives under /api/v1/."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from community.feed import views as feed_views
from fieldcast.account_data import views as account_data_views
from fieldcast.accounts import api as accounts_api
from fieldcast.accounts import views as accounts_views
from fieldcast.core import views as core_views
from ingest.program import urls as program_urls

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script (docs/security.md).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", accounts_api.ApiTokenApi.as_view(), name="api-token"),
    path("me/", accounts_api.MeApi.as_view(), name="api-me"),
    path("me/export/", account_data_views.AccountDataExportApi.as_view(), name="api-me-export"),
    path("me/deletion/", accounts_api.AccountDeletionApi.as_view(), name="api-me-deletion"),
    path("points/", include("fieldcast.points.api_urls")),
    path("live/", include("ingest.api_urls")),
    path("programs/", include(program_urls.api_urlpatterns)),
    path("moderation/", include("moderation.api_urls")),
    path("community/", include("community.api_urls")),
    path("videos/", include("fieldcast.videos.api_urls")),
]

urlpatterns = [
    path("", feed_views.home, name="home"),
    path("", include("community.site_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/profile/", accounts_views.profile, name="profile"),
    path("accounts/profile/token/", accounts_views.token_create, name="profile-token-create"),
    path(
        "accounts/profile/token/revoke/", accounts_views.token_revoke, name="profile-token-revoke"
    ),
    path("accounts/profile/export/", account_data_views.export_download, name="profile-export"),
    path("accounts/profile/delete/", accounts_views.deletion_request, name="profile-delete"),
    path(
        "accounts/profile/delete/cancel/",
        accounts_views.deletion_cancel,
        name="profile-delete-cancel",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("points/", include("fieldcast.points.urls")),
    path("live/", include("ingest.urls")),
    path("live/", include("ingest.program.urls")),
    path("studio/", include((program_urls.studio_urlpatterns, "studio"))),
    path("moderation/", include("moderation.urls")),
    path("community/", include("community.urls")),
    path("videos/", include("fieldcast.videos.urls")),
    path("api/v1/", include(api_v1)),
]

handler403 = "fieldcast.core.views.permission_denied"
handler404 = "fieldcast.core.views.page_not_found"
handler500 = "fieldcast.core.views.server_error"
