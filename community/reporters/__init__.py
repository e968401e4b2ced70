"""Reporters' public profiles and the people who follow them."""
