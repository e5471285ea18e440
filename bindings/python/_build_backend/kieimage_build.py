"""A PEP 517 backend for kieimage with no build requirements (so offline installs work).

The wheel holds the pure-Python package plus libkieimage.so, taken from the first of:
1. ``$KIEIMAGE_LIB`` (absolute path), 2. ``kieimage/libkieimage.so`` already in the source tree,
3. ``<repo>/build/lib/libkieimage.so`` (``make lib``: release, static Swift runtime, stripped),
4. ``<repo>/.build/release/libkieimage.so``, 5. ``<repo>/.build/debug/libkieimage.so``.
With none of them the build fails and says so.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "kieimage"
LIB = "libkieimage.so"


def _project() -> Dict[str, object]:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
        return dict(tomllib.loads(text)["project"])
    except ImportError:  # Python < 3.11: the few keys used below are simple strings
        keys = {}
        section = text.split("[project]", 1)[1].split("\n[", 1)[0]
        for key in ("name", "version", "description", "requires-python"):
            m = re.search(rf'^{key}\s*=\s*"([^"]*)"', section, re.M)
            if m:
                keys[key] = m.group(1)
        scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0] if "[project.scripts]" in text else ""
        keys["scripts"] = dict(re.findall(r'^(\S+)\s*=\s*"([^"]*)"', scripts, re.M))
        return keys


def _library() -> Path:
    env = os.environ.get("KIEIMAGE_LIB")
    candidates = [Path(env)] if env else []
    repo = ROOT.parents[1]
    candidates += [ROOT / PACKAGE / LIB, repo / "build" / "lib" / LIB, repo / ".build" / "release" / LIB,
                   repo / ".build" / "debug" / LIB]
    for path in candidates:
        if path.is_file():
            return path
    raise RuntimeError(
        "kieimage: no libkieimage.so to bundle. Build it first (swift build -c release --product kieimage), "
        "copy it to bindings/python/kieimage/, or set KIEIMAGE_LIB to its absolute path. Looked at: "
        + ", ".join(str(p) for p in candidates))


def _tag() -> str:
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{platform}"


def _dist_info(project: Dict[str, object]) -> Tuple[str, Dict[str, bytes]]:
    name, version = str(project["name"]), str(project["version"])
    meta = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project.get('description', '')}",
    ]
    if project.get("requires-python"):
        meta.append(f"Requires-Python: {project['requires-python']}")
    readme = ROOT / "README.md"
    body = ""
    if readme.exists():
        meta.append("Description-Content-Type: text/markdown")
        body = "\n" + readme.read_text()
    files = {
        "METADATA": ("\n".join(meta) + "\n" + body).encode(),
        "WHEEL": (f"Wheel-Version: 1.0\nGenerator: kieimage_build\nRoot-Is-Purelib: false\nTag: {_tag()}\n").encode(),
    }
    scripts = project.get("scripts") or {}
    if scripts:
        lines = ["[console_scripts]"] + [f"{k} = {v}" for k, v in dict(scripts).items()]  # type: ignore[arg-type]
        files["entry_points.txt"] = ("\n".join(lines) + "\n").encode()
    return f"{name}-{version}.dist-info", files


def _package_files() -> List[Path]:
    pkg = ROOT / PACKAGE
    return sorted(p for p in pkg.iterdir() if p.is_file() and (p.suffix in (".py", ".typed")))


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def _write_wheel(directory: str, entries: List[Tuple[str, bytes, int]]) -> str:
    project = _project()
    dist_info, meta = _dist_info(project)
    filename = f"{project['name']}-{project['version']}-{_tag()}.whl"
    record: List[str] = []
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as whl:
        for arcname, data, mode in entries + [(f"{dist_info}/{k}", v, 0o644) for k, v in meta.items()]:
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(info, data)
            record.append(_record_line(arcname, data))
        record.append(f"{dist_info}/RECORD,,")
        whl.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return filename


# -- PEP 517 hooks ---------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    dist_info, files = _dist_info(_project())
    target = Path(metadata_directory) / dist_info
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    entries = [(f"{PACKAGE}/{p.name}", p.read_bytes(), 0o644) for p in _package_files()]
    entries.append((f"{PACKAGE}/{LIB}", _library().read_bytes(), 0o755))
    return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    # The source tree goes on sys.path; the library comes from kieimage/ there or $KIEIMAGE_LIB.
    return _write_wheel(wheel_directory, [(f"__editable__.{PACKAGE}.pth", f"{ROOT}\n".encode(), 0o644)])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    project = _project()
    base = f"{project['name']}-{project['version']}"
    filename = f"{base}.tar.gz"
    members = [ROOT / "pyproject.toml", Path(__file__)] + _package_files()
    if (ROOT / "README.md").exists():
        members.append(ROOT / "README.md")
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for path in members:
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{base}/{path.relative_to(ROOT)}")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        pkg_info = _dist_info(project)[1]["METADATA"]
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        tar.addfile(info, io.BytesIO(pkg_info))
    return filename
