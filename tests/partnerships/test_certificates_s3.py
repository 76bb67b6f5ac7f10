"""Uploaded files in S3-compatible object storage (AWS_STORAGE_BUCKET_NAME, docs/deploy.md):
moto's server mode, started on a free port of loopback, stands for the store. A logo uploaded
to it is printed on a certificate, the certificate's PDF is stored there, and the site serves
both from it; nothing lands in MEDIA_ROOT.

Marked ``services``: run by ``.ci/run`` with ``-m services``.
"""

import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from unittest import mock

import pytest
from django.test import override_settings
from pypdf import PdfReader

from partnerships import certificates
from tests.partnerships.test_certificates import CertificateTestCase, png_logo

pytestmark = pytest.mark.services

BUCKET = "rejestr-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def s3_server():
    """moto's S3 on a free port until the block ends; its address."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class ObjectStorageTests(CertificateTestCase):
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
        self.media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(
            override_settings(
                MEDIA_ROOT=self.media,
                AWS_STORAGE_BUCKET_NAME=BUCKET,
                AWS_S3_ENDPOINT_URL=self.endpoint,
                AWS_S3_REGION_NAME="us-east-1",
                AWS_DEFAULT_ACL=None,
                AWS_S3_FILE_OVERWRITE=False,
                STORAGES={
                    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                },
            )
        )

    def stored(self) -> set[str]:
        return {item["Key"] for item in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    def test_a_logo_in_the_store_is_printed_and_served_and_nothing_lands_on_disk(self):
        self.mcps.logo.save("logo.png", png_logo("#8a1538"))
        self.partnership.logo.save("logo.png", png_logo("#0b4f8a"))
        self.assertIn(self.partnership.logo.name, self.stored())

        pdf = certificates.render_pdf(self.issue())
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages[0].images), 2)

        response = self.client.get(f"/media/{self.partnership.logo.name}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertTrue(b"".join(response.streaming_content).startswith(b"\x89PNG"))
        self.assertEqual(os.listdir(self.media), [])

    def test_a_missing_object_is_a_404(self):
        self.assertEqual(self.client.get("/media/logos/nie-ma-takiego.png").status_code, 404)

    def test_a_certificate_pdf_is_stored_in_the_store_and_served_from_it(self):
        served = self.served(self.issue())
        self.assertTrue(served.startswith(b"%PDF-"))
        self.assertTrue(any(key.endswith(".pdf") for key in self.stored()), self.stored())
        self.assertEqual(os.listdir(self.media), [])
