"""P5 (ours): N tasks through the Python binding's asyncio API: submit and wait for each, all at
once on one event loop. Prints wall and CPU time (the whole process: library threads included)."""
import asyncio
import json
import os
import resource
import sys
import time

import kieimage

N = int(sys.argv[2])


async def main(base):
    async with kieimage.Client(base_url=base, rate_limit={"requests": 0}) as client:
        tasks = await asyncio.gather(*(client.run_async(prompt=f"kie-bench batch {i}", size="1:1") for i in range(N)),
                                     return_exceptions=True)
    return tasks


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


c0, t0 = cpu(), time.monotonic()
results = asyncio.run(main(sys.argv[1]))
wall, cpu_s = time.monotonic() - t0, cpu() - c0
ok = sum(1 for r in results if isinstance(r, kieimage.Task) and r.result_urls)
errors = [repr(r)[:200] for r in results if not isinstance(r, kieimage.Task)]
print(json.dumps({"tasks": N, "ok": ok, "errors": len(errors), "firstErrors": errors[:3], "wallS": wall, "cpuS": cpu_s,
                  "maxRssKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
