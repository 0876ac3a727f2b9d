from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.i18n import set_language

from unit_onboarding import views

app_name = "unit_onboarding"

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(template_name="unit_onboarding/login.html"), name="login"),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("unit_onboarding:login")),
        name="logout",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="unit_onboarding/set_password.html",
            success_url=reverse_lazy("unit_onboarding:login"),
        ),
        name="set_password",
    ),
    path("language/", set_language, name="set_language"),
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
    path("units/<uuid:uid>/members/", views.unit_members, name="members"),
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
    path("units/<uuid:uid>/provision/", views.unit_provision_retry, name="provision_retry"),
]
