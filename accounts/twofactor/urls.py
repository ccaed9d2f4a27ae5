"""Customer pages, mounted under /account/ by accounts.urls (names are accounts:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.twofactor import views

urlpatterns = [
    path("", views.reset_request, name="twofactor-reset"),
    path("cancel/<signed:token>/", views.reset_cancel, name="twofactor-reset-cancel"),
]
