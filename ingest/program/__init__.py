"""The studio: programs (channels), the switcher that cuts approved live sources to air, and the
program output. Control (services, selectors, pages) and the media engine live here."""
