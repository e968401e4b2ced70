# One image for every Fieldcast process (web, ingest, worker, beat, one-shot jobs); docker-compose.yml
# chooses the command. Configuration comes from the environment: docs/configuration.md.

# --- Browser libraries (hls.js, htmx, tus-js-client) from frontend/package-lock.json -------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Application ---------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FIELDCAST_VAR_DIR=/var/lib/fieldcast

# Debian's FFmpeg (libx264, aac, libopus, libvpx, hls muxer, rtmp, srt) for the workers and ingest.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .
COPY --from=frontend /src/frontend/node_modules frontend/node_modules

# Editable install: settings find templates, locale/ and frontend/ beside the package (BASE_DIR),
# so the code must run from /app rather than from a copy in site-packages.
RUN pip install --no-deps -e . \
 && for domain in django djangojs; do \
      if [ -f "locale/zh_Hans/LC_MESSAGES/$domain.po" ]; then \
        pybabel compile --domain "$domain" --directory locale --statistics; \
      fi; \
    done \
 && useradd --system --uid 1000 --home-dir /var/lib/fieldcast --create-home fieldcast

USER fieldcast
EXPOSE 8000
CMD ["uvicorn", "fieldcast.asgi:application", "--host=0.0.0.0", "--port=8000", "--lifespan=on", \
     "--ws=websockets-sansio", "--proxy-headers", "--forwarded-allow-ips=*", "--no-access-log"]
