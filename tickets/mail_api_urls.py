from django.urls import path

from tickets.mail.webhook import InboundMailApi

app_name = "mail-api"

urlpatterns = [
    path("inbound", InboundMailApi.as_view(), name="inbound"),
]
