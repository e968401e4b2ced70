"""The home feed: on air now, what a person follows, newest and most watched videos, stories."""
