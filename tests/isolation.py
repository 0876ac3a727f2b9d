"""Isolation between units: what a sweep over an app's routes asserts for each route of another unit."""

from __future__ import annotations


def assert_refused(client, path: str, hostile_post: dict) -> None:
    """Reading another unit's page is refused (403 or 404; 405 for a view that only takes POST), and so is
    a POST carrying every field a form of the app could take."""
    got = client.get(path)
    posted = client.post(path, hostile_post)
    assert got.status_code in {403, 404, 405}, (path, got.status_code)
    assert posted.status_code in {403, 404}, (path, posted.status_code)
