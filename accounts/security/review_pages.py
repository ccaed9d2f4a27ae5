"""The security desk's front page for reviewers: what waits in each queue, a customer
search, and one customer's security audit trail."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import KycSubmission, MfaResetRequest, ReviewStatus, UnfreezeAppeal
from accounts.permissions import reviewer_required
from accounts.security import selectors
from accounts.security.forms import CustomerSearchForm
from accounts.security.rules import phone_masked

TRAIL_PAGE_SIZE = 50


@reviewer_required
def reviewer_home(request: HttpRequest) -> HttpResponse:
    return _home(request, CustomerSearchForm())


def _home(
    request: HttpRequest, search_form: CustomerSearchForm, status: int = 200, missed: bool = False
) -> HttpResponse:
    counts = {
        "kyc": KycSubmission.objects.filter(status=ReviewStatus.PENDING).count(),
        "appeals": UnfreezeAppeal.objects.filter(status=UnfreezeAppeal.Status.PENDING).count(),
        "mfa_resets": MfaResetRequest.objects.filter(status=MfaResetRequest.Status.PENDING).count(),
    }
    context = {"counts": counts, "search_form": search_form, "search_missed": missed}
    return render(request, "accounts/review/home.html", context, status=status)


@reviewer_required
def customer_search(request: HttpRequest) -> HttpResponse:
    """By UID or email: straight to the customer's trail, or the home page saying no match."""
    form = CustomerSearchForm(request.GET)
    customer = selectors.customer_find(query=form.data.get("q", "")) if form.is_valid() else None
    if customer is not None:
        return redirect("security_desk:security-customer", uid=customer.uid)
    return _home(request, form, status=404 if form.is_valid() else 400, missed=form.is_valid())


@reviewer_required
def customer_trail(request: HttpRequest, uid: int) -> HttpResponse:
    customer = selectors.customer_by_uid(uid=uid)
    if customer is None:
        raise Http404
    events = selectors.security_events_for_user(user=customer)
    page = Paginator(events, TRAIL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security/review_customer.html",
        {
            "customer": customer,
            "phone": phone_masked(customer.phone),
            "page": page,
            "rows": selectors.event_rows(page.object_list),
        },
    )
