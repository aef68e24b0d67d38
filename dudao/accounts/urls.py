from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    path("", views.home, name="home"),
    path("accounts/password/", views.own_password, name="own_password"),
    path("accounts/password/tokens/revoke/", views.own_tokens_revoke, name="own_tokens_revoke"),
    path("accounts/access-log/", views.AccessLogList.as_view(), name="access_log"),
    path("accounts/users/", views.UserList.as_view(), name="user_list"),
    path("accounts/users/new/", views.user_create, name="user_create"),
    path("accounts/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("accounts/users/<int:pk>/roles/", views.user_grant, name="user_grant"),
    path("accounts/users/<int:pk>/roles/<int:assignment_pk>/revoke/", views.user_revoke, name="user_revoke"),
    path("accounts/users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("accounts/users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("accounts/users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
]
