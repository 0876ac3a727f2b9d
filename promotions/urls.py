from django.urls import path

from promotions import views

app_name = "promotions"

urlpatterns = [
    path("units/<uuid:uid>/", views.unit_promotions, name="unit_promotions"),
    path("units/<uuid:uid>/new/", views.promotion_new, name="promotion_new"),
    path("units/<uuid:uid>/<uuid:promotion>/decide/", views.promotion_decide, name="promotion_decide"),
]
