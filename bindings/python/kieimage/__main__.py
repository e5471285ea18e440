"""``python -m kieimage``: a quick generate from the command line.

    KIE_API_KEY=... python -m kieimage "A beautiful sunset over the mountains" --size 1:1 --out out/
    KIE_API_KEY=... python -m kieimage "A lighthouse" --model gpt-image-2-text-to-image --aspect-ratio 16:9

Prints each result URL (and, with --out, each saved file) on stdout, progress on stderr; with
--json, the finished task as JSON. The API key comes from $KIE_API_KEY only, never from argv,
so it does not show in process lists or shell history.

Facts are the library's: it reads the key (and says when it is missing), requires ``--size`` for
4o and validates every value, and says which arguments belong to which family; generate, wait
and download are ``Client.run`` (one library operation) and ``Client.download_files``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Dict, List, Optional, Set

from . import __version__, _lib
from ._errors import KieError
from .client import Client
from .models import DownloadedFile, ProgressEvent, Task


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kieimage", description=(
        "Generate an image with kie.ai: GPT Image 1 (the 4o Image API) by default, or a Market model "
        "(GPT Image 2, ...) with --model."))
    p.add_argument("prompt", nargs="?", help="what to draw")
    p.add_argument("--size", default=None, help="4o: the aspect ratio, e.g. 1:1 (required for 4o)")
    p.add_argument("--image", action="append", dest="files", metavar="URL", help="input image URL (repeatable)")
    p.add_argument("--model", metavar="ID", help="a Market model id, e.g. gpt-image-2-text-to-image (docs/models.md)")
    p.add_argument("--aspect-ratio", metavar="RATIO", help="Market: e.g. 16:9")
    p.add_argument("--resolution", metavar="RES", help="Market: e.g. 1K, 2K")
    p.add_argument("--quality", metavar="Q", help="Market: the model's quality setting")
    p.add_argument("--background", metavar="B", help="Market: e.g. transparent")
    p.add_argument("--input", action="append", default=[], metavar="KEY=VALUE",
                   help="Market: another input field; VALUE is read as JSON when it parses (false, 2), else as text")
    p.add_argument("--mask", metavar="URL", help="mask image URL")
    p.add_argument("--variants", type=int, help="1, 2 or 4")
    p.add_argument("--enhance", action="store_true", default=None, help="let the API enhance the prompt")
    p.add_argument("--fallback", metavar="MODEL", help="GPT_IMAGE_1 or FLUX_MAX")
    p.add_argument("--callback-url", metavar="URL")
    p.add_argument("--base-url", default=None, help="API base URL (default $KIE_BASE_URL or https://api.kie.ai)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds to wait (default: the client's poll deadline, the library's default)")
    p.add_argument("--out", metavar="DIR", help="download the results into DIR")
    p.add_argument("--no-wait", action="store_true", help="print the task id and exit")
    p.add_argument("--json", action="store_true", help="print the task as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.add_argument("--version", action="version",
                   version=f"kieimage {__version__} (libkieimage {_lib.version()}, C ABI {_lib.abi_version()})")
    return p


def _request(args: argparse.Namespace) -> "Dict[str, Any] | str":
    """generate()'s keywords for the arguments (build_request refuses the other family's), or what
    is wrong with an --input."""
    request: Dict[str, Any] = dict(
        size=args.size, files=None if args.model else args.files, mask=args.mask,
        variants=args.variants, enhance=args.enhance, fallback=args.fallback, callback_url=args.callback_url,
        model=args.model, aspect_ratio=args.aspect_ratio, resolution=args.resolution, quality=args.quality,
        background=args.background, images=args.files if args.model else None)
    for item in args.input:
        key, sep, text = item.partition("=")
        if not sep or not key:
            return f"--input takes KEY=VALUE, not {item!r}"
        try:
            request[key] = json.loads(text)
        except ValueError:
            request[key] = text
    return request


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if not args.prompt and not args.files:
        _parser().error("give a prompt or at least one --image")
    request = _request(args)
    if isinstance(request, str):
        _parser().error(request)
    try:
        client = Client(base_url=args.base_url)
    except KieError as e:  # the configuration: no API key, a bad base URL
        print(f"kieimage: {e}", file=sys.stderr)
        return 2
    try:
        with client:
            if args.no_wait:
                submitted = client.generate(args.prompt, **request)
                _warn(submitted)
                print(json.dumps({"taskId": submitted.task_id}) if args.json else submitted.task_id)
                return 0
            task = client.run(args.prompt, on_progress=_progress(args.quiet), timeout=args.timeout, **request)
            _warn(task)
            files = client.download_files(task, args.out) if args.out else []
    except KieError as e:
        print(f"kieimage: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    except (TypeError, ValueError) as e:
        print(f"kieimage: {e}", file=sys.stderr)
        return 2
    _print(task, files, args.json)
    return 0


def _progress(quiet: bool) -> Callable[[ProgressEvent], None]:
    seen: Set[str] = set()

    def progress(event: ProgressEvent) -> None:
        if quiet:
            return
        if event.task_id not in seen:
            seen.add(event.task_id)
            print(f"task {event.task_id} submitted", file=sys.stderr)
        print(f"{event.task_id}: {event.progress:.0%}", file=sys.stderr, flush=True)

    return progress


def _warn(task: Task) -> None:
    for warning in task.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _print(task: Task, files: List[DownloadedFile], as_json: bool) -> None:
    if as_json:
        out = task.to_json()
        out.pop("raw", None)
        if files:
            out["files"] = [str(f.path) for f in files]
        print(json.dumps(out, indent=2))
    else:
        for url in task.result_urls:
            print(url)
        for f in files:
            print(f.path)


if __name__ == "__main__":
    sys.exit(main())
