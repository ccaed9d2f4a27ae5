from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import healthz, ping

api_v1 = [
    path("helpcenter/", include("helpcenter.api_urls")),
    path("tickets/", include("tickets.api_urls")),
    path("mail/", include("tickets.mail_api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Telegram / X / Discord webhooks, and the customer's /account/linked-channels/.
    path("", include("outside.urls")),
    path("account/", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file (?script), which the CSP allows.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("console/security/", include("accounts.review_urls")),
    path("console/chats/", include("livechat.console_urls")),
    path("console/incidents/", include("incidents.urls")),
    path("chat/", include("livechat.verify_urls")),
    path("chat/", include("livechat.urls")),
    path("chat/", include("livechat.customer_urls")),
    path("community/", include("community.urls")),
    path("", include("tickets.urls")),
    path("", include("helpcenter.urls")),
]
