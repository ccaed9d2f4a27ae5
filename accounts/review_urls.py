"""/console/security/: the security reviewers' queues, one urls module per package."""

from __future__ import annotations

from django.urls import include, path

from accounts.security.review_pages import reviewer_home

app_name = "security_desk"

urlpatterns = [
    path("", reviewer_home, name="home"),
    path("", include("accounts.security.review_urls")),
    path("", include("accounts.freeze.review_urls")),
    path("", include("accounts.kyc.review_urls")),
    path("", include("accounts.twofactor.review_urls")),
]
