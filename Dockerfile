# This service (web and worker share the image).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY core ./core
COPY wenchuang ./wenchuang
COPY saleor_app ./saleor_app
COPY unit_onboarding ./unit_onboarding
COPY catalog ./catalog
COPY orders ./orders
COPY payments ./payments
COPY storefront ./storefront
COPY manage.py ./
ENV STATIC_ROOT=/app/static
RUN pip install . \
    && DATABASE_URL=postgres://build@127.0.0.1/none STATIC_FINGERPRINTS=true \
       python manage.py collectstatic --noinput -v0 \
    && useradd --create-home --uid 1000 wenchuang \
    && mkdir -p /data && chown wenchuang /data
USER wenchuang

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"
CMD ["gunicorn", "wenchuang.wsgi", "-b", "0.0.0.0:8080", "-k", "gthread", "-w", "2", "--threads", "4"]
