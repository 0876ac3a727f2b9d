from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("units/<uuid:uid>/orders/", views.order_list, name="list"),
    path("units/<uuid:uid>/orders/ship/", views.orders_ship, name="ship"),
    path("units/<uuid:uid>/orders/<int:pk>/", views.order_detail, name="detail"),
    path("units/<uuid:uid>/orders/<int:pk>/packing-slip/", views.packing_slip, name="packing_slip"),
    path("units/<uuid:uid>/orders/<int:pk>/fulfil/", views.order_fulfil, name="fulfil"),
    path("units/<uuid:uid>/orders/<int:pk>/refund/", views.parcel_refund_request, name="refund_request"),
    path("units/<uuid:uid>/refunds/", views.parcel_refund_list, name="refunds"),
    path(
        "units/<uuid:uid>/refunds/<int:refund_id>/<str:decision>/",
        views.parcel_refund_decide,
        name="refund_decide",
    ),
]
