"""Page images from a web process that answers requests in threads (gunicorn's gthread, the
development server): many renders at once never crash the process (PDFium is not thread-safe)."""

import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import worker_env
from tests.support.pipeline import invoice_pdf
from tests.test_review import bearer, processed

SERVE = """
import sys
from app import create_app
from config import TestConfig

create_app(TestConfig).run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers=bearer(token))
    with urllib.request.urlopen(request, timeout=60) as resp:
        resp.read()
        return resp.status


def test_many_page_images_at_once_all_render_and_the_server_lives(app, client, token, worker):
    _status, [doc] = processed(client, token, worker, [(invoice_pdf(6), "six.pdf")])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)],
        env=worker_env(app),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                time.sleep(0.1)
        # Widths outside the cached set are rendered every time: 6 pages x 8 widths at once.
        urls = [
            f"{base}/api/v1/documents/{doc['id']}/pages/{page}.png?width={width}"
            for page in range(1, 7)
            for width in (301, 402, 503, 604, 705, 806, 907, 1008)
        ]
        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(lambda url: get(url, token), urls))
        assert answers == [200] * len(urls)
        assert server.poll() is None, "the web process died"
    finally:
        server.terminate()
        server.wait(timeout=30)
