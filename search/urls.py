from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.platform_synonyms, name="platform_synonyms"),
    path("units/<uuid:uid>/", views.unit_synonyms, name="unit_synonyms"),
    path("<int:pk>/delete/", views.synonym_delete, name="synonym_delete"),
]
