"""Back office of the library (a unit's operators), mounted at /resources/."""

from django.urls import path

from resources import views

app_name = "resources"
urlpatterns = [
    path("units/<uuid:uid>/objects/", views.objects, name="objects"),
    path("units/<uuid:uid>/objects/<int:pk>/", views.object_edit, name="object"),
    path("units/<uuid:uid>/objects/<int:pk>/publish/", views.object_publish, name="object_publish"),
    path("units/<uuid:uid>/objects/<int:pk>/image/", views.object_image, name="object_image"),
]
