from django.urls import path

from tickets.views import console, customer, mail, reports, sender

app_name = "tickets"

urlpatterns = [
    # customers
    path("requests/", customer.request_list, name="list"),
    path("requests/new/", customer.request_new, name="new"),
    path("requests/new/suggest", customer.request_suggest, name="suggest"),
    path("requests/created/<ticket:number>/", customer.request_created, name="created"),
    path("requests/<ticket:number>/", customer.request_detail, name="detail"),
    path("requests/<ticket:number>/reply", customer.request_reply, name="reply"),
    path("requests/<ticket:number>/status", customer.request_status, name="status"),
    path("requests/<ticket:number>/rate", customer.request_rate, name="rate"),
    path("requests/<ticket:number>/complain", customer.request_complain, name="complain"),
    path("rate/<signed:token>/", customer.request_rate_signed, name="rate-signed"),
    path("requests/confirm/<signed:token>/", sender.request_sender_confirm, name="sender-confirm"),
    path("attachments/<int:attachment_id>/", customer.attachment_download, name="attachment"),
    # agents and supervisors
    path("console/", console.queue, name="console"),
    path("console/queues", console.queue_nav, name="console-queues"),
    path("console/inbox/", console.inbox, name="console-inbox"),
    path("console/tickets/<ticket:number>/", console.ticket, name="console-ticket"),
    path("console/tickets/<ticket:number>/reply", console.ticket_reply, name="console-reply"),
    path("console/tickets/<ticket:number>/assign", console.ticket_assign, name="console-assign"),
    path("console/tickets/<ticket:number>/status", console.ticket_status, name="console-status"),
    path(
        "console/tickets/<ticket:number>/priority", console.ticket_priority, name="console-priority"
    ),
    path(
        "console/tickets/<ticket:number>/outcome", console.complaint_outcome, name="console-outcome"
    ),
    path("console/tickets/<ticket:number>/tags", console.ticket_tags, name="console-tags"),
    path("console/tickets/<ticket:number>/merge", console.ticket_merge, name="console-merge"),
    path("console/tickets/<ticket:number>/follow", console.ticket_follow, name="console-follow"),
    path(
        "console/tickets/<ticket:number>/unfollow", console.ticket_unfollow, name="console-unfollow"
    ),
    path("console/tickets/<ticket:number>/split", console.ticket_split, name="console-split"),
    path("console/bulk", console.bulk, name="console-bulk"),
    path("console/emails/", mail.email_list, name="console-emails"),
    path("console/emails/<int:email_id>/", mail.email_detail, name="console-email"),
    path("console/emails/<int:email_id>/raw", mail.email_raw, name="console-email-raw"),
    path("console/reports/", reports.dashboard, name="reports"),
    path("console/reports/tickets.csv", reports.export_csv, name="reports-csv"),
]
