"""Two bookings of one room that hold it (requested or approved) can never overlap.

PostgreSQL says so itself with an exclusion constraint on the room and the time range
(btree_gist lets the room id take part in the GiST index). SQLite has no such constraint: there
the booking service's check under the room's lock is the rule (see ``services.room_book``)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE services_booking ADD CONSTRAINT services_booking_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('pending', 'approved'));
"""
DROP = "ALTER TABLE services_booking DROP CONSTRAINT IF EXISTS services_booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
