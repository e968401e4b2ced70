"""Moderation: the review queue, decisions, automatic checks, viewer reports, appeals, audit log."""
