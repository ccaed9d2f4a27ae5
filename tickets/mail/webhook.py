"""POST /api/v1/mail/inbound: a mail service hands over one raw RFC 822 message.

The body is the message itself; `X-Beacon-Signature: sha256=<hex>` is the HMAC-SHA256
of the body with BEACON_INBOUND_MAIL_SECRET. Without a configured secret the endpoint
does not exist (404), so a fresh install is not an open relay into tickets.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail

SIGNATURE_HEADER = "X-Beacon-Signature"


def signature_for(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, given: str, secret: str) -> bool:
    return hmac.compare_digest(signature_for(body, secret), given.strip())


class InboundMailApi(APIView):
    # The signature is the authentication; no session, token or 2FA applies.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the body is read raw, as signed

    @extend_schema(
        operation_id="mail_inbound",
        request={"message/rfc822": bytes},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                location=OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of the body with the shared secret>",
            )
        ],
        responses={
            201: inline_serializer(
                "InboundMailResult",
                {
                    "id": serializers.IntegerField(),
                    "outcome": serializers.CharField(),
                    "duplicate": serializers.BooleanField(),
                    "ticket": serializers.CharField(allow_null=True),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        secret = settings.BEACON_INBOUND_MAIL_SECRET
        if not secret:
            raise Http404
        declared = str(request.META.get("CONTENT_LENGTH") or "0")
        if not declared.isdigit():  # Django's own reading of the body would 500 on it
            return Response(
                {"code": "bad_length", "detail": "Content-Length must be a number."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        length = int(declared)
        if length > settings.BEACON_INBOUND_MAIL_MAX_BYTES:
            return Response(
                {"code": "too_large", "detail": "The message is too large."},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        body = request.body
        if not signature_valid(body, request.headers.get(SIGNATURE_HEADER, ""), secret):
            raise PermissionDenied("The signature does not match the body.")
        intake = email_ingest(body, source=InboundEmail.Source.HTTP)
        inbound = intake.inbound
        return Response(
            {
                "id": inbound.id,
                "outcome": inbound.outcome,
                "duplicate": not intake.created,
                "ticket": inbound.ticket.number if inbound.ticket_id else None,
            },
            status=status.HTTP_201_CREATED if intake.created else status.HTTP_200_OK,
        )
