from django.urls import path
from django.views.i18n import set_language

from accounts.middleware import second_factor_exempt
from unit_onboarding import access_views, views

app_name = "unit_onboarding"

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", access_views.signup, name="signup"),
    path("signup/<str:token>/", access_views.signup_confirm, name="signup_confirm"),
    path("login/", access_views.login, name="login"),
    path("logout/", access_views.logout, name="logout"),
    path("invitations/<str:token>/", access_views.invitation, name="invitation"),
    path("security/", access_views.security, name="security"),
    path("security/two-factor/", access_views.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/verify/", access_views.two_factor_verify, name="two_factor_verify"),
    path("security/recovery-codes/", access_views.recovery_codes, name="recovery_codes"),
    path("security/password/", access_views.password_change, name="password_change"),
    path("access-log/", access_views.access_log, name="access_log"),
    path("language/", second_factor_exempt(set_language), name="set_language"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_open, name="document"),
    path("documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("documents/link/<str:token>/", views.document_blob, name="document_blob"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("units/<uuid:uid>/", views.unit_detail, name="unit"),
    path("units/<uuid:uid>/profile/", views.unit_profile, name="profile"),
    path("units/<uuid:uid>/members/", access_views.members, name="members"),
    path("units/<uuid:uid>/members/<int:pk>/remove/", access_views.member_remove, name="member_remove"),
    path(
        "units/<uuid:uid>/members/<int:pk>/grant-finance/",
        access_views.member_grant_finance,
        name="member_grant_finance",
    ),
    path(
        "units/<uuid:uid>/invitations/<int:pk>/revoke/",
        access_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "units/<uuid:uid>/invitations/<int:pk>/endorse/",
        access_views.invitation_endorse,
        name="invitation_endorse",
    ),
    path("units/<uuid:uid>/agreement/", views.unit_agreement, name="agreement"),
    path(
        "units/<uuid:uid>/agreement/versions/<int:pk>/withdraw/",
        views.agreement_version_withdraw,
        name="agreement_withdraw",
    ),
    path("units/<uuid:uid>/payout/", views.unit_payout_details, name="payout"),
    path(
        "units/<uuid:uid>/payee-changes/<int:pk>/withdraw/",
        views.payee_change_withdraw,
        name="payee_change_withdraw",
    ),
    path("units/<uuid:uid>/designers/", views.unit_designers, name="designers"),
    path("units/<uuid:uid>/designers/<slug:slug>/", views.unit_designer, name="designer"),
    path(
        "units/<uuid:uid>/designers/<slug:slug>/claim/", views.designer_claim_send, name="designer_claim_send"
    ),
    path("designers/claim/<str:token>/", access_views.designer_claim, name="designer_claim"),
    path("units/<uuid:uid>/provision/", views.unit_provision_retry, name="provision_retry"),
]
