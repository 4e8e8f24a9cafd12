"""URLs of the analysts' pages, and the public verdict pages (no sign-in) under verdicts/."""

from django.urls import path

from claims import proposal_views, public_views, teamwork_views, views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/verdict/", views.claim_set_verdict, name="claim_set_verdict"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/merge/", views.claim_merge, name="claim_merge"),
    path("claims/<int:pk>/evidence/", views.claim_add_evidence, name="claim_add_evidence"),
    path("claims/<int:pk>/assign/", teamwork_views.claim_assign, name="claim_assign"),
    path("claims/<int:pk>/notes/", teamwork_views.claim_note_add, name="claim_note_add"),
    path("claims/<int:pk>/watch/", teamwork_views.claim_watch, name="claim_watch"),
    path("notifications/", teamwork_views.notification_list, name="notification_list"),
    path("notifications/read/", teamwork_views.notification_mark_read, name="notification_mark_read"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/undo/", views.review_undo, name="review_undo"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("review/parties/", proposal_views.party_proposal_list, name="party_proposal_list"),
    path("review/parties/<int:pk>/", proposal_views.party_proposal_decide, name="party_proposal_decide"),
    path("review/parties/<int:pk>/candidates/", proposal_views.party_proposal_candidates,
         name="party_proposal_candidates"),
    path("review/claims/", proposal_views.claim_proposal_list, name="claim_proposal_list"),
    path("review/claims/<int:pk>/", proposal_views.claim_proposal_decide, name="claim_proposal_decide"),
    path("review/claims/<int:pk>/candidates/", proposal_views.claim_proposal_candidates,
         name="claim_proposal_candidates"),
    path("parties/", views.party_list, name="party_list"),
    path("parties/suggest/", views.party_suggest, name="party_suggest"),
    path("parties/<slug:slug>/", views.party_detail, name="party_detail"),
    path("parties/<slug:slug>/watch/", teamwork_views.party_watch, name="party_watch"),
    path("verdicts/", public_views.public_claim_list, name="public_claim_list"),
    path("verdicts/<int:pk>/", public_views.public_claim_detail, name="public_claim_detail"),
]
