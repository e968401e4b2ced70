"""Who is told what: in-app notifications, the live bell, preferences and email digests.

Kept together (models, `notify`, `digest`, services, pages, API, task) so they can become an app
of their own.
"""
