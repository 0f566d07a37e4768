from django.db import migrations, models
from django.db.models import Count


def identified_backfill(apps, schema_editor):
    # A person with several distinct ids was made by `$identify` / `$create_alias`: identified.
    Person = apps.get_model("flags", "Person")
    PersonDistinctId = apps.get_model("flags", "PersonDistinctId")
    merged = (
        PersonDistinctId.objects.values("person_id").annotate(ids=Count("id")).filter(ids__gt=1).values("person_id")
    )
    Person.objects.filter(pk__in=merged).update(is_identified=True)


class Migration(migrations.Migration):

    dependencies = [
        ('flags', '0003_person_persondistinctid'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='is_identified',
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(identified_backfill, migrations.RunPython.noop),
    ]
