"""Copy transport's notifications into the notification outbox (laborbridge.Message).

Each Notification becomes a message with the key "transport.no_show" or
"transport.no_show_undo" and the parameters its text was made from (names as values, ids for
links), addressed to the worker's county officials, the employer's HR and the coordinators of
the trip's pairing, delivered in-app at its time; each NotificationRead becomes a
MessageRead. The old tables are removed by the next migration.
"""

from django.db import migrations

BATCH = 1000


def copy_to_outbox(apps, schema_editor):
    Notification = apps.get_model("transport", "Notification")
    NotificationRead = apps.get_model("transport", "NotificationRead")
    Message = apps.get_model("laborbridge", "Message")
    MessageAudience = apps.get_model("laborbridge", "MessageAudience")
    MessageDelivery = apps.get_model("laborbridge", "MessageDelivery")
    MessageRead = apps.get_model("laborbridge", "MessageRead")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not Notification.objects.exists():
        return
    seat_type, _created = ContentType.objects.get_or_create(app_label="transport", model="seat")
    notices = Notification.objects.select_related(
        "worker", "employer", "trip__campaign", "seat__car"
    ).order_by("pk")
    new_id = {}
    for notice in notices.iterator(chunk_size=BATCH):
        worker, trip, seat, employer = notice.worker, notice.trip, notice.seat, notice.employer
        params = {
            "name": worker.name,
            "id": worker.id_number_masked,
            "trip": trip.service_number,
            "departure_at": trip.departure_at.isoformat(),
            "employer": employer.name,
            "worker_id": worker.pk,
            "trip_id": trip.pk,
            "match_id": notice.match_id,
            "employer_id": employer.pk,
        }
        if seat is not None:
            params.update(car=seat.car.car_no, row=seat.row, letter=seat.letter, seat_id=seat.pk)
        message = Message.objects.create(
            key=f"transport.{notice.kind}",
            params=params,
            cause_type=seat_type if seat is not None else None,
            cause_id=str(seat.pk) if seat is not None else "",
            created_by_id=notice.created_by_id,
            created_at=notice.created_at,
        )
        new_id[notice.pk] = message.pk
        audiences = MessageAudience.objects.bulk_create(
            [
                MessageAudience(message=message, kind="county", target=str(notice.county_id)),
                MessageAudience(message=message, kind="employer", target=str(employer.pk)),
                MessageAudience(
                    message=message, kind="pairing", target=str(trip.campaign.pairing_id)
                ),
            ]
        )
        MessageDelivery.objects.bulk_create(
            [
                MessageDelivery(
                    message=message,
                    audience=audience,
                    channel="in_app",
                    status="sent",
                    attempts=1,
                    sent_at=notice.created_at,
                )
                for audience in audiences
            ]
        )
    reads = [
        MessageRead(
            message_id=new_id[read.notification_id], user_id=read.user_id, read_at=read.read_at
        )
        for read in NotificationRead.objects.order_by("pk").iterator(chunk_size=BATCH)
    ]
    MessageRead.objects.bulk_create(reads, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("laborbridge", "0008_notification_outbox"),
        ("transport", "0008_transportplan_background_run"),
    ]

    operations = [migrations.RunPython(copy_to_outbox, migrations.RunPython.noop)]
