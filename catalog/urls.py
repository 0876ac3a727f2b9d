from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<uuid:uid>/", views.review, name="review"),
    path("units/<uuid:uid>/listings/", views.unit_listings, name="listings"),
    path("units/<uuid:uid>/listings/new/", views.listing_new, name="listing_new"),
    path("units/<uuid:uid>/listings/import/", views.listings_import, name="listings_import"),
    path("units/<uuid:uid>/listings/import/<uuid:job>/", views.listing_import, name="listing_import"),
    path(
        "units/<uuid:uid>/listings/import/<uuid:job>/retry",
        views.listing_import_retry,
        name="listing_import_retry",
    ),
    path(
        "units/<uuid:uid>/listings/import/<uuid:job>/progress",
        views.listing_import_progress,
        name="listing_import_progress",
    ),
    path(
        "units/<uuid:uid>/listings/import/<uuid:job>/sync-progress",
        views.listing_import_sync_progress,
        name="listing_import_sync_progress",
    ),
    path("units/<uuid:uid>/objects/", views.collection_objects, name="objects"),
    path("units/<uuid:uid>/objects/<int:pk>/", views.collection_object, name="object"),
    path("units/<uuid:uid>/licences/", views.licences, name="licences"),
    path("units/<uuid:uid>/royalties/", views.unit_royalties, name="royalties"),
    path("listings/<uuid:uid>/", views.listing_detail, name="listing"),
    path("listings/<uuid:uid>/edit/", views.listing_edit, name="listing_edit"),
    path("listings/<uuid:uid>/images/", views.listing_image_upload, name="listing_image_upload"),
    path(
        "listings/<uuid:uid>/images/<int:pk>/remove/", views.listing_image_remove, name="listing_image_remove"
    ),
    path("listings/<uuid:uid>/submit/", views.listing_submit, name="listing_submit"),
    path("listings/<uuid:uid>/publish/", views.listing_publish, name="listing_publish"),
    path("listings/<uuid:uid>/archive/", views.listing_archive, name="listing_archive"),
    path("listings/<uuid:uid>/divergence/", views.listing_divergence, name="listing_divergence"),
    path("listings/<uuid:uid>/royalty/", views.listing_royalty, name="listing_royalty"),
]
