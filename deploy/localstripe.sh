#!/bin/sh
# localstripe (a fake Stripe) for the compose stack, with this service's webhook endpoint registered.
# localstripe keeps webhook registrations in memory only, so every start registers the endpoint again
# (STRIPE_WEBHOOK_URL, STRIPE_WEBHOOK_SECRET); the health check passes only once that has happened.
set -eu
port="${LOCALSTRIPE_PORT:-8420}"
registered="${TMPDIR:-/tmp}/localstripe-webhook-registered"
rm -f "$registered"
localstripe --port "$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true' TERM INT
python - "$port" <<'PY'
import os, sys, time, urllib.parse, urllib.request

url = f"http://127.0.0.1:{sys.argv[1]}/_config/webhooks/wenchuang"
body = urllib.parse.urlencode(
    {"url": os.environ["STRIPE_WEBHOOK_URL"], "secret": os.environ["STRIPE_WEBHOOK_SECRET"]}
).encode()
for _ in range(100):
    try:
        urllib.request.urlopen(url, data=body, timeout=2)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit(f"localstripe did not accept the webhook registration at {url}")
print(f"localstripe delivers its events to {os.environ['STRIPE_WEBHOOK_URL']}", flush=True)
PY
touch "$registered"
wait "$server"
