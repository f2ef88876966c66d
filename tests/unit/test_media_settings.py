"""Where photos are kept is configuration: a bucket when one is named (MinIO, S3, OSS, COS),
else the local directory; malformed storage settings stop the service at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.s3 import S3Storage
from integrations.storage import LocalStorage, media_secret
from service.services import storage_for
from service.settings import UnsafeConfiguration, load_settings


def test_without_a_bucket_photos_go_to_the_local_directory():
    settings = load_settings({"BILIN_ENV": "test", "BILIN_MEDIA_DIR": "/srv/photos",
                              "BILIN_PUBLIC_URL": "https://api.example.cn/"})
    settings.check()
    storage = storage_for(settings)
    assert isinstance(storage, LocalStorage) and storage.root == Path("/srv/photos")
    assert storage.secret == media_secret(settings.data_key_bytes) != settings.data_key_bytes
    assert storage.signed_url("media/med_x", 7200).startswith("https://api.example.cn/v1/media/med_x/content?")


def test_a_bucket_selects_s3_and_urls_name_the_public_endpoint():
    settings = load_settings({"BILIN_ENV": "test", "BILIN_S3_BUCKET": "bilin-media",
                              "BILIN_S3_ENDPOINT": "http://minio:9000",
                              "BILIN_S3_PUBLIC_ENDPOINT": "https://photos.example.cn",
                              "BILIN_S3_ACCESS_KEY": "bilin-service", "BILIN_S3_SECRET_KEY": "s3cret-s3cret"})
    settings.check()
    storage = storage_for(settings)
    assert isinstance(storage, S3Storage)
    url = storage.signed_url("media/med_x", 2 * 3600 + 1_764_000_000)
    assert url.startswith("https://photos.example.cn/bilin-media/media/med_x?X-Amz-Algorithm=AWS4-HMAC-SHA256")
    assert "X-Amz-Expires=7200" in url and "X-Amz-Date=20251124T160000Z" in url
    assert url == storage.signed_url("media/med_x", 2 * 3600 + 1_764_000_000)  # the same all hour


@pytest.mark.parametrize("environment,message", [
    ({"BILIN_S3_ACCESS_KEY": "only-half"}, "go together"),
    ({"BILIN_S3_ENDPOINT": "minio:9000"}, "BILIN_S3_ENDPOINT"),
    ({"BILIN_PUBLIC_URL": "api.example.cn"}, "BILIN_PUBLIC_URL"),
])
def test_malformed_storage_settings_stop_the_service(environment, message):
    with pytest.raises(UnsafeConfiguration, match=message):
        load_settings({"BILIN_ENV": "test", **environment}).check()
