"""Live ingest: WHIP/WHEP, RTMP and SRT listeners, live sources, the studio switcher and program output.

Runs inside the web process in the embedded mode and on dedicated ingest nodes at scale
(see docs/architecture.md). The live ingest and studio issues fill this package.
"""
