# The registry's image: one image for the web instances and the worker (compose.yaml).
# Not built on the development machines (no container engine runs there); every process it
# starts is tested as such by the services tests (docs/deploy.md).
FROM python:3.11-slim

# WeasyPrint's pango (certificates; the fonts are the project's own, in static/fonts, and
# fontconfig comes with pango), gettext for the Polish catalogue, pg_dump for backups.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/var/lib/rejestr
WORKDIR /app

# The pinned dependencies first, so that a change of the code reuses this layer.
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock ".[rq]"

COPY . .
# Static files collected at build (whitenoise serves them); the catalogue compiled. Neither
# needs a database or a secret: the build's SECRET_KEY is a placeholder thrown away with it.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && python manage.py compilemessages --locale pl --ignore .venv \
    && useradd --system --home /app rejestr \
    && mkdir -p "$VAR_DIR" && chown rejestr "$VAR_DIR"
USER rejestr

EXPOSE 8000
# The web instance; the worker runs the same image with `python manage.py worker`.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
