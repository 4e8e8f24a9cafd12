# The app image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json* ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else mkdir -p node_modules; fi

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 APP_ENV=production
RUN useradd --create-home --uid 10001 tracker
WORKDIR /app
COPY pyproject.toml ./
COPY config ./config
COPY core ./core
COPY claims ./claims
COPY sources ./sources
COPY tools ./tools
COPY templates ./templates
COPY manage.py gunicorn.conf.py ./
COPY --from=assets /app/node_modules ./node_modules
RUN pip install .
# collectstatic needs settings that load; the real SECRET_KEY comes from the environment at run time.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input
USER tracker
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
