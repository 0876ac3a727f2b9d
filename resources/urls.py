"""Back office of the library (a unit's operators), mounted at /resources/."""

from django.urls import path

from resources import call_views, designer_views, views

app_name = "resources"
urlpatterns = [
    path("units/<uuid:uid>/objects/", views.objects, name="objects"),
    path("units/<uuid:uid>/objects/<int:pk>/", views.object_edit, name="object"),
    path("units/<uuid:uid>/objects/<int:pk>/publish/", views.object_publish, name="object_publish"),
    path("units/<uuid:uid>/objects/<int:pk>/image/", views.object_image, name="object_image"),
    path("units/<uuid:uid>/licence-requests/", views.licence_requests, name="licence_requests"),
    path("units/<uuid:uid>/licence-requests/<int:pk>/", views.licence_request, name="licence_request"),
    # Design calls (征集): the unit's operators and finance members.
    path("units/<uuid:uid>/calls/", call_views.unit_calls, name="calls"),
    path("units/<uuid:uid>/calls/new/", call_views.call_new, name="call_new"),
    path("units/<uuid:uid>/calls/<int:pk>/", call_views.call, name="call"),
    path("units/<uuid:uid>/calls/<int:pk>/edit/", call_views.call_edit, name="call_edit"),
    path("units/<uuid:uid>/calls/<int:pk>/shortlist/", call_views.call_shortlist, name="call_shortlist"),
    path("units/<uuid:uid>/calls/<int:pk>/select/", call_views.call_select, name="call_select"),
    path("units/<uuid:uid>/calls/<int:pk>/decide/", call_views.call_decide, name="call_decide"),
    path("units/<uuid:uid>/calls/<int:pk>/withdraw/", call_views.call_withdraw, name="call_withdraw"),
    path("calls/<int:pk>/propose/", call_views.proposal_new, name="proposal_new"),
    path("me/calls/", call_views.me_calls, name="me_calls"),
    path("me/proposals/<int:pk>/", call_views.me_proposal, name="me_proposal"),
    path("me/proposals/<int:pk>/withdraw/", call_views.me_proposal_withdraw, name="me_proposal_withdraw"),
    path("me/statement/", call_views.me_statement, name="me_statement"),
    # The designer's own pages: everything through the signed-in account.
    path("me/", designer_views.me, name="me"),
    path("me/profile/", designer_views.me_profile, name="me_profile"),
    path("me/portfolio/", designer_views.me_portfolio, name="me_portfolio"),
    path("me/requests/<int:pk>/withdraw/", designer_views.me_request_withdraw, name="me_request_withdraw"),
    path("objects/<int:pk>/licence-request/", designer_views.licence_request_new, name="licence_request_new"),
]
