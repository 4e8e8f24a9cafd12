"""URLs of the articles and sources pages."""

from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
]
