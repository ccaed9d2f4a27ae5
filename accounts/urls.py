from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language", views.language_set, name="language-set"),
    path("preferences/", views.preferences, name="preferences"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read", views.notification_mark_read, name="notifications-read"),
]
