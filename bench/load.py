"""A bounded load run: gunicorn with 4 workers on 127.0.0.1, 20 concurrent clients for 30 seconds."""
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

PORT = 5099
PASSWORD = "Demo-2020!"


def _request(conn, method, path, body=None, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.getheader("Set-Cookie"), response.read()


def login(username="city"):
    """Log in through the real form (CSRF on) and return the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    _, cookie, page = _request(conn, "GET", "/login")
    cookie = cookie.split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
    status, new_cookie, _ = _request(conn, "POST", "/login", body, cookie)
    conn.close()
    if status != 302:
        raise RuntimeError(f"login failed with {status}")
    return new_cookie.split(";", 1)[0]


def _client(paths, cookie, deadline, latencies, errors, lock):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    i = 0
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            status, _, body = _request(conn, "GET", path, cookie=cookie)
            ok = status == 200
            if not ok and os.environ.get("BENCH_DEBUG"):
                print(status, path, body[:300], file=sys.stderr)
        except (OSError, http.client.HTTPException) as exc:
            ok = False
            if os.environ.get("BENCH_DEBUG"):
                print("EXC", path, repr(exc), file=sys.stderr)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            errors[0] += not ok
    conn.close()


def wait_until_up(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def run(url, paths, clients=20, seconds=30, workers=4):
    paths = [urllib.parse.quote(p, safe="/?=&:") for p in paths]
    env = dict(os.environ, DATABASE_URL=url, BIND=f"127.0.0.1:{PORT}", WORKERS=str(workers), THREADS="1",
               EMERGENCY_SECRET_KEY="bench-secret")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                               "/dev/null", "app:create_app()"], env=env, stdout=subprocess.DEVNULL,
                              stderr=None if os.environ.get("BENCH_DEBUG") else subprocess.DEVNULL)
    try:
        wait_until_up()
        cookie = login()
        latencies, errors, lock = [], [0], threading.Lock()
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=_client, args=(paths, cookie, deadline, latencies, errors, lock))
                   for _ in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    ordered = sorted(latencies)
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1), "errors": errors[0],
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1), "seconds": round(elapsed, 1)}
