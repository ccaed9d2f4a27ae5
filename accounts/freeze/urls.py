"""Customer pages, mounted under /account/freeze/ by accounts.urls (names are accounts:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.freeze import views

urlpatterns = [
    path("", views.freeze_confirm, name="freeze-confirm"),
    path("frozen/", views.frozen, name="freeze-done"),
    # From the new-device alert email: no sign-in, no 2FA (a thief may have changed both).
    path("not-me/<str:token>/", views.not_me, name="freeze-not-me"),
    path("appeal/", views.appeal_request, name="freeze-appeal-request"),
    path("appeal/<str:token>/", views.appeal, name="freeze-appeal"),
]
