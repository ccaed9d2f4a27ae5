"""Customer pages, mounted under /account/verification/ by accounts.urls (names are accounts:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.kyc.views import kyc_page

urlpatterns = [
    path("", kyc_page, name="kyc"),
]
