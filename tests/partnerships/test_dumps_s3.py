"""Dated dumps in S3-compatible object storage (moto's server mode, as for the certificates):
written, listed, served and pruned through the storage API alone; nothing lands on disk.

Marked ``services``: run by ``.ci/run`` with ``-m services``.
"""

import datetime
import hashlib
import os
from unittest import mock

import pytest
from django.test import override_settings

from partnerships import dumps
from tests.partnerships.test_certificates_s3 import s3_server
from tests.partnerships.test_dumps import DAY, DumpTestCase, read_dump

pytestmark = pytest.mark.services

BUCKET = "rejestr-zrzuty-test"


class DumpsInObjectStorageTests(DumpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.enterClassContext(s3_server())
        cls.enterClassContext(
            mock.patch.dict(
                os.environ,
                {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"},
            )
        )
        import boto3

        cls.s3 = boto3.client("s3", endpoint_url=cls.endpoint, region_name="us-east-1")
        cls.s3.create_bucket(Bucket=BUCKET)

    def setUp(self):
        super().setUp()
        for item in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            self.s3.delete_object(Bucket=BUCKET, Key=item["Key"])
        self.enterContext(
            override_settings(
                AWS_STORAGE_BUCKET_NAME=BUCKET,
                AWS_S3_ENDPOINT_URL=self.endpoint,
                AWS_S3_REGION_NAME="us-east-1",
                AWS_DEFAULT_ACL=None,
                # As production sets it: the day's folder is emptied before it is written again.
                AWS_S3_FILE_OVERWRITE=False,
                STORAGES={
                    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                },
            )
        )

    def keys(self) -> set[str]:
        return {item["Key"] for item in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    def test_a_dump_is_written_verified_served_replaced_and_pruned_in_the_store(self):
        manifest = dumps.publish(keep=2, day=DAY)
        expected = {f"dumps/2026-12-06/{e['name']}" for e in manifest["files"]}
        expected |= {"dumps/2026-12-06/manifest.json", "dumps/2026-12-06/SHA256SUMS"}
        self.assertEqual(self.keys(), expected)
        read_dump(DAY)

        response = self.client.get("/dane/")
        entry = manifest["files"][0]
        self.assertContains(response, entry["sha256"])
        download = self.client.get(f"/dane/zrzuty/2026-12-06/{entry['name']}")
        self.assertEqual(hashlib.sha256(b"".join(download.streaming_content)).hexdigest(), entry["sha256"])

        # The same day again: replaced under the same names, not beside them.
        dumps.publish(keep=2, day=DAY)
        self.assertEqual(self.keys(), expected)
        for offset in (1, 2):
            dumps.publish(keep=2, day=DAY + datetime.timedelta(days=offset))
        self.assertEqual({key.split("/")[1] for key in self.keys()}, {"2026-12-07", "2026-12-08"})
        self.assertEqual([m["date"] for m in dumps.published()], ["2026-12-08", "2026-12-07"])
        self.assertEqual(os.listdir(self.media), [])
