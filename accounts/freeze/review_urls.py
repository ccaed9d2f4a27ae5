"""Staff pages, mounted under /console/security/ (names are security_desk:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.freeze import review_views

urlpatterns = [
    path("freeze/<int:uid>/", review_views.agent_freeze, name="freeze-agent"),
    path("appeals/", review_views.appeal_queue, name="freeze-appeals"),
    path("appeals/<int:appeal_id>/", review_views.appeal_detail, name="freeze-appeal"),
    path("appeals/<int:appeal_id>/review", review_views.appeal_review, name="freeze-appeal-review"),
    path("appeals/<int:appeal_id>/selfie", review_views.appeal_selfie, name="freeze-appeal-selfie"),
]
