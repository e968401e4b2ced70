"""Chats exist only when the newsroom opens them: one for each program and each event.

Before this, writing to any name opened a chat. Every existing program and event gets its chat
here (the services open them for new ones); a mute with a blank channel holds in every chat.
"""

from django.db import migrations, models


def open_chats(apps, schema_editor):
    ChatSettings = apps.get_model("community", "ChatSettings")
    Program = apps.get_model("ingest", "Program")
    Event = apps.get_model("community", "Event")
    slugs = set(Program.objects.values_list("slug", flat=True))
    slugs |= {f"event-{pk}" for pk in Event.objects.values_list("pk", flat=True)}
    for slug in sorted(slugs):
        ChatSettings.objects.get_or_create(channel=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_story_comments"),
        ("ingest", "0005_program_engine_lease"),
    ]

    operations = [
        migrations.AlterField(
            model_name="chatmute",
            name="channel",
            field=models.SlugField(blank=True, max_length=50),
        ),
        migrations.RunPython(open_chats, migrations.RunPython.noop),
    ]
