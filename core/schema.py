"""OpenAPI component names that stay unique with the nested serializers STYLE.md asks for."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.serializers import Serializer


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: Serializer, direction: str) -> str:
        """`TicketCreateApi.InputSerializer` becomes the component `TicketCreateApiInput`.

        Every API nests its own `InputSerializer`/`OutputSerializer`: named by the class
        alone they would all be `Input`/`Output`, and drf-spectacular would put different
        bodies under one name (its W001, which `check --deploy` reports).
        """
        qualname = type(serializer).__qualname__
        if "<locals>" in qualname:  # a class made inside a function: its own name is all we have
            return super().get_serializer_name(serializer, direction)
        return qualname.replace(".", "")
