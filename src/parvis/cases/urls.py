from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("chats/", views.chats, name="chats"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("people/<int:person_id>/<str:kind>/", views.log_contact, name="log-contact"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/reply/", views.reply, name="reply"),
    path("<int:case_id>/reply/template/", views.template_preview, name="template"),
    path("<int:case_id>/status/", views.change_status, name="status"),
    path("<int:case_id>/assign/", views.assign, name="assign"),
    path("<int:case_id>/take/", views.take, name="take"),
    path("<int:case_id>/priority/", views.priority, name="priority"),
    path("<int:case_id>/tags/", views.tags, name="tags"),
    path("<int:case_id>/note/", views.note, name="note"),
    path("<int:case_id>/merge/", views.merge, name="merge"),
    path("<int:case_id>/identify/", views.identify, name="identify"),
    path("<int:case_id>/identify/search/", views.person_search, name="person-search"),
    path("<int:case_id>/identify/create/", views.create_person, name="create-person"),
    path("<int:case_id>/chat/messages/", views.chat_messages, name="chat-messages"),
    path("<int:case_id>/chat/send/", views.chat_send, name="chat-send"),
]
