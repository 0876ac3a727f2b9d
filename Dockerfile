# Two images from one file, each built once by docker compose:
#   app (the default, last stage): this service; web, workers, beat and the one-shot steps all run it.
#   localstripe: the fake Stripe of the local stack, installed at build time, never at start.
FROM python:3.11-slim AS python
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 1000 wenchuang

FROM python AS localstripe
RUN pip install localstripe==1.15.10
COPY deploy/localstripe.sh /usr/local/bin/localstripe-with-webhook
USER wenchuang
EXPOSE 8420
CMD ["localstripe-with-webhook"]

FROM python AS app
# DATA_DIR holds what the service writes (media, originals, beat's schedule): a volume in compose.
# /app itself belongs to root: the service's user cannot write there.
ENV DATA_DIR=/data STATIC_ROOT=/app/static
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY accounts ./accounts
COPY wenchuang ./wenchuang
COPY saleor_app ./saleor_app
COPY unit_onboarding ./unit_onboarding
COPY catalog ./catalog
COPY orders ./orders
COPY payments ./payments
COPY search ./search
COPY resources ./resources
COPY office ./office
COPY campaigns ./campaigns
COPY promotions ./promotions
COPY shipping ./shipping
COPY storefront ./storefront
COPY manage.py ./
# Without extras: no embedded PostgreSQL (pgserver) and no test tools in this image.
RUN pip install . \
    && DATABASE_URL=postgres://build@127.0.0.1/none STATIC_FINGERPRINTS=true \
       python manage.py collectstatic --noinput -v0 \
    && mkdir -p /data && chown wenchuang /data
USER wenchuang

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"
CMD ["gunicorn", "wenchuang.wsgi", "-b", "0.0.0.0:8080", "-k", "gthread", "-w", "2", "--threads", "4"]
