# One image for every Familien process: gunicorn (web), the Celery worker, Celery beat
# and the one-off migrate job. docker-compose.yml picks the command per service.
FROM python:3.11-slim-bookworm

# XDG_CACHE_HOME: fontconfig (under WeasyPrint) keeps its cache there; /app is read-only.
# FAMILIEN_MODE=production: every process in the image fails closed without its
# secrets, whatever manage.py would assume on a developer's machine.
ENV FAMILIEN_MODE=production \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FAMILIEN_DATA_DIR=/data \
    XDG_CACHE_HOME=/tmp/.cache

# WeasyPrint renders PDFs through Pango; it needs these libraries and at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 familien \
    && useradd --system --uid 10001 --gid familien --home-dir /app \
        --shell /usr/sbin/nologin familien

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every file is checked
# against the hashes in the lock.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Translations: compile every gettext catalog under locale/ with Babel (no msgfmt needed).
RUN for domain in django djangojs; do \
        if find locale -name "$domain.po" | grep -q .; then \
            python -m babel.messages.frontend compile -d locale -D "$domain" || exit 1; \
        fi; \
    done

# collectstatic imports the settings, which refuse to load in production without a
# secret and a broker: these dummy values exist for this one command only.
RUN SECRET_KEY=build-only \
    CELERY_BROKER_URL=redis://localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

# The code stays owned by root (read-only for the app); only the data folder is writable.
# Named volumes mounted on these folders start with this ownership.
RUN mkdir -p /data/media /data/beat /data/sms \
    && chown -R familien:familien /data

USER familien

EXPOSE 8000

# gthread workers: 3 processes x 4 threads suits a 2-core host; the generous timeout
# leaves room for WeasyPrint PDFs rendered in the request. No access log here: URLs
# can carry tokens, and the proxy in front keeps its own.
CMD ["gunicorn", "familien.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--threads", "4", "--worker-class", "gthread", \
     "--timeout", "60", "--graceful-timeout", "30", "--keep-alive", "5", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm"]
