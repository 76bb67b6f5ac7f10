"""Run the background worker of the configured tasks backend (``settings.TASKS_BACKEND``).

First it queues again the jobs a stopped worker left running (``core.jobs.take_over_stale``),
then it hands over to the backend's own worker: django-tasks-db's ``db_worker`` for the
database backend, django-rq's ``rqworker`` for RQ. Options after ``--`` go to that worker
(``manage.py worker -- --batch`` runs what is queued and exits).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core import jobs


class Command(BaseCommand):
    help = "Runs the background worker (the database's or RQ's), after taking over jobs a stopped worker left."

    def add_arguments(self, parser):
        parser.add_argument("worker_options", nargs="*", help="Options of the backend's own worker command.")

    def handle(self, *args, worker_options: list[str], **options):
        taken = jobs.take_over_stale()
        if taken:
            self.stdout.write(f"Queued again: jobs {', '.join(map(str, taken))}.")
        if settings.TASKS_BACKEND == "database":
            # The worker reloads on code changes only when asked: a reload stops a job midway.
            call_command("db_worker", "--no-reload", *worker_options)
        elif settings.TASKS_BACKEND == "rq":
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.backend.Job", *worker_options)
        else:
            raise CommandError("TASKS_BACKEND=immediate runs every task in its request: there is no worker to run.")
