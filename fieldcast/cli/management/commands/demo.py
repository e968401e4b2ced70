"""`python -m fieldcast demo`: demo accounts and footage so a newcomer sees a living site.

The footage is generated with FFmpeg (a test pattern with a tone), transcoded in this process
through the same pipeline as any upload, then one clip is published and one waits for review.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction

from fieldcast.accounts import roles, services
from fieldcast.accounts.models import User
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos.models import Video
from fieldcast.videos.services import video_create_from_file, video_publish
from fieldcast.videos.transcoding import video_transcode

DEMO_ACCOUNTS: tuple[tuple[str, str, str, list[str]], ...] = (
    # email, display name, city, roles beyond viewer
    ("editor@demo.fieldcast", "Demo Editor", "Newsroom", [roles.REPORTER, roles.EDITOR]),
    ("reporter@demo.fieldcast", "Demo Reporter", "Lagos", [roles.REPORTER]),
    ("staff@demo.fieldcast", "Demo Staff", "Newsroom", [roles.REPORTER, roles.EDITOR, roles.STAFF]),
    ("viewer@demo.fieldcast", "Demo Viewer", "Berlin", []),
)


class Command(BaseCommand):
    help = "Create demo accounts (idempotent: existing ones are left as they are)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default=settings.DEMO_PASSWORD)
        parser.add_argument(
            "--no-footage", action="store_true", help="Create the accounts only, no videos."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._accounts(options["password"])
        if not options["no_footage"]:
            self._footage()

    @transaction.atomic
    def _accounts(self, password: str) -> None:
        roles.sync_roles()
        for email, name, city, granted in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"display_name": name, "city": city}
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                services.user_setup_new(user=user)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                for role in granted:
                    services.user_grant_role(user=user, role=role, granted_by=None)
            self.stdout.write(f"{'created' if created else 'exists '}  {email}")
        self.stdout.write(f"Demo password: {password}")

    def _footage(self) -> None:
        """Two clips by the demo reporter, once: one published, one waiting for review."""
        reporter = User.objects.get(email="reporter@demo.fieldcast")
        editor = User.objects.get(email="editor@demo.fieldcast")
        if Video.objects.filter(owner=reporter).exists():
            return
        for index, (title, description, publish) in enumerate(DEMO_CLIPS):
            with tempfile.TemporaryDirectory() as work:
                clip = Path(work) / f"demo-{index}.mp4"
                subprocess.run(  # noqa: S603 - our ffmpeg, fixed arguments
                    _clip_command(clip, pattern=DEMO_PATTERNS[index % len(DEMO_PATTERNS)]),
                    check=True,
                    capture_output=True,
                )
                with clip.open("rb") as handle:
                    key = default_storage.save(f"demo/{clip.name}", File(handle))
            video = video_create_from_file(
                owner=reporter,
                title=title,
                description=description,
                source_key=key,
                source_name=clip.name,
                source_size=default_storage.size(key),
            )
            # Transcode here rather than wait for the worker; its queued task then finds the video
            # already processed and leaves it alone.
            video_transcode(video_id=video.pk)
            video.refresh_from_db()
            if publish and video.state == "pending_review":
                video = video_publish(video=video, editor=editor, verification="Demo footage")
            self.stdout.write(f"video    {title} ({video.get_state_display()})")


DEMO_CLIPS = (
    (
        "Flooded underpass on Ring Road",
        "Water rising after the night's storm, filmed from the footbridge.",
        True,
    ),
    ("Market traders clear the street", "The morning clean-up after the festival.", False),
)
DEMO_PATTERNS = ("testsrc2", "testsrc")  # moving patterns: a still one is flagged "frozen"


def _clip_command(path: Path, *, pattern: str, seconds: int = 6) -> list[str]:
    return [
        ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"{pattern}=size=640x360:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(path),
    ]  # fmt: skip
