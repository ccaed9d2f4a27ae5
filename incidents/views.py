"""Operations leads' pages: declare an incident, post updates, review uncertain links."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from incidents import deflection, services
from incidents.forms import IncidentForm, UpdateForm
from incidents.models import Incident, IncidentLink
from tickets.permissions import is_supervisor


def _lead(request: HttpRequest) -> None:
    if not is_supervisor(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def incident_list(request: HttpRequest) -> HttpResponse:
    _lead(request)
    form = IncidentForm(request.POST or None)
    if form.is_valid():
        try:
            incident = services.incident_declare(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("incidents:detail", incident_id=incident.pk)
    incidents = Incident.objects.annotate(
        linked=Count("links", filter=Q(links__state=IncidentLink.State.LINKED)),
        to_review=Count("links", filter=Q(links__state=IncidentLink.State.REVIEW)),
    )[:50]
    status = 400 if form.is_bound else 200
    return render(
        request, "incidents/list.html", {"form": form, "incidents": incidents}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    _lead(request)
    incident = get_object_or_404(Incident, pk=incident_id)
    form = UpdateForm(request.POST or None)
    if form.is_valid():
        try:
            services.incident_post_update(
                actor=request.user,
                incident=incident,
                body_en=form.cleaned_data["body_en"],
                body_zh_hans=form.cleaned_data["body_zh_hans"],
                resolve=form.cleaned_data["resolve"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("incidents:detail", incident_id=incident.pk)
    links = incident.links.select_related("ticket", "conversation").order_by("-created_at")
    context = {
        "incident": incident,
        "figures": deflection.figures(incident),
        "form": form,
        "updates": incident.updates.order_by("-number"),
        "linked": links.filter(state=IncidentLink.State.LINKED)[:200],
        "linked_count": links.filter(state=IncidentLink.State.LINKED).count(),
        "to_review": links.filter(state=IncidentLink.State.REVIEW)[:200],
    }
    return render(request, "incidents/detail.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def link_review(request: HttpRequest, incident_id: int, link_id: int) -> HttpResponse:
    _lead(request)
    link = get_object_or_404(IncidentLink, pk=link_id, incident_id=incident_id)
    services.link_review(
        actor=request.user, link_id=link.pk, accept=request.POST.get("accept") == "1"
    )
    return redirect("incidents:detail", incident_id=incident_id)
