"""Assignments: editors' calls for footage, reporters who accept them, footage marked used."""
