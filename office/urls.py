from django.urls import path

from office import saleor_dashboard, views

app_name = "office"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<uuid:uid>/", views.dashboard, name="dashboard"),
    path("saleor-dashboard/session", saleor_dashboard.session, name="saleor_dashboard_session"),
    path("saleor-dashboard/<slug:page>/", saleor_dashboard.entry, name="saleor_dashboard"),
]
