"""The agent's chat console, mounted at /console/chats/ in config/urls.py."""

from django.urls import path

from livechat import console_macro_views, console_profile_views, console_queue_views, console_views

app_name = "chat_console"

urlpatterns = [
    path("", console_views.chat_console, name="home"),
    path("<uuid:public_id>/context", console_views.chat_context, name="context"),
    path("<uuid:public_id>/macros/<int:macro_id>", console_macro_views.chat_macro, name="macro"),
    path("waiting", console_queue_views.waiting, name="waiting"),
    path("<uuid:public_id>/take", console_queue_views.take, name="take"),
    path("<uuid:public_id>/assign", console_queue_views.assign, name="assign"),
    path("profile", console_profile_views.own_profile, name="profile"),
    path("agents/", console_profile_views.agent_roster, name="agents"),
    path(
        "agents/<int:agent_id>/profile", console_profile_views.agent_profile, name="agent-profile"
    ),
]
