from __future__ import annotations

from django.urls import path

from livechat import views

app_name = "livechat"

urlpatterns = [
    path("start", views.chat_start, name="start"),
    path("<uuid:public_id>/messages", views.chat_messages, name="messages"),
    path("<uuid:public_id>/transcript", views.chat_transcript, name="transcript"),
]
