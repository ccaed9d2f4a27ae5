from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttles import ScopedRateThrottle
from helpcenter import selectors


class ArticleSearchApi(APIView):
    """Search published help-centre articles; results in `lang` come first."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "search"

    class InputSerializer(serializers.Serializer):
        # Length is checked by the selector, which says so in words a person understands.
        q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        lang = serializers.CharField(required=False, allow_blank=True, max_length=20)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        url = serializers.CharField()
        snippet = serializers.CharField(help_text="HTML: escaped text, matches in <mark>.")
        score = serializers.FloatField()
        lang = serializers.CharField()

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="What to search for (at most 200 characters)."),
            OpenApiParameter("lang", str, enum=list(selectors.LANGUAGES)),
            OpenApiParameter("limit", int),
        ],
        responses={
            200: inline_serializer("ArticleSearchResults", {"results": OutputSerializer(many=True)})
        },
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = selectors.article_search(
            query=params.validated_data.get("q", ""),
            lang=params.validated_data.get("lang") or translation.get_language(),
            limit=params.validated_data["limit"],
        )
        results = [
            {
                **hit.__dict__,
                "url": reverse("helpcenter:article", args=[hit.slug]) + f"?lang={hit.lang}",
            }
            for hit in hits
        ]
        return Response({"results": self.OutputSerializer(results, many=True).data})
