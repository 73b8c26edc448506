"""Four concurrent ~30 MB hostile upload bodies: deep unknown fields (nesting 100 levels, the most
serde_json parses), and huge unknown arrays. Prints each answer's status and time."""
import http.client
import sys
import threading
import time

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]
TARGET = 30 * 1024 * 1024
HEAD = '{"sourceIdentifier":"hostile-%d","direction":"INBOUND","timestamp":"2026-06-23T14:30:00Z",' \
       '"transcript":{"text":"hi"},"junk":'


def deep(i):
    unit = "[" * 100 + "1" + "]" * 100
    n = TARGET // (len(unit) + 1)
    return (HEAD % i + "[" + ",".join([unit] * n) + "]}").encode()


def huge(i):
    n = TARGET // 2
    return (HEAD % i + "[" + "0," * (n - 1) + "0]}").encode()


def send(name, body, results):
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    try:
        conn.request("POST", "/api/v1/upload", body=body, headers={
            "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        resp = conn.getresponse()
        text = resp.read()[:160].decode(errors="replace")
        results.append((name, len(body), resp.status, time.monotonic() - start, text))
    except Exception as e:  # the figure is what matters; report the failure
        results.append((name, len(body), "error", time.monotonic() - start, repr(e)))


bodies = [("deep-1", deep(1)), ("deep-2", deep(2)), ("huge-3", huge(3)), ("huge-4", huge(4))]
results = []
threads = [threading.Thread(target=send, args=(n, b, results)) for n, b in bodies]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name, size, status, secs, text in sorted(results):
    print(f"  {name}: {size / 1e6:.1f} MB → {status} in {secs:.2f} s  {text}")
