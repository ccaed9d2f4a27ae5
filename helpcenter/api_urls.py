from django.urls import path

from helpcenter import apis

app_name = "helpcenter-api"

urlpatterns = [
    path("search", apis.ArticleSearchApi.as_view(), name="search"),
]
