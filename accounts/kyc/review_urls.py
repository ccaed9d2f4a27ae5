"""Security reviewers' pages, mounted under /console/security/ (names are security_desk:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.kyc import review_views

urlpatterns = [
    path("kyc/", review_views.kyc_queue_page, name="kyc-queue"),
    path("kyc/<int:submission_id>/", review_views.kyc_review_page, name="kyc-detail"),
    path("kyc/<int:submission_id>/decide", review_views.kyc_decide, name="kyc-decide"),
    path("kyc/documents/<int:document_id>/", review_views.kyc_document, name="kyc-document"),
]
