# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production \
    BEACON_VAR_DIR=/var/lib/beacon
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
RUN pip install --no-cache-dir -e . \
    && DJANGO_SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://build \
       DJANGO_ALLOWED_HOSTS=build python manage.py compile_translations \
    && DJANGO_SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://build \
       DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --no-input
RUN useradd --system --home /var/lib/beacon beacon && mkdir -p /var/lib/beacon && chown beacon /var/lib/beacon
USER beacon
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
