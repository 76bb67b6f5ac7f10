"""Every operation of the API fuzzed against its own OpenAPI schema (schemathesis, in-process
through the WSGI application): valid and invalid parameters alike, each answer must be no
server error and have a status, content type, headers and body the schema documents, and an
invalid request must be refused. Bounded so that it fits the default test run: a couple of
dozen examples per operation and mode, no deadline (the machine is shared).
"""

import datetime

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerships.certificates import issue_partnership_certificate
from tests import builders

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 20


class SchemaFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # A few records of every kind, so that the lists have rows to validate.
        builders.load_territory()
        member = builders.institution("Ośrodek do schematu", commune="1465011")
        partnership = builders.partnership("Partnerstwo do schematu", counties=["1465"], members=[member])
        event = builders.event("Wydarzenie do schematu", commune="1465011", start_date=datetime.date(2014, 1, 1))
        partnership.events.add(event)
        superuser = builders.get_user_model().objects.create_superuser("schemat", password="hasło-testowe-długie")
        issue_partnership_certificate(partnership, superuser, "Dyrektor testowy", "dyrektor")

    def setUp(self):
        # The WSGI application closes the database connection around each request, which would
        # end the test's transaction; Django's own test client does the same as here.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def test_every_operation_answers_as_its_schema_says(self):
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        # Every endpoint is in the schema, and so fuzzed below.
        self.assertEqual(len(operations), 15)  # seven lists, eight details
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                with self.subTest(operation=operation.label, mode=mode.value):

                    @given(case=operation.as_strategy(generation_mode=mode))
                    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
                    def answers_as_documented(case):
                        case.call_and_validate(checks=CHECKS)

                    answers_as_documented()
