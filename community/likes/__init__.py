"""Likes of published videos and of comments."""
