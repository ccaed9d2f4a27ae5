"""Security reviewers' pages, mounted under /console/security/ (names are security_desk:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.twofactor import review_views

urlpatterns = [
    path("2fa-resets/", review_views.queue, name="twofactor-resets"),
    path("2fa-resets/<int:reset_id>/", review_views.detail, name="twofactor-reset"),
    path("2fa-resets/<int:reset_id>/decide", review_views.decide, name="twofactor-reset-decide"),
    path(
        "2fa-resets/<int:reset_id>/documents/<int:document_id>",
        review_views.document,
        name="twofactor-reset-document",
    ),
]
