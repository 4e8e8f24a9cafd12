"""URLs of the analysts' pages, and the public verdict pages (no sign-in) under verdicts/."""

from django.urls import path

from claims import public_views, views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/verdict/", views.claim_set_verdict, name="claim_set_verdict"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/merge/", views.claim_merge, name="claim_merge"),
    path("claims/<int:pk>/evidence/", views.claim_add_evidence, name="claim_add_evidence"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/undo/", views.review_undo, name="review_undo"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("parties/", views.party_list, name="party_list"),
    path("parties/<slug:slug>/", views.party_detail, name="party_detail"),
    path("verdicts/", public_views.public_claim_list, name="public_claim_list"),
    path("verdicts/<int:pk>/", public_views.public_claim_detail, name="public_claim_detail"),
]
