"""Customer pages, mounted under /account/ by accounts.urls (names are accounts:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.security import views

urlpatterns = [
    path("history/", views.history, name="security-history"),
    path("code/", views.code_change, name="security-code"),
    path("phone/", views.phone_change, name="security-phone"),
    path("sessions/end-others/", views.sessions_end_others, name="security-sessions-end"),
]
