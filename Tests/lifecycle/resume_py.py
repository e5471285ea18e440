"""The Python twin of bindings/c/examples/resume.c, for the kill-and-resume tests:

    python resume_py.py JOURNAL [--resolve ID=TASKID]... [--abandon ID]... PROMPT...

Each PROMPT is a work item tagged "item-<n>", submitted concurrently (asyncio) unless the journal
already holds it; submitted tasks are resumed with Client.resume(), unknown outcomes are listed
and not resubmitted until settled with --resolve / --abandon. Prints "item-<n> <taskId> <url>"
per finished item; exit 0 when all are done, 8 when unknown outcomes remain, 1 on a failure."""
import asyncio
import sys

import kieimage


def main(argv):
    journal, args = argv[1], argv[2:]
    settle = []
    while args and args[0] in ("--resolve", "--abandon"):
        if args[0] == "--resolve":
            entry_id, _, task_id = args[1].partition("=")
            settle.append((entry_id, task_id))
        else:
            settle.append((args[1], None))
        args = args[2:]
    prompts = args
    failed = 0
    with kieimage.Client(journal_path=journal, poll={"initialMs": 300}) as client:
        for entry_id, task_id in settle:
            client.resolve(entry_id, task_id)
        latest = {e.tag: e for e in client.journal() if e.tag and e.tag.startswith("item-")}
        for tag, entry in latest.items():
            if entry.state in ("succeeded", "downloaded"):
                print(f"{tag} {entry.task_id} done earlier", flush=True)
        resumed = client.resume()
        for entry in resumed.unknown:
            print(f"{entry.tag}: unknown outcome (journal id {entry.id}): check kie's logs, then "
                  f"--resolve {entry.id}=TASKID or --abandon {entry.id}", file=sys.stderr)
        for work in resumed.resumed:
            if work.task is not None:
                print(f"{work.tag} {work.task.task_id} {work.task.result_urls[0]}", flush=True)
            else:
                print(f"{work.tag} failed: {work.error}", file=sys.stderr)
                failed += 1
        todo = [(f"item-{n}", p) for n, p in enumerate(prompts, 1)
                if latest.get(f"item-{n}") is None or latest[f"item-{n}"].state in ("rejected", "abandoned", "failed")]

        async def submit_all():
            return await asyncio.gather(*(client.run_async(prompt=p, size="1:1", tag=tag) for tag, p in todo),
                                        return_exceptions=True)

        for (tag, _), outcome in zip(todo, asyncio.run(submit_all()) if todo else []):
            if isinstance(outcome, BaseException):
                print(f"{tag} failed: {outcome!r}", file=sys.stderr)
                failed += 1
            else:
                print(f"{tag} {outcome.task_id} {outcome.result_urls[0]}", flush=True)
        return 1 if failed else 8 if resumed.unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
