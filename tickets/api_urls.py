from django.urls import path

from tickets import apis

app_name = "tickets-api"

urlpatterns = [
    path("", apis.TicketListApi.as_view(), name="list"),
    path("create", apis.TicketCreateApi.as_view(), name="create"),
    path("<ticket:number>", apis.TicketDetailApi.as_view(), name="detail"),
    path("<ticket:number>/reply", apis.TicketReplyApi.as_view(), name="reply"),
    path("<ticket:number>/status", apis.TicketStatusApi.as_view(), name="status"),
]
