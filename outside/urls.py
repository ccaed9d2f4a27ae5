from django.urls import path

from outside import views

app_name = "outside"

urlpatterns = [
    path("outside/<str:platform>/webhook", views.webhook, name="webhook"),
    path("account/linked-channels/", views.linked_channels, name="linked-channels"),
]
