"""The agent check, mounted at /chat/ in config/urls.py."""

from django.urls import path

from livechat.verify_views import verify_agent

app_name = "chat_verify"

urlpatterns = [path("verify-agent", verify_agent, name="agent")]
