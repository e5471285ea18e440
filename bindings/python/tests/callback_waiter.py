"""A waiting process for the receiver tests: generates a task whose callback goes to a receiver
in another process, waits for it with ``callbacks=True`` on a shared journal file, and prints
the result as one JSON line. Usage: callback_waiter.py BASE_URL UPLOAD_URL JOURNAL CALLBACK_URL
(the API key from KIE_API_KEY)."""

import json
import sys

import kieimage


def main() -> None:
    base_url, upload_url, journal, callback_url = sys.argv[1:5]
    with kieimage.Client(base_url=base_url, upload_base_url=upload_url, journal_path=journal, callbacks=True) as client:
        task = client.generate(prompt="called back", size="1:1", callback_url=callback_url)
        done = client.wait(task.task_id)
        print(json.dumps({"taskId": done.task_id, "status": getattr(done.status, "value", done.status), "resultUrls": list(done.result_urls)}), flush=True)


if __name__ == "__main__":
    main()
