"""Hatchling hooks for the kieimage wheel: version from the C header, libkieimage.so bundled.

The version is KIE_VERSION_MAJOR.MINOR.PATCH of ``kieimage_types.h`` (in the repository at
``Sources/CKieImage/include/``, or beside this file in an sdist), so wheel and library always
agree. The wheel holds the Python package plus the first library found of:
1. ``$KIEIMAGE_LIB`` (absolute path), 2. ``kieimage/libkieimage.so`` already in the source tree,
3. ``<repo>/build/lib/libkieimage.so`` (``make lib``: release, static Swift runtime, stripped),
4. ``<repo>/.build/release/libkieimage.so``, 5. ``<repo>/.build/debug/libkieimage.so``.
With none of them the build fails and says so. Editable installs bundle nothing: the package
loads ``kieimage/libkieimage.so`` from the tree or ``$KIEIMAGE_LIB``.
"""

from __future__ import annotations

import os
import re
import sysconfig
from pathlib import Path
from typing import Any, Dict, List

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
HEADER = "kieimage_types.h"
LIB = "libkieimage.so"


def header_version() -> str:
    candidates = [HERE / HEADER, REPO / "Sources" / "CKieImage" / "include" / HEADER]
    for path in candidates:
        if path.is_file():
            parts = dict(re.findall(r"^#define KIE_VERSION_(MAJOR|MINOR|PATCH) (\d+)\s*$", path.read_text(), re.M))
            if len(parts) == 3:
                return f"{parts['MAJOR']}.{parts['MINOR']}.{parts['PATCH']}"
            raise RuntimeError(f"kieimage: {path} lacks KIE_VERSION_MAJOR/MINOR/PATCH")
    raise RuntimeError("kieimage: no kieimage_types.h to read the version from; looked at "
                       + ", ".join(str(p) for p in candidates))


def library() -> Path:
    env = os.environ.get("KIEIMAGE_LIB")
    candidates = [Path(env)] if env else []
    candidates += [HERE / "kieimage" / LIB, REPO / "build" / "lib" / LIB, REPO / ".build" / "release" / LIB,
                   REPO / ".build" / "debug" / LIB]
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise RuntimeError(
        "kieimage: no libkieimage.so to bundle. Build it first (make lib), copy it to bindings/python/kieimage/, "
        "or set KIEIMAGE_LIB to its absolute path. Looked at: " + ", ".join(str(p) for p in candidates))


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata: Dict[str, Any]) -> None:
        metadata["version"] = header_version()


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: Dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        build_data["force_include"][str(library())] = f"kieimage/{LIB}"
        build_data["pure_python"] = False
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"

    def dependencies(self) -> List[str]:
        return []
