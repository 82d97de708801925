from django.urls import path

from . import account_views, chat_views, oidc, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    # accounts
    path("signup/", account_views.signup, name="signup"),
    path("signup/sent/", account_views.signup_sent, name="signup-sent"),
    path("signup/confirm/<str:token>/", account_views.signup_confirm, name="signup-confirm"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("password/reset/", account_views.password_reset, name="password-reset"),
    path("password/reset/sent/", account_views.password_reset_done, name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        account_views.password_reset_complete,
        name="password-reset-complete",
    ),
    path("oidc/authenticate/", oidc.FranceConnectRequestView.as_view(), name="oidc-authenticate"),
    path("oidc/callback/", oidc.FranceConnectCallbackView.as_view(), name="oidc-callback"),
    # requests
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/new/sent/", views.request_sent, name="request-sent"),
    path("requests/confirm/<str:token>/", views.request_confirm, name="request-confirm"),
    path("requests/<str:reference>/", views.request_detail, name="request"),
    path(
        "requests/<str:reference>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    # my data and preferences
    path("my-data/", views.my_data, name="my-data"),
    path("my-data/correction/<int:fact_id>/", views.correction, name="correction"),
    path("preferences/", views.preferences, name="preferences"),
    # chat
    path("chat/", chat_views.chat_page, name="chat"),
    path("chat/panel/", chat_views.chat_panel, name="chat-panel"),
    path("chat/messages/", chat_views.chat_messages, name="chat-messages"),
    path("chat/send/", chat_views.chat_send, name="chat-send"),
]
