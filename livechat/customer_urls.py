"""The customer's chat pages and actions beside the socket, mounted under /chat/."""

from __future__ import annotations

from django.urls import path

from livechat import customer_views as views

app_name = "livechat_customer"

urlpatterns = [
    path("<uuid:public_id>/", views.chat_page, name="page"),
    path("<uuid:public_id>/options", views.chat_options, name="options"),
    path("<uuid:public_id>/leave-message", views.chat_leave_message, name="leave-message"),
    path("<uuid:public_id>/transcript/email", views.chat_transcript_email, name="transcript-email"),
    path("<uuid:public_id>/complaint", views.chat_complaint, name="complaint"),
]
