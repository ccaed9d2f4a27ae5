"""Security reviewers' pages, mounted under /console/security/ (names are security_desk:<name>)."""

from __future__ import annotations

from django.urls import path

from accounts.security import review_pages

urlpatterns = [
    path("customers/", review_pages.customer_search, name="security-customer-search"),
    path("customers/<int:uid>/", review_pages.customer_trail, name="security-customer"),
]
