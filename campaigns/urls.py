from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<uuid:campaign>/", views.review, name="review"),
    path("units/<uuid:uid>/", views.unit_campaigns, name="unit_campaigns"),
    path("units/<uuid:uid>/new/", views.campaign_new, name="campaign_new"),
    path("c/<uuid:campaign>/", views.campaign, name="campaign"),
    path("c/<uuid:campaign>/submit/", views.campaign_submit, name="campaign_submit"),
    path("c/<uuid:campaign>/updates/", views.campaign_update_post, name="campaign_update_post"),
    path("c/<uuid:campaign>/cancel/", views.campaign_cancel_request, name="campaign_cancel_request"),
    path(
        "c/<uuid:campaign>/backer-refunds/<int:pk>/", views.backer_refund_decide, name="backer_refund_decide"
    ),
    path("cancellations/", views.cancellations, name="cancellations"),
    path("finance/refunds/", views.finance_refunds, name="finance_refunds"),
    path("finance/refunds/<int:pk>/retry", views.finance_refund_retry, name="finance_refund_retry"),
    path("cancellations/<int:pk>/", views.cancellation, name="cancellation"),
]
