# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production \
    BEACON_VAR_DIR=/var/lib/beacon
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
# The build loads the production settings, which refuse to start without their variables:
# placeholders for these two commands only (never ENV, which the running image would keep).
RUN pip install --no-cache-dir -e . \
    && export DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build BEACON_SITE_URL=http://build \
       DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://build EMAIL_URL=console: \
       BEACON_DOCUMENT_KEYS=build \
    && python manage.py compile_translations \
    && python manage.py collectstatic --no-input
# private/ is where docker-compose mounts the private-files volume: a new named volume takes
# its owner from the image's directory, so it is the app's from the start.
RUN useradd --system --home /var/lib/beacon beacon \
    && mkdir -p /var/lib/beacon/private && chown beacon /var/lib/beacon /var/lib/beacon/private
USER beacon
EXPOSE 8000
CMD ["python", "-m", "config.web", "--host", "0.0.0.0", "--port", "8000"]
