from django.urls import path

from . import subscriptions

app_name = "subscriptions"
urlpatterns = [
    path("", subscriptions.subscribe, name="subscribe"),
    path("sent/", subscriptions.sent, name="sent"),
    path("confirm/<str:token>/", subscriptions.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", subscriptions.preferences, name="preferences"),
]
