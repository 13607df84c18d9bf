from django.contrib.auth import views as auth_views
from django.urls import path

from custos.accounts import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("two-factor/", views.second_factor, name="two_factor"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("schools/<int:school_id>/roles/", views.school_roles, name="school_roles"),
    path("schools/<int:school_id>/staff/", views.staff_directory, name="staff_directory"),
    path("schools/<int:school_id>/pupils/", views.roster, name="roster"),
    path("schools/<int:school_id>/pupils/import/", views.roster_import, name="roster_import"),
    path("schools/<int:school_id>/pupils/<int:pupil_id>/reopen/", views.reopen_pupil_account, name="pupil_reopen"),
]
