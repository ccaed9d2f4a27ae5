"""The agent's chat console, mounted at /console/chats/ in config/urls.py."""

from django.urls import path

from livechat import console_views

app_name = "chat_console"

urlpatterns = [
    path("", console_views.chat_console, name="home"),
    path("<uuid:public_id>/context", console_views.chat_context, name="context"),
]
