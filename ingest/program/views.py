"""Studio pages: the editors' switcher at /studio/<slug>/ and the viewers' page at /live/<slug>/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from fieldcast.accounts.guards import AuthenticatedHttpRequest, has_permission
from fieldcast.core.errors import NotFound
from ingest.program import selectors, services
from ingest.services import sources_end_stale


@login_required
def studio_index(request: HttpRequest) -> HttpResponse:
    """/studio/ opens the default channel."""
    if not selectors.can_operate_studio(request.user):
        raise DjangoPermissionDenied
    program = services.program_default()
    return redirect("studio:studio", slug=program.slug)


def _studio_strings() -> dict[str, str]:
    return {
        "program": gettext("Program"),
        "preview": gettext("Preview"),
        "on_air": gettext("On air"),
        "none": gettext("Nothing"),
        "slate": gettext("Slate"),
        "video": gettext("Clip"),
        "running": gettext("Running"),
        "stopped": gettext("Stopped"),
        "you_hold": gettext("You hold the switcher."),
        "held_by": gettext("%(name)s holds the switcher."),
        "nobody_holds": gettext("Nobody holds the switcher."),
        "automatic": gettext("automatic"),
        "cutaway_active": gettext("Automatic cut-away: program left %(source)s."),
        "cutaway_idle": gettext("Automatic cut-away is armed."),
        "refused": gettext("Refused:"),
        "not_cuttable": gettext("Not approved: cannot go on air"),
        "kill_confirm": gettext("Stop “%(title)s” for good and take it off air?"),
        "no_sources": gettext(
            "Nobody is live right now. New live streams appear here by themselves."
        ),
        "fps": gettext("fps"),
        "dropped": gettext("dropped"),
        "lag": gettext("encoder lag"),
        "segments": gettext("segments"),
        "viewers": gettext("monitors"),
        "approve": gettext("Approve"),
        "connection_lost": gettext("Connection to the studio lost. Reconnecting…"),
        "slate_saved": gettext("The slate is saved: program shows it whenever it shows the slate."),
    }


@login_required
def studio(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The switcher: multiview, preview and program monitors, buttons and keys, the log."""
    user = request.user
    if not selectors.can_operate_studio(user):
        raise DjangoPermissionDenied
    try:
        program = selectors.program_for_slug(slug=slug)
    except NotFound as error:
        raise Http404(error.message) from error
    # Sources whose ingest died would stay "live" forever: end them before drawing the grid.
    sources_end_stale()
    state = selectors.program_studio_state(program=program, user=user)
    config = {
        "slug": program.slug,
        "userId": user.pk,
        "ws": f"/ws/studio/{program.slug}/",
        "sourcesWs": "/ws/live/sources/",
        "sourcesApi": "/api/v1/live/sources/",
        "hlsUrl": state["hls_url"],
        "whepUrl": state["whep_url"],
        "csrf": get_token(request),
    }
    return render(
        request,
        "ingest/studio.html",
        {
            "program": program,
            "state": state,
            "programs": list(selectors.programs_all()),
            "videos": selectors.playable_videos(),
            "can_set_slate": has_permission(user, "promote_reporter"),
            "editors": selectors.studio_operators(exclude=user),
            "config": config,
            "strings": _studio_strings(),
        },
    )


def live(request: HttpRequest, slug: str) -> HttpResponse:
    """The public viewer page: the program over HLS, what is on air, the live chat."""
    try:
        program = selectors.program_for_slug(slug=slug)
    except NotFound as error:
        raise Http404(error.message) from error
    state = selectors.program_public_state(program)
    config = {
        "slug": program.slug,
        "ws": f"/ws/live/{program.slug}/",
        "hlsUrl": state["hls_url"],
        "pageUrl": reverse("program:live", kwargs={"slug": program.slug}),
    }
    strings = {
        "live": gettext("Live"),
        "off_air": gettext("Off air"),
        "off_air_detail": gettext("This channel is not broadcasting right now."),
        "on_air_now": gettext("On air now"),
        "slate": gettext("We will be right back."),
        "clip": gettext("Report"),
        "waiting": gettext("Connecting to the live program…"),
    }
    return render(
        request,
        "live/live.html",
        {"program": program, "state": state, "config": config, "strings": strings},
    )
