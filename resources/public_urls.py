"""The public library (under i18n_patterns: Chinese at /library/, English at /en/library/)."""

from django.urls import path

from resources import public_views

app_name = "library"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("objects/<int:pk>/", public_views.object_detail, name="object"),
]
