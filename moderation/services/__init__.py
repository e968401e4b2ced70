"""Every write moderation makes, one module per use case:

* `queue`: opening cases for what waits for review, closing the ones settled elsewhere, claims;
* `decisions`: an editor's decision on a case, bulk decisions, the uploader's resubmission;
* `reports`: viewer reports on videos, comments and people;
* `appeals`: the uploader's appeal against a rejection or removal;
* `trust`: staff marking trusted reporters;
* `checks`: storing what the automatic checks found.

`access` (role checks), `cases` (the case rows), `audit` (the audit log) and `reasons` (reason and
note checks) are the helpers they share. Each service owns its transaction, locks the case row it
changes (`select_for_update`) and writes an `AuditEntry` for what it did. Callers import from
here: `from moderation import services` / `from moderation.services import case_decide`.
"""

from moderation.services.access import ensure_editor, ensure_staff
from moderation.services.appeals import appeal_create
from moderation.services.cases import AlreadyDecided, CaseClaimed
from moderation.services.checks import checks_record
from moderation.services.decisions import (
    DECISIONS_BY_KIND,
    BulkOutcome,
    case_decide,
    case_resubmit,
    cases_bulk_decide,
)
from moderation.services.queue import (
    case_claim,
    case_open_for_video,
    case_release,
    cases_sync_held_comments,
    cases_sync_live_sources,
    cases_sync_pending_videos,
)
from moderation.services.reasons import reject_reasons
from moderation.services.reports import report_create
from moderation.services.trust import trusted_reporter_set

__all__ = [
    "DECISIONS_BY_KIND",
    "AlreadyDecided",
    "BulkOutcome",
    "CaseClaimed",
    "appeal_create",
    "case_claim",
    "case_decide",
    "case_open_for_video",
    "case_release",
    "case_resubmit",
    "cases_bulk_decide",
    "cases_sync_held_comments",
    "cases_sync_live_sources",
    "cases_sync_pending_videos",
    "checks_record",
    "ensure_editor",
    "ensure_staff",
    "reject_reasons",
    "report_create",
    "trusted_reporter_set",
]
