"""Storefront routes (mounted under i18n_patterns: Chinese at /, English under /en/)."""

from django.urls import path

from storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:unit_id>/", views.unit_shop, name="unit"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggest, name="search_suggest"),
    path("products/<slug:slug>/", views.product, name="product"),
    path("campaigns/<uuid:uid>/", views.campaign, name="campaign"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/delivery/", views.checkout_delivery, name="checkout_delivery"),
    path("checkout/pay/", views.pay, name="pay"),
    path("checkout/paid/", views.checkout_paid, name="checkout_paid"),
    path("orders/<str:token>/", views.order, name="order"),
    path(
        "orders/<str:token>/backings/<uuid:campaign>/refund",
        views.order_backing_refund,
        name="order_backing_refund",
    ),
    path("account/", views.account, name="account"),
    path("account/login/", views.login, name="login"),
    path("account/logout/", views.logout, name="logout"),
    path("account/register/", views.register, name="register"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
