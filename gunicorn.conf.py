"""gunicorn settings for `make serve`: several workers on the loopback address."""
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WORKERS", "4"))
threads = int(os.environ.get("THREADS", "2"))
timeout = 120
accesslog = "-"
