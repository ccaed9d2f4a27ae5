"""/account/security/: one page, a section per concern, each built by its own package."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.freeze import section as freeze_section
from accounts.kyc import section as kyc_section
from accounts.security import section as security_section
from accounts.twofactor import section as twofactor_section

# In the order they appear on the page.
SECTIONS = [twofactor_section, security_section, kyc_section, freeze_section]


@login_required
def security_page(request: HttpRequest) -> HttpResponse:
    sections = [
        {"template": module.TEMPLATE, **module.section_context(request)}
        for module in SECTIONS
        if module.TEMPLATE
    ]
    return render(request, "accounts/security/page.html", {"sections": sections})
