# The production image: the API, its migrations and its commands.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app
RUN pip install --no-cache-dir "uv==0.13.8"

# Dependencies first, from the lock file only, so code changes reuse this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY api ./api
COPY domain ./domain
COPY store ./store
COPY usecases ./usecases
COPY service ./service
COPY worker ./worker
COPY integrations ./integrations
COPY migrations ./migrations

RUN useradd --system --uid 10001 bilin
USER bilin

ENV BILIN_ENV=production BILIN_HOST=0.0.0.0 PORT=8000 BILIN_WORKERS=2
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=2s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["python", "-m", "service.cli", "serve"]
