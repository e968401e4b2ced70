"""The search page (thin: parse, read, render)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.common import page_number
from community.search import selectors as search_selectors
from fieldcast.core.errors import ApplicationError


def search(request: HttpRequest) -> HttpResponse:
    """Published videos, reporters and stories matching `?q=`; a page of videos at a time."""
    error = ""
    status = 200
    try:
        query = search_selectors.search_query_clean(request.GET.get("q"))
    except ApplicationError as exc:
        error, status, query = exc.message, 400, ""
    results = search_selectors.search(query=query, page=page_number(request))
    return render(
        request,
        "community/search.html",
        {
            "results": results,
            "q": request.GET.get("q", "")[: search_selectors.QUERY_MAX_LENGTH] if error else query,
            "error": error,
            "max_length": search_selectors.QUERY_MAX_LENGTH,
        },
        status=status,
    )
