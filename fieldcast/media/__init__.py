"""The media library: which FFmpeg to run, the pure builders of its command lines, and the probe
that vets an original before anything decodes it. No models and no Django app: it imports nothing
above `fieldcast.core`, so videos, ingest and moderation can all use it."""
