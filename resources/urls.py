"""Back office of the library (a unit's operators), mounted at /resources/."""

from django.urls import path

from resources import designer_views, views

app_name = "resources"
urlpatterns = [
    path("units/<uuid:uid>/objects/", views.objects, name="objects"),
    path("units/<uuid:uid>/objects/<int:pk>/", views.object_edit, name="object"),
    path("units/<uuid:uid>/objects/<int:pk>/publish/", views.object_publish, name="object_publish"),
    path("units/<uuid:uid>/objects/<int:pk>/image/", views.object_image, name="object_image"),
    path("units/<uuid:uid>/licence-requests/", views.licence_requests, name="licence_requests"),
    path("units/<uuid:uid>/licence-requests/<int:pk>/", views.licence_request, name="licence_request"),
    # The designer's own pages: everything through the signed-in account.
    path("me/", designer_views.me, name="me"),
    path("me/profile/", designer_views.me_profile, name="me_profile"),
    path("me/portfolio/", designer_views.me_portfolio, name="me_portfolio"),
    path("me/requests/<int:pk>/withdraw/", designer_views.me_request_withdraw, name="me_request_withdraw"),
    path("objects/<int:pk>/licence-request/", designer_views.licence_request_new, name="licence_request_new"),
]
