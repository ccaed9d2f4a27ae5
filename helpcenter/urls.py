from django.urls import path

from helpcenter import analytics_views, views

app_name = "helpcenter"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/search/", views.search, name="search"),
    path("help/csrf-token", views.csrf_token, name="csrf-token"),
    path("help/search/go/<int:article_id>/", analytics_views.search_click, name="search-click"),
    path("help/categories/<slug:slug>/", views.category, name="category"),
    path("help/articles/<slug:slug>/", views.article, name="article"),
    path("help/articles/<slug:slug>/feedback", views.article_feedback, name="article-feedback"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/<int:announcement_id>/", views.announcement, name="announcement"),
    path("guide/", views.guide, name="guide"),
    path("glossary/", views.glossary, name="glossary"),
    path("contact/", views.contact, name="contact"),
    path("verify/", views.verify, name="verify"),
    path(
        "console/help/search-analytics/",
        analytics_views.search_analytics,
        name="search-analytics",
    ),
    path(
        "console/help/search-analytics/teach/",
        analytics_views.search_analytics_teach,
        name="search-analytics-teach",
    ),
    path(
        "console/help/search-analytics.csv",
        analytics_views.search_analytics_csv,
        name="search-analytics-csv",
    ),
]
