"""Views of published videos, counted once per viewer per time window."""
