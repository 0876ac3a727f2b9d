"""A unit's operators publish their own objects in the library; another unit's objects are a 404."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import CollectionObject, ImageAsset
from catalog.provenance import collection_object_save
from resources.models import PublishedObject
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db

DESCRIPTION = {
    "title_en": "Bronze mirror with four spirits",
    "era": "汉代",
    "material": "青铜",
    "dimensions": "直径 18.5 厘米",
    "story_zh": "四神纹铜镜，出土于重庆。",
    "story_en": "A mirror with the four spirits, found in Chongqing.",
    "public_domain": "on",
    "category": "bronze",
}


@pytest.fixture
def museum():
    unit = active_unit("三峡博物馆")
    obj = collection_object_save(unit=unit, data={"title_zh": "四神纹铜镜", "accession_number": "M-001"})
    return unit, operator_of(unit), obj


def test_operator_describes_and_publishes_an_object_and_who_and_when_are_kept(client, museum, time_machine):
    unit, operator, obj = museum
    time_machine.move_to(datetime(2026, 12, 3, 8, tzinfo=UTC), tick=False)
    client.force_login(operator)
    page = client.get(reverse("resources:objects", kwargs={"uid": unit.uid}))
    assert page.status_code == 200 and "M-001" in page.content.decode() and "未发布" in page.content.decode()

    url = reverse("resources:object", kwargs={"uid": unit.uid, "pk": obj.pk})
    saved = client.post(url, DESCRIPTION)
    assert saved.status_code == 302
    obj.refresh_from_db()
    assert (obj.era, obj.material, obj.title_en, obj.public_domain) == (
        "汉代",
        "青铜",
        "Bronze mirror with four spirits",
        True,
    )
    publication = PublishedObject.objects.get(object=obj)
    assert publication.category == "bronze" and not publication.published

    client.post(
        reverse("resources:object_publish", kwargs={"uid": unit.uid, "pk": obj.pk}), {"published": "1"}
    )
    publication.refresh_from_db()
    assert publication.published and publication.published_by == operator
    assert publication.published_at == datetime(2026, 12, 3, 8, tzinfo=UTC)
    assert publication.rights == "public_domain"

    client.post(
        reverse("resources:object_publish", kwargs={"uid": unit.uid, "pk": obj.pk}), {"published": "0"}
    )
    publication.refresh_from_db()
    assert not publication.published and publication.unpublished_by == operator
    assert publication.published_by == operator  # the earlier decision is still on record


def test_an_object_cannot_be_published_before_it_is_described(client, museum):
    unit, operator, obj = museum
    client.force_login(operator)
    response = client.post(
        reverse("resources:object_publish", kwargs={"uid": unit.uid, "pk": obj.pk}),
        {"published": "1"},
        follow=True,
    )
    assert "保存后再发布" in response.content.decode()
    assert not PublishedObject.objects.filter(object=obj).exists()


def test_another_units_operator_gets_404_on_every_page_and_changes_nothing(client, museum):
    unit, _operator, obj = museum
    other = active_unit("重庆图书馆")
    client.force_login(operator_of(other))
    kwargs = {"uid": unit.uid, "pk": obj.pk}
    assert client.get(reverse("resources:objects", kwargs={"uid": unit.uid})).status_code == 404
    assert client.get(reverse("resources:object", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("resources:object", kwargs=kwargs), DESCRIPTION).status_code == 404
    assert (
        client.post(reverse("resources:object_publish", kwargs=kwargs), {"published": "1"}).status_code == 404
    )
    assert client.post(reverse("resources:object_image", kwargs=kwargs)).status_code == 404
    # Nor through its own unit's URL: the object is looked up within the unit.
    own = {"uid": other.uid, "pk": obj.pk}
    assert client.get(reverse("resources:object", kwargs=own)).status_code == 404
    assert client.post(reverse("resources:object_publish", kwargs=own), {"published": "1"}).status_code == 404
    obj.refresh_from_db()
    assert obj.era == "" and not PublishedObject.objects.filter(object=obj).exists()


def test_the_uploaded_picture_becomes_the_objects_image_through_the_pipeline(client, museum):
    unit, operator, obj = museum
    client.force_login(operator)
    data = make.encoded(make.quadrants(900, 600), "JPEG", quality=80)
    upload = SimpleUploadedFile("mirror.jpg", data, content_type="image/jpeg")
    response = client.post(
        reverse("resources:object_image", kwargs={"uid": unit.uid, "pk": obj.pk}), {"image": upload}
    )
    assert response.status_code == 302
    obj = CollectionObject.objects.get(pk=obj.pk)
    assert obj.image is not None and obj.image.owner_key == f"unit:{unit.pk}"
    assert obj.image.status in (ImageAsset.Status.PENDING, ImageAsset.Status.READY)


def test_a_file_that_is_not_an_image_is_refused_with_a_message(client, museum):
    unit, operator, obj = museum
    client.force_login(operator)
    upload = SimpleUploadedFile("mirror.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(
        reverse("resources:object_image", kwargs={"uid": unit.uid, "pk": obj.pk}),
        {"image": upload},
        follow=True,
    )
    assert response.status_code == 200
    assert CollectionObject.objects.get(pk=obj.pk).image is None
    assert 'class="messages"' in response.content.decode()
