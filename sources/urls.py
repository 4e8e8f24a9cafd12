"""URLs of the articles and sources pages."""

from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/feeds/add/", views.feed_add, name="feed_add"),
    path("sources/feeds/<int:pk>/pause/", views.feed_pause, name="feed_pause"),
    path("sources/feeds/<int:pk>/poll/", views.feed_poll, name="feed_poll"),
    path("sources/submit/urls/", views.submit_urls, name="submit_urls"),
    path("sources/submit/text/", views.submit_text, name="submit_text"),
    path("sources/runs/", views.run_list, name="run_list"),
    path("sources/runs/<int:pk>/", views.run_detail, name="run_detail"),
]
