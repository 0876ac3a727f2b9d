from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("units/<uuid:uid>/orders/", views.order_list, name="list"),
    path("units/<uuid:uid>/orders/ship/", views.orders_ship, name="ship"),
    path("units/<uuid:uid>/orders/<int:pk>/", views.order_detail, name="detail"),
    path("units/<uuid:uid>/orders/<int:pk>/packing-slip/", views.packing_slip, name="packing_slip"),
    path("units/<uuid:uid>/orders/<int:pk>/fulfil/", views.order_fulfil, name="fulfil"),
]
