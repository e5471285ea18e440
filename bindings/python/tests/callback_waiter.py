"""A waiting process for the receiver tests: generates a task whose callback goes to a receiver
in another process, waits for it with ``callbacks=True`` on a shared journal file, and prints
the result as one JSON line. Usage: callback_waiter.py BASE_URL UPLOAD_URL STORE CALLBACK_URL
(the API key from KIE_API_KEY; STORE a journal file, or ``sqlite:PATH``: a shared ledger). Also the receiver checks both the Python and the CLI receiver
tests share (``declared_too_large``)."""

import http.client
import json
import sys
import urllib.parse


def declared_too_large(url: str) -> int:
    """POSTs a request declaring a 2 MiB body, sends none of it, and returns the HTTP status: a
    receiver must answer before reading it."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("POST", parts.path)
        conn.putheader("Content-Length", str(2 << 20))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def main() -> None:
    import kieimage

    base_url, upload_url, store, callback_url = sys.argv[1:5]
    where = {"ledger": store} if store.startswith("sqlite:") else {"journal_path": store}
    with kieimage.Client(base_url=base_url, upload_base_url=upload_url, callbacks=True, **where) as client:
        task = client.generate(prompt="called back", size="1:1", callback_url=callback_url)
        done = client.wait(task.task_id)
        print(json.dumps({"taskId": done.task_id, "status": getattr(done.status, "value", done.status), "resultUrls": list(done.result_urls)}), flush=True)


if __name__ == "__main__":
    main()
