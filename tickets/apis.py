"""REST API for tickets: customers reach only their own, agents their teams'."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from tickets import selectors, services
from tickets.models import Ticket


class TicketOutputSerializer(serializers.ModelSerializer):
    type = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "number",
            "subject",
            "type",
            "status",
            "priority",
            "channel",
            "language",
            "fields",
            "created_at",
            "updated_at",
            "solved_at",
            "rating",
        ]


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    visibility = serializers.CharField()
    by_staff = serializers.BooleanField()
    # What was masked in the customer's text ("seed_phrase", "private_key", "password"):
    # clients warn the customer, as Beacon's own pages do.
    masked = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    attachments = serializers.SerializerMethodField()

    def get_attachments(self, message) -> list[dict]:
        return [
            {
                "id": a.id,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/attachments/{a.id}/",
            }
            for a in message.attachments.all()
        ]


class TicketWithMessagesOutputSerializer(TicketOutputSerializer):
    """For the schema only: `_with_messages` fills `messages` from the selector, which
    leaves internal notes out for customers (this field would not)."""

    messages = MessageOutputSerializer(many=True, read_only=True)

    class Meta(TicketOutputSerializer.Meta):
        fields = [*TicketOutputSerializer.Meta.fields, "messages"]


def _with_messages(ticket: Ticket, user) -> dict:
    """The ticket and the messages `user` may see (with what was masked in each)."""
    body = TicketOutputSerializer(ticket).data
    messages = selectors.ticket_messages_for_user(user=user, ticket=ticket)
    body["messages"] = MessageOutputSerializer(messages, many=True).data
    return body


class TicketListApi(APIView):
    """The caller's tickets (a customer: their own; an agent: their teams'), newest first."""

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=100, default=50)

    @extend_schema(parameters=[FilterSerializer], responses=TicketOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        tickets = selectors.ticket_list_for_user(user=request.user)
        if "status" in params.validated_data:
            tickets = tickets.filter(status=params.validated_data["status"])
        tickets = tickets[: params.validated_data["limit"]]
        return Response({"results": TicketOutputSerializer(tickets, many=True).data})


class TicketCreateApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        type = serializers.SlugField()
        subject = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=20_000)
        fields = serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=300),
            required=False,
            default=dict,
        )

    @extend_schema(request=InputSerializer, responses={201: TicketWithMessagesOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket_type = (
            selectors.ticket_types_for_customers().filter(slug=data.validated_data["type"]).first()
        )
        if ticket_type is None:  # a field error, like the web form's, not a missing page
            raise ApplicationError(
                _("Choose a request type from the list."),
                code="unknown_type",
                extra={"field": "type"},
            )
        ticket = services.ticket_create(
            requester=request.user,
            ticket_type=ticket_type,
            channel=Ticket.Channel.API,
            subject=data.validated_data["subject"],
            body=data.validated_data["body"],
            field_values=data.validated_data["fields"],
            files=request.FILES.getlist("files"),
            language=getattr(request.user, "language", "en"),
        )
        return Response(_with_messages(ticket, request.user), status=status.HTTP_201_CREATED)


class TicketDetailApi(APIView):
    @extend_schema(responses=TicketWithMessagesOutputSerializer)
    def get(self, request: Request, number: str) -> Response:
        ticket = selectors.ticket_get_for_user(user=request.user, number=number)
        return Response(_with_messages(ticket, request.user))


class TicketReplyApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=20_000)
        internal = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request: Request, number: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = selectors.ticket_get_for_user(user=request.user, number=number)
        message = services.ticket_reply(
            actor=request.user,
            ticket=ticket,
            files=request.FILES.getlist("files"),
            **data.validated_data,
        )
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class TicketStatusApi(APIView):
    class InputSerializer(serializers.Serializer):
        status = serializers.CharField(max_length=20)

    @extend_schema(request=InputSerializer, responses=TicketOutputSerializer)
    def post(self, request: Request, number: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = selectors.ticket_get_for_user(user=request.user, number=number)
        ticket = services.ticket_change_status(
            actor=request.user, ticket=ticket, status=data.validated_data["status"]
        )
        return Response(TicketOutputSerializer(ticket).data)
