from django.urls import path

from promotions import views

app_name = "promotions"

urlpatterns = [
    path("units/<uuid:uid>/", views.unit_promotions, name="unit_promotions"),
    path("units/<uuid:uid>/new/", views.promotion_new, name="promotion_new"),
    path("units/<uuid:uid>/<uuid:promotion>/decide/", views.promotion_decide, name="promotion_decide"),
    path("units/<uuid:uid>/campaigns/", views.unit_campaigns, name="unit_campaigns"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<uuid:platform_campaign>/", views.campaign_page, name="campaign_page"),
    path("campaigns/<uuid:platform_campaign>/decide/", views.campaign_decide, name="campaign_decide"),
    path("campaigns/<uuid:platform_campaign>/funding/", views.campaign_funding, name="campaign_funding"),
]
