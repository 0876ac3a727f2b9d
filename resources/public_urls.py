"""The public library (under i18n_patterns: Chinese at /library/, English at /en/library/)."""

from django.urls import path

from resources import call_views, public_views

app_name = "library"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("objects/<int:pk>/", public_views.object_detail, name="object"),
    path("calls/", call_views.public_calls, name="calls"),
    path("calls/<int:pk>/", call_views.public_call, name="call"),
]
