"""File sizes in messages: rounded for people, exact when rounding would hide the difference.

"This file is 4.0 GB; the largest you can upload is 4.0 GB" tells nobody anything: when two
sizes in one message round to the same text, every size in it is given in bytes.
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import ngettext


def exact_bytes(size: int) -> str:
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": f"{size:,}"}


def sizes_text(*sizes: int) -> list[str]:
    """Each size as text, in the same order: rounded, or all exact if two different sizes would
    read the same."""
    rounded = [str(filesizeformat(size)) for size in sizes]
    clash = any(
        rounded[i] == rounded[j] and sizes[i] != sizes[j]
        for i in range(len(sizes))
        for j in range(i + 1, len(sizes))
    )
    return [exact_bytes(size) for size in sizes] if clash else rounded
