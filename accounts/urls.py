from django.urls import include, path

from accounts import views
from accounts.security.page import security_page

app_name = "accounts"

urlpatterns = [
    path("language", views.language_set, name="language-set"),
    path("preferences/", views.preferences, name="preferences"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read", views.notification_mark_read, name="notifications-read"),
    path("security/", security_page, name="security"),
    path("security/", include("accounts.security.urls")),
    path("freeze/", include("accounts.freeze.urls")),
    path("verification/", include("accounts.kyc.urls")),
    path("2fa-reset/", include("accounts.twofactor.urls")),
]
