"""Backups: ``manage.py backup`` saves the database and the media into one archive, and
``manage.py restore`` brings back every record, file and history entry exactly as saved. An
archive that is truncated, damaged, made on another database or with other migrations, or
crafted to write outside the media directory is refused before anything changes.

The database is dumped and loaded by its own tools (pg_dump and pg_restore in connections of
their own; SQLite's backup API), which see committed rows only, so these tests commit:
``TransactionTestCase``, each test building its registry anew. ``serialized_rollback`` gives
every test back the rows the migrations put in the database (content types, permissions,
reference vocabularies) after the flush that ends the one before.
"""

import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from unittest import mock

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max
from django.test import TransactionTestCase, override_settings
from PIL import Image, ImageDraw

from config.backup import BackupError, backed_up_models, create_backup, read_manifest, restore_backup, sign_manifest
from core import cache as registry_cache
from events.models import Event, Material, Project, Speaker
from members.models import Institution, StaffProfile
from partnerships import certificates
from partnerships.certificates import issue_partnership_certificate
from partnerships.history import deleted_partnerships, restore_partnership
from partnerships.models import Agreement, Certificate, Membership, Partnership, Signatory, TargetGroup
from tests import builders
from tests.builders import local_cache

LOCAL_CACHE = local_cache("backup-tests")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "hasło-testowe-kopii-zapasowej"
STALE_SEARCH_TEXT = "znacznik-klucza-wyszukiwania"
STALE_MEMBER_COUNT = 7
OLD_TIMESTAMP = datetime.datetime(2019, 3, 4, 5, 6, 7, 891234, tzinfo=datetime.UTC)


def png(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (480, 320), colour)
    ImageDraw.Draw(image).ellipse((60, 40, 420, 280), fill=(250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def database_state() -> dict[str, list[dict]]:
    """Every row of every backed-up model, historical tables and through tables included,
    serialised with full precision, by model and in primary key order."""
    return {
        model._meta.label_lower: serializers.serialize("python", model._base_manager.order_by("pk"))
        for model in backed_up_models()
    }


def media_state(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def wipe_database() -> None:
    """Empty every table, as on a new machine after ``migrate``, whose content types and
    permissions were created under other keys than the saved ones."""
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    ContentType.objects.clear_cache()
    ContentType.objects.create(app_label="inna", model="przesuwa_klucze")
    # Nothing to migrate: it only sends post_migrate, which creates content types and permissions.
    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()


def readable_dump(content: bytes) -> bytes:
    """A dump as bytes in which its rows' text can be searched: a SQLite file as it is (free
    pages included), a PostgreSQL custom dump as the SQL script pg_restore makes of it."""
    if connection.vendor == "sqlite":
        return content
    return subprocess.run(["pg_restore", "--file=-"], input=content, capture_output=True, check=True).stdout


@contextmanager
def dangling_membership(institution: Institution):
    """A membership of a partnership that does not exist, committed past the foreign key checks
    for as long as the context lasts (on PostgreSQL, as a replica does: the tests' database user
    is a superuser)."""
    off, on = (
        ("SET session_replication_role = replica", "SET session_replication_role = DEFAULT")
        if connection.vendor == "postgresql"
        else ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON")
    )
    with connection.cursor() as cursor:
        cursor.execute(off)
        cursor.execute(
            "INSERT INTO partnerships_membership (id, role, notes, institution_id, partnership_id) "
            "VALUES (%s, %s, '', %s, %s)",
            [999_999, Membership.Role.PARTNER, institution.pk, 999_999],
        )
        cursor.execute(on)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM partnerships_membership WHERE id = %s", [999_999])


def restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def read_members(path: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(path, "r:gz") as tar:
        return [(member, tar.extractfile(member).read() if member.isfile() else None) for member in tar]


def write_members(path: Path, members) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member, content in members:
            member = tarfile.TarInfo(member) if isinstance(member, str) else member
            if content is not None:
                member.size = len(content)
            tar.addfile(member, io.BytesIO(content) if content is not None else None)
    return path


# Every test builds its staff user anew; the hash only has to come back as it was saved.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BackupTestCase(TransactionTestCase):
    """A registry with every kind of record and file, committed; its media in a folder of the
    test's own (``self.media_root``), with nothing else beside it."""

    serialized_rollback = True

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="rejestr-backup-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.media_root = self.tmp / "site" / "media"
        self.enterContext(override_settings(MEDIA_ROOT=self.media_root))
        self.archive = self.tmp / "kopia.tar.gz"
        self.build_registry()

    def build_registry(self):
        builders.load_territory()
        self.centre = builders.institution(
            "Centrum testowe polityki społecznej",
            kind=Institution.Kind.ROPS,
            logo=ContentFile(png((30, 90, 160)), name="logo-centrum.png"),
        )
        self.member = builders.institution(
            "Ośrodek testowy", commune="1465011", logo=ContentFile(png((160, 40, 40)), name="logo.png")
        )
        other = builders.institution("Fundacja testowa", kind=Institution.Kind.FOUNDATION, commune="0264011")
        person = builders.person(self.member, email="prywatny@example.org", phone="+48 600 000 000")

        editors = Group.objects.create(name="Redaktorzy kopii")
        editors.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["members", "events", "partnerships"])
        )
        self.staff = get_user_model().objects.create_user("pracownik.kopii", password=PASSWORD, is_staff=True)
        self.staff.groups.add(editors)
        StaffProfile.objects.create(user=self.staff, centre=self.centre)

        project = Project.objects.create(name="Projekt testowy", operator=self.centre, start_year=2012, end_year=2014)
        self.event = builders.event("Konferencja testowa", project=project, start_date=datetime.date(2014, 10, 28))
        self.event.organisers.add(self.centre)
        Speaker.objects.create(event=self.event, person=person, topic="Partnerstwo w praktyce")
        Material.objects.create(
            event=self.event,
            kind=Material.Kind.REPORT,
            title="Relacja z konferencji",
            file=ContentFile(PDF + b"relacja", name="relacja.pdf"),
        )

        self.partnership = builders.partnership(
            "Partnerstwo testowe kopii", counties=["1465"], communes=["1465011"], members=[self.member, other]
        )
        self.partnership.target_groups.set(TargetGroup.objects.order_by("pk")[:2])
        self.partnership.events.add(self.event)
        Membership.objects.filter(institution=self.member).update(represented_by=person, role="leader")
        agreement = Agreement.objects.create(
            partnership=self.partnership,
            title="Porozumienie testowe",
            signed_on=datetime.date(2014, 10, 28),
            signed_at=self.event,
            document=ContentFile(PDF + b"porozumienie", name="porozumienie.pdf"),
        )
        Signatory.objects.create(agreement=agreement, person=person, institution=self.member)
        self.partnership.name = "Partnerstwo testowe kopii po zmianie"
        self.partnership.save()
        # Its PDF is rendered and stored in the media once the issue commits.
        self.certificate = issue_partnership_certificate(self.partnership, self.staff, "Jan Testowy", "dyrektor")
        self.certificate.refresh_from_db()

        deleted = builders.partnership("Partnerstwo testowe usunięte", members=[other])
        self.deleted_pk = deleted.pk
        deleted.delete()

        self.log_entry = LogEntry.objects.create(
            user=self.staff,
            content_type=ContentType.objects.get_for_model(Partnership),
            object_id=str(self.partnership.pk),
            object_repr=str(self.partnership),
            action_flag=CHANGE,
            change_message=json.dumps([{"changed": {"fields": ["Nazwa"]}}]),
        )
        # Derived values that a recount, a save() or auto_now would change: a restore must
        # bring back what was saved, not recompute it.
        Partnership.objects.filter(pk=self.partnership.pk).update(
            search_text=STALE_SEARCH_TEXT, listed_member_count=STALE_MEMBER_COUNT, updated_at=OLD_TIMESTAMP
        )

    def assertNothingBesideMedia(self):
        self.assertEqual(list(self.media_root.parent.iterdir()), [self.media_root])


class ArchiveTests(BackupTestCase):
    def test_the_setup_has_every_kind_of_record_and_file(self):
        # Guards the round trip: it would pass trivially without these.
        state = database_state()
        for label in (
            "contenttypes.contenttype",
            "auth.permission",
            "auth.user_groups",
            "admin.logentry",
            "members.staffprofile",
            "events.material",
            "partnerships.certificate",
            "partnerships.partnership_area_counties",
            "partnerships.historicalpartnership_target_groups",
        ):
            self.assertTrue(state[label], label)
        history = Partnership.history.model.objects
        self.assertTrue(history.filter(history_type="~", id=self.partnership.pk).exists())
        self.assertTrue(history.filter(history_type="-", id=self.deleted_pk).exists())
        # The deleted partnership has the largest key; its history still names it.
        self.assertEqual(history.aggregate(Max("id"))["id__max"], self.deleted_pk)
        names = set(media_state(self.media_root))
        for folder in ("logos/", "logos/thumbnails/", "documents/", "certificates/"):
            self.assertTrue(any(name.startswith(folder) for name in names), folder)
        self.assertEqual(len(names), 7)
        self.assertIn(self.certificate.pdf.name, names)

    def test_the_archive_holds_the_signed_manifest_first_then_the_data_and_the_media_files(self):
        create_backup(self.archive)
        members = read_members(self.archive)
        names = [member.name for member, _content in members]
        media = sorted(f"media/{name}" for name in media_state(self.media_root))
        self.assertEqual(names[:3], ["manifest.json", "manifest.sig", "database.dump"])
        self.assertEqual(members[1][1], sign_manifest(members[0][1]))
        self.assertEqual(sorted(names[3:]), media)

    def test_the_data_are_a_dump_in_the_database_own_format(self):
        create_backup(self.archive)
        dump = read_members(self.archive)[2][1]
        # pg_dump's custom format, or a SQLite database file.
        self.assertTrue(dump.startswith(b"PGDMP" if connection.vendor == "postgresql" else b"SQLite format 3\x00"))
        self.assertIn(b"Partnerstwo testowe kopii po zmianie", readable_dump(dump))

    def test_the_manifest_gives_migrations_row_counts_and_every_media_file_with_its_checksum(self):
        manifest = create_backup(self.archive)
        self.assertEqual(read_manifest(self.archive), manifest)
        self.assertEqual(manifest.database_vendor, connection.vendor)
        dump = read_members(self.archive)[2][1]
        self.assertEqual((manifest.dump_size, manifest.dump_sha256), (len(dump), hashlib.sha256(dump).hexdigest()))
        applied = MigrationRecorder(connection).applied_migrations()
        self.assertEqual(
            sorted((app, name) for app, names in manifest.migrations.items() for name in names), sorted(applied)
        )
        self.assertEqual(manifest.counts["partnerships.partnership"], Partnership.objects.count())
        self.assertEqual(manifest.counts["partnerships.historicalpartnership"], Partnership.history.count())
        self.assertNotIn("sessions.session", manifest.counts)
        files = media_state(self.media_root)
        self.assertEqual(
            {item.name: (item.size, item.sha256) for item in manifest.media},
            {name: (len(content), hashlib.sha256(content).hexdigest()) for name, content in files.items()},
        )

    def test_the_archive_is_readable_by_its_owner_only(self):
        create_backup(self.archive)
        self.assertEqual(self.archive.stat().st_mode & 0o777, 0o600)

    def test_backup_leaves_out_symbolic_links_in_the_media_directory(self):
        secret = self.tmp / "poza-mediami.txt"
        secret.write_text("poufne")
        (self.media_root / "dowiazanie.txt").symlink_to(secret)
        manifest = create_backup(self.archive)
        self.assertEqual(manifest.media_skipped, ["dowiazanie.txt"])
        for _member, content in read_members(self.archive):
            self.assertNotEqual(content, b"poufne")

    @override_settings(CACHES=LOCAL_CACHE)
    def test_restore_drops_every_cached_page_when_it_commits(self):
        create_backup(self.archive)
        before = registry_cache.generation()
        restore_backup(self.archive)
        self.assertNotEqual(registry_cache.generation(), before)

    def test_restore_ends_every_session(self):
        self.client.force_login(self.staff)
        self.assertTrue(Session.objects.exists())
        create_backup(self.archive)
        restore_backup(self.archive)
        self.assertFalse(Session.objects.exists())

    def test_the_dump_keeps_no_session_not_even_in_its_free_pages(self):
        if connection.vendor == "sqlite":
            # Debian's SQLite overwrites what it deletes; other builds leave it in free pages,
            # which the backup API copies, and only the VACUUM of the copy removes it.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete")
                (previous,) = cursor.fetchone()
                cursor.execute("PRAGMA secure_delete = OFF")

            def reset():
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA secure_delete = {int(previous)}")

            self.addCleanup(reset)
        self.client.force_login(self.staff)
        ended = self.client.session.session_key
        self.client.logout()
        self.client.force_login(self.staff)
        current = Session.objects.get().session_key
        create_backup(self.archive)
        dump = readable_dump(read_members(self.archive)[2][1])
        for key in (ended, current):
            self.assertNotIn(key.encode(), dump)


class RestoredRegistryTests(BackupTestCase):
    """A backup, a wipe as on a new machine (other content types, a stray group, other media
    files), a restore; each test checks a part of what came back."""

    def setUp(self):
        super().setUp()
        self.database_before = database_state()
        self.media_before = media_state(self.media_root)
        self.history_counts = {model: model.history.count() for model in (Partnership, Membership, Institution, Event)}
        self.content_types = dict(ContentType.objects.values_list("pk", "model"))
        self.saved = Partnership.objects.get(pk=self.partnership.pk)
        create_backup(self.archive)

        wipe_database()
        Group.objects.create(name="Grupa spoza kopii")
        shutil.rmtree(self.media_root)
        self.media_root.mkdir()
        (self.media_root / "spoza-kopii.txt").write_text("nie z kopii")
        # Guards the tests: the wipe must have changed what they compare.
        assert database_state() != self.database_before
        assert dict(ContentType.objects.values_list("pk", "model")) != self.content_types

        self.manifest = restore_backup(self.archive)

    def test_restore_brings_back_every_record_of_every_table(self):
        after = database_state()
        self.assertEqual(after.keys(), self.database_before.keys())
        for label, rows in self.database_before.items():
            self.assertEqual(after[label], rows, label)

    def test_restore_brings_back_every_media_file_byte_for_byte_and_nothing_else(self):
        self.assertEqual(media_state(self.media_root), self.media_before)
        self.assertNothingBesideMedia()
        self.assertEqual(sorted(path.name for path in self.tmp.iterdir()), ["kopia.tar.gz", "site"])

    def test_restored_rows_keep_derived_values_and_timestamps_as_saved(self):
        restored = Partnership.objects.get(pk=self.partnership.pk)
        self.assertEqual(restored.search_text, STALE_SEARCH_TEXT)
        self.assertEqual(restored.listed_member_count, STALE_MEMBER_COUNT)
        self.assertEqual(restored.updated_at, OLD_TIMESTAMP)
        self.assertEqual(restored.created_at, self.saved.created_at)
        member = Institution.objects.get(pk=self.member.pk)
        self.assertEqual(member.logo_thumbnail.name, self.member.logo_thumbnail.name)
        self.assertTrue(member.logo_thumbnail.storage.exists(member.logo_thumbnail.name))
        self.assertEqual(Certificate.objects.get(pk=self.certificate.pk).snapshot, self.certificate.snapshot)

    def test_a_stored_certificate_pdf_comes_back_and_is_served_without_rendering(self):
        restored = Certificate.objects.get(pk=self.certificate.pk)
        self.assertEqual(restored.pdf.name, self.certificate.pdf.name)
        stored = self.media_before[restored.pdf.name]
        self.assertTrue(stored.startswith(b"%PDF-"))
        with mock.patch.object(certificates, "render_pdf") as render:
            response = self.client.get(restored.get_pdf_url())
            self.assertEqual(b"".join(response.streaming_content), stored)
        render.assert_not_called()

    def test_restore_writes_no_history_of_its_own(self):
        for model, count in self.history_counts.items():
            self.assertEqual(model.history.count(), count, model)

    def test_restored_keys_keep_the_admin_log_permissions_and_history_pointing_right(self):
        self.assertEqual(dict(ContentType.objects.values_list("pk", "model")), self.content_types)
        self.assertEqual(LogEntry.objects.get(pk=self.log_entry.pk).get_edited_object(), self.partnership)
        staff = get_user_model().objects.get(pk=self.staff.pk)
        self.assertTrue(staff.check_password(PASSWORD))
        self.assertTrue(staff.has_perm("partnerships.change_partnership"))
        self.assertEqual(staff.staff_profile.centre, self.centre)
        self.assertEqual([record.id for record in deleted_partnerships()], [self.deleted_pk])
        restored = restore_partnership(pk=self.deleted_pk, user=staff)
        self.assertEqual(restored.memberships, 1)

    def test_records_saved_after_a_restore_never_take_the_key_of_a_deleted_one(self):
        partnership = builders.partnership("Partnerstwo testowe po przywróceniu")
        partnership.target_groups.add(TargetGroup.objects.first())
        self.assertGreater(partnership.pk, self.deleted_pk)
        self.assertEqual(partnership.history.count(), 2)
        self.assertEqual([record.id for record in deleted_partnerships()], [self.deleted_pk])


class BackupCommandTests(BackupTestCase):
    def test_backup_writes_to_var_backups_by_default_and_says_what_it_saved(self):
        out = StringIO()
        with override_settings(VAR_DIR=self.tmp / "var"):
            call_command("backup", stdout=out)
        [archive] = (self.tmp / "var" / "backups").glob("rejestr-*.tar.gz")
        output = out.getvalue()
        manifest = read_manifest(archive)
        self.assertIn(f"Rekordy: {manifest.record_count}.", output)
        self.assertIn("Partnerstwa: ", output)
        self.assertIn("Pliki mediów: 7, ", output)
        self.assertIn(f"Zapisano kopię zapasową: {archive}", output)
        self.assertEqual(list(archive.parent.iterdir()), [archive])

    def test_backup_lists_every_model_at_higher_verbosity(self):
        out = StringIO()
        call_command("backup", str(self.archive), verbosity=2, stdout=out)
        self.assertIn("(partnerships.historicalpartnership): ", out.getvalue())

    def test_backup_refuses_to_overwrite_an_existing_file(self):
        self.archive.write_bytes(b"inna kopia")
        with self.assertRaisesMessage(CommandError, "już istnieje; kopia zapasowa nigdy nie nadpisuje pliku"):
            call_command("backup", str(self.archive), stdout=StringIO())
        self.assertEqual(self.archive.read_bytes(), b"inna kopia")

    def test_backup_refuses_a_path_inside_the_media_directory(self):
        with self.assertRaisesMessage(CommandError, "Kopii zapasowej nie można zapisać w katalogu mediów"):
            call_command("backup", str(self.media_root / "kopia.tar.gz"), stdout=StringIO())
        self.assertFalse((self.media_root / "kopia.tar.gz").exists())

    def test_restore_asks_first_and_changes_nothing_when_the_answer_is_no(self):
        create_backup(self.archive)
        Partnership.objects.filter(pk=self.partnership.pk).update(name="Zmiana po kopii")
        with mock.patch("builtins.input", return_value="nie") as asked:
            output = restore(self.archive)
        self.assertIn("Wpisz „tak”", asked.call_args.args[0])
        self.assertIn("To zastąpi WSZYSTKO w bazie danych", output)
        self.assertIn("Przywracanie anulowane; niczego nie zmieniono.", output)
        self.assertEqual(Partnership.objects.get(pk=self.partnership.pk).name, "Zmiana po kopii")

    def test_restore_goes_ahead_when_the_answer_is_yes(self):
        create_backup(self.archive)
        Partnership.objects.filter(pk=self.partnership.pk).update(name="Zmiana po kopii")
        with mock.patch("builtins.input", return_value="tak"):
            restore(self.archive)
        self.assertEqual(Partnership.objects.get(pk=self.partnership.pk).name, "Partnerstwo testowe kopii po zmianie")

    def test_restore_without_an_answer_changes_nothing_and_fails(self):
        create_backup(self.archive)
        Partnership.objects.filter(pk=self.partnership.pk).update(name="Zmiana po kopii")
        with (
            mock.patch("builtins.input", side_effect=EOFError),
            self.assertRaisesMessage(CommandError, "Użyj --noinput"),
        ):
            restore(self.archive)
        self.assertEqual(Partnership.objects.get(pk=self.partnership.pk).name, "Zmiana po kopii")

    def test_restore_with_noinput_says_what_it_restored(self):
        manifest = create_backup(self.archive)
        output = restore(self.archive, "--noinput")
        self.assertIn(f"Rekordy: {manifest.record_count}.", output)
        self.assertIn("Pliki mediów: 7, ", output)
        self.assertIn("Wszyscy muszą zalogować się ponownie.", output)


class RefusedArchiveTests(BackupTestCase):
    """Every refused archive leaves the database and the media exactly as they were, which
    differ from the archive's (a restore that went half way would show)."""

    def setUp(self):
        super().setUp()
        create_backup(self.archive)
        self.members = read_members(self.archive)
        Partnership.objects.filter(pk=self.partnership.pk).update(name="Zmiana po kopii")
        builders.partnership("Partnerstwo testowe spoza kopii")
        (self.media_root / "documents" / "spoza-kopii.pdf").write_bytes(PDF)
        self.database_before = database_state()
        self.media_before = media_state(self.media_root)

    def assertRefused(self, path: Path, *fragments: str) -> str:
        with self.assertRaises(CommandError) as refused:
            restore(path, "--noinput")
        for fragment in fragments:
            self.assertIn(fragment, str(refused.exception))
        self.assertEqual(database_state(), self.database_before)
        self.assertEqual(media_state(self.media_root), self.media_before)
        self.assertNothingBesideMedia()
        return str(refused.exception)

    def assertNotLoaded(self, path: Path, *fragments: str) -> None:
        """Refused when the dump was read or loaded, with the reason the database or its tool gave."""
        message = self.assertRefused(
            path, "Nie udało się wczytać danych archiwum", "baza danych pozostała bez zmian", *fragments
        )
        reason = re.search(r"archiwum \((.*)\); baza danych", message).group(1)
        self.assertGreater(len(reason), 10, message)
        self.assertNotIn("bez dalszych szczegółów", reason)

    def rewritten(self, change_manifest=None, members=None, sign=True) -> Path:
        """The archive with its members replaced and its manifest changed; signed again with the
        installation's key unless ``sign`` is false (as someone with the key could: these tests
        are about the checks behind the signature)."""
        members = list(self.members if members is None else members)
        if change_manifest is not None:
            info, content = members[0]
            manifest = json.loads(content)
            change_manifest(manifest)
            members[0] = (info, json.dumps(manifest).encode())
        names = [getattr(member, "name", member) for member, _content in members[:2]]
        if sign and names == ["manifest.json", "manifest.sig"] and members[0][1] is not None:
            members[1] = (members[1][0], sign_manifest(members[0][1]))
        return write_members(self.tmp / "zmieniona.tar.gz", members)

    def with_dump(self, dump: bytes, sign=True) -> Path:
        """An archive whose database dump is ``dump``, its manifest changed to match it."""
        members = [*self.members[:2], (self.members[2][0], dump), *self.members[3:]]

        def matching(manifest):
            manifest["database"].update(size=len(dump), sha256=hashlib.sha256(dump).hexdigest())

        return self.rewritten(matching, members, sign=sign)

    def damaged_dump(self) -> bytes:
        """The dump with one byte changed in its middle."""
        dump = self.members[2][1]
        middle = len(dump) // 2
        return dump[:middle] + bytes([dump[middle] ^ 1]) + dump[middle + 1 :]

    def test_restore_refuses_a_truncated_archive(self):
        content = self.archive.read_bytes()
        for length in (100, len(content) // 2, len(content) - 200, len(content) - 1):
            with self.subTest(length=length):
                truncated = self.tmp / "ucieta.tar.gz"
                truncated.write_bytes(content[:length])
                self.assertRefused(truncated, "jest uszkodzone lub ucięte", "niczego nie zmieniono")

    def test_restore_refuses_a_file_that_is_not_a_tar_gz_archive(self):
        plain_tar = io.BytesIO()
        with tarfile.open(fileobj=plain_tar, mode="w") as tar:
            tar.addfile(tarfile.TarInfo("manifest.json"), io.BytesIO())
        for name, content in (
            ("tekst.tar.gz", b"to nie jest archiwum"),
            ("pusty.tar.gz", b""),
            ("gzip-bez-tar.tar.gz", gzip.compress(b"to nie jest tar" * 100)),
            ("tar-bez-gzip.tar.gz", plain_tar.getvalue()),
        ):
            with self.subTest(name):
                path = self.tmp / name
                path.write_bytes(content)
                self.assertRefused(path, "nie jest archiwum kopii zapasowej")

    def test_restore_refuses_a_missing_file(self):
        self.assertRefused(self.tmp / "nie-ma.tar.gz", "Nie ma pliku")

    def test_restore_refuses_an_archive_without_a_manifest(self):
        self.assertRefused(self.rewritten(members=self.members[1:]), "Archiwum nie ma manifestu")

    def test_restore_refuses_a_manifest_that_is_not_json(self):
        members = [(self.members[0][0], b"{to nie jest json"), *self.members[1:]]
        self.assertRefused(self.rewritten(members=members), "Manifestu archiwum nie da się odczytać")

    def test_restore_refuses_a_manifest_with_fields_missing(self):
        self.assertRefused(
            self.rewritten(lambda manifest: manifest.pop("counts")), "Manifest archiwum jest niekompletny"
        )

    def test_restore_refuses_an_unknown_format_version(self):
        def future(manifest):
            manifest["format_version"] = 4

        self.assertRefused(self.rewritten(future), "w wersji 4", "odczytuje tylko wersję 3")

    def test_restore_refuses_an_archive_of_an_earlier_format(self):
        def earlier(manifest):
            manifest["format_version"] = 2

        self.assertRefused(self.rewritten(earlier), "w wersji 2", "w tej wersji rejestru, która je wykonała")

    def test_restore_refuses_an_archive_altered_and_hashed_again_without_the_key(self):
        for archive in (
            self.with_dump(self.damaged_dump(), sign=False),
            self.rewritten(members=[self.members[0], *self.members[2:]]),  # the signature taken out
        ):
            self.assertRefused(archive, "nie jest podpisany kluczem kopii zapasowych tej instalacji")

    def test_the_signing_key_not_the_secret_key_decides(self):
        with override_settings(BACKUP_SIGNING_KEY="klucz-innej-instalacji-" * 3):
            self.assertRefused(self.archive, "BACKUP_SIGNING_KEY")
        with override_settings(SECRET_KEY="inny-klucz-tej-instalacji-" * 3):
            restore(self.archive, "--noinput")
        self.assertNotEqual(Partnership.objects.get(pk=self.partnership.pk).name, "Zmiana po kopii")

    def test_restore_refuses_an_archive_made_with_other_migrations_and_names_the_difference(self):
        def other_migrations(manifest):
            manifest["migrations"]["partnerships"].remove("0006_listed_member_count")
            manifest["migrations"]["partnerships"].append("0099_przyszla")

        self.assertRefused(
            self.rewritten(other_migrations),
            "innych migracjach",
            "brak ich w tej bazie: partnerships.0099_przyszla",
            "brak ich w kopii: partnerships.0006_listed_member_count",
            "manage.py migrate",
        )

    def test_restore_refuses_an_archive_with_a_path_outside_media(self):
        for name in ("../evil", "media/../../evil", "media/./logos/evil", "media//evil"):
            with self.subTest(name):
                members = [*self.members, (name, b"zlosliwy")]
                self.assertRefused(self.rewritten(members=members), "niebezpieczną ścieżką")
                self.assertFalse((self.tmp / "evil").exists())
                self.assertFalse((self.tmp / "site" / "evil").exists())

    def test_restore_refuses_an_archive_with_an_absolute_path(self):
        target = self.tmp / "bezwzgledna"
        members = [*self.members, (str(target), b"zlosliwy")]
        self.assertRefused(self.rewritten(members=members), "niebezpieczną ścieżką")
        self.assertFalse(target.exists())

    def test_restore_refuses_an_archive_with_a_link_or_a_device(self):
        outside = self.tmp / "poza"
        for kind, name in (
            (tarfile.SYMTYPE, "media/logos/dowiazanie"),
            (tarfile.LNKTYPE, "media/logos/twarde"),
            (tarfile.CHRTYPE, "media/urzadzenie"),
            (tarfile.DIRTYPE, "media/katalog"),
        ):
            with self.subTest(kind=kind):
                member = tarfile.TarInfo(name)
                member.type, member.linkname = kind, str(outside)
                self.assertRefused(self.rewritten(members=[*self.members, (member, None)]), "nie jest zwykłym plikiem")
                self.assertFalse(outside.exists())

    def test_restore_refuses_a_link_in_place_of_the_manifest(self):
        member = tarfile.TarInfo("manifest.json")
        member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        self.assertRefused(self.rewritten(members=[(member, None), *self.members[1:]]), "nie jest zwykłym plikiem")

    def test_restore_refuses_a_media_file_whose_checksum_does_not_match(self):
        members = list(self.members)
        index = next(i for i, (member, _content) in enumerate(members) if member.name.startswith("media/documents/"))
        content = members[index][1]
        members[index] = (members[index][0], content[:-1] + bytes([content[-1] ^ 1]))
        self.assertRefused(self.rewritten(members=members), "nie zgadza się z sumą kontrolną", members[index][0].name)

    def test_restore_refuses_data_whose_checksum_does_not_match(self):
        members = [*self.members[:2], (self.members[2][0], self.damaged_dump()), *self.members[3:]]
        self.assertRefused(self.rewritten(members=members), "database.dump w archiwum nie zgadza się z sumą kontrolną")

    def test_restore_refuses_a_file_the_manifest_does_not_list(self):
        members = [*self.members, ("media/logos/dodatkowy.png", png((0, 0, 0)))]
        self.assertRefused(self.rewritten(members=members), "którego nie wymienia jego manifest")

    def test_restore_refuses_an_archive_with_a_media_file_missing(self):
        members = [item for item in self.members if not item[0].name.startswith("media/logos/thumbnails/")]
        self.assertRefused(self.rewritten(members=members), "Archiwum jest niekompletne")

    def test_restore_refuses_a_manifest_listing_a_media_file_at_an_unsafe_path(self):
        def unsafe(manifest):
            manifest["media"][0]["name"] = "../../poza"

        self.assertRefused(self.rewritten(unsafe), "niebezpieczną ścieżką")

    def test_restore_refuses_an_archive_made_on_another_database_and_says_how_to_move(self):
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

        def elsewhere(manifest):
            manifest["database_vendor"] = other

        self.assertRefused(
            self.rewritten(elsewhere), f"na bazie danych {other}", "Moving from SQLite to PostgreSQL", "docs/backup.md"
        )

    def test_restore_that_fails_while_loading_leaves_the_database_as_it_was(self):
        # A membership of a partnership that does not exist, in a dump this installation made
        # and signed: every check of the archive passes. On PostgreSQL pg_restore has dropped
        # and recreated every table when adding the foreign key fails, and rolls all of it
        # back; SQLite's check of the dump finds it before anything is loaded.
        broken = self.tmp / "zepsuta.tar.gz"
        with dangling_membership(self.member):
            create_backup(broken)
        self.assertNotLoaded(broken, "partnerships_membership", "partnerships_partnership")

    def test_a_damaged_dump_signed_correctly_is_refused_and_says_why(self):
        # As someone with the key could make it: the checksums match, the dump does not read.
        dump = self.members[2][1]
        # A page of SQLite's (4 KiB) near the end; in pg_dump's format, the data, after the table of contents.
        page = (len(dump) // 4096 - 2) * 4096
        for name, damaged in (
            ("not a dump", b"to nie jest zrzut bazy danych\n" * 200),
            ("cut in half", dump[: len(dump) // 2]),
            ("a page near the end zeroed", dump[:page] + bytes(4096) + dump[page + 4096 :]),
        ):
            with self.subTest(name):
                self.assertNotLoaded(self.with_dump(damaged))

    def test_a_failure_without_a_message_is_still_explained(self):
        with mock.patch("config.backup._load_dump", side_effect=DatabaseError()):
            self.assertRefused(
                self.archive, "Nie udało się wczytać danych archiwum (DatabaseError, bez dalszych szczegółów)"
            )

    def test_read_manifest_refuses_what_restore_refuses(self):
        self.archive.write_bytes(self.archive.read_bytes()[:100])
        with self.assertRaises(BackupError):
            read_manifest(self.archive)


class MediaDirectoryTests(BackupTestCase):
    def test_restore_creates_the_media_directory_when_there_is_none(self):
        before = media_state(self.media_root)
        create_backup(self.archive)
        shutil.rmtree(self.media_root)
        restore_backup(self.archive)
        self.assertEqual(media_state(self.media_root), before)
        self.assertNothingBesideMedia()

    def test_restore_replaces_the_target_of_a_media_directory_that_is_a_link(self):
        before = media_state(self.media_root)
        create_backup(self.archive)
        link = self.tmp / "media-link"
        link.symlink_to(self.media_root)
        shutil.rmtree(self.media_root)
        self.media_root.mkdir()
        with override_settings(MEDIA_ROOT=link):
            restore_backup(self.archive)
        self.assertTrue(link.is_symlink())
        self.assertEqual(media_state(self.media_root), before)
        self.assertEqual(os.path.realpath(link), str(self.media_root))
