"""The ctypes table of _lib against include/kieimage.h: every function, every parameter's C type,
every return type and both callback typedefs (a wrong width or pointer level is a silent memory
bug under ctypes, so names and arity are not enough)."""

import re
from ctypes import POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_ssize_t, c_uint64, c_void_p

import pytest

from conftest import REPO_ROOT
from kieimage import _lib, _signatures

HEADER = REPO_ROOT / "include" / "kieimage.h"

# C type (as the header spells it, const and names removed from pointers) -> the ctypes type
# that passes it unchanged. Pointers to things Python never reads are c_void_p.
C_TYPES = {
    "void": None,
    "const char *": c_char_p,
    "char *": c_void_p,
    "void *": c_void_p,
    "kie_client *": c_void_p,
    "char **": POINTER(c_char_p),
    "kie_client **": POINTER(c_void_p),
    "int": c_int,
    "kie_status": c_int,
    "int32_t": c_int32,
    "int32_t *": POINTER(c_int32),
    "int64_t": c_int64,
    "size_t": c_size_t,
    "ptrdiff_t": c_ssize_t,
    "double *": POINTER(c_double),
    "kie_op": c_uint64,
    "kie_op *": POINTER(c_uint64),
    "kie_event_cb": _lib.kie_event_cb,
    "kie_log_cb": _lib.kie_log_cb,
}


def header_text():
    if not HEADER.exists():
        pytest.skip("include/kieimage.h is not in this checkout")
    return HEADER.read_text()


def c_type(declaration):
    """'const char *event_json' -> 'const char *'; 'kie_op op' -> 'kie_op'; 'void' -> 'void'."""
    d = " ".join(declaration.split())
    if d == "void":
        return d
    m = re.fullmatch(r"(.*?)(\**)\s*(\w+)", d)
    assert m, f"cannot read the parameter {declaration!r}"
    base, stars = m.group(1).strip(), m.group(2)
    if not base:  # 'char *' with the star glued to the type: 'char* name' is not used by the generator
        raise AssertionError(f"cannot read the parameter {declaration!r}")
    base = base.replace(" *", "*").replace("*", " *").strip()
    stars = base.count("*") + len(stars)
    base = base.replace("*", "").strip()
    return base + (" " + "*" * stars if stars else "")


def parameters(text):
    args = text.strip()
    return [] if args in ("", "void") else [c_type(a) for a in args.split(",")]


def return_type(text):
    t = " ".join(text.split())
    stars = t.count("*")
    base = t.replace("*", "").strip()
    return base + (" " + "*" * stars if stars else "")


def ctypes_of(c, where):
    assert c in C_TYPES, f"{where}: C type {c!r} has no ctypes mapping in this test"
    return C_TYPES[c]


def test_every_header_function_has_a_ctypes_entry_of_the_same_c_types():
    text = header_text()
    declared = {m.group(2): (return_type(m.group(1)), parameters(m.group(3)))
                for m in re.finditer(r"^KIE_API\s+([^;(]*?)\b(kie_\w+)\(([^)]*)\);", text, re.M)}
    assert declared, "no declarations parsed"
    table = {name: (restype, argtypes) for name, argtypes, restype in _signatures.SIGNATURES}
    assert sorted(table) == sorted(declared), "the table and the header declare the same functions"
    problems = []
    for name, (ret, params) in sorted(declared.items()):
        restype, argtypes = table[name]
        if ctypes_of(ret, f"{name} return") is not restype:
            problems.append(f"{name}: returns {ret}, table has {restype}")
        if len(params) != len(argtypes):
            problems.append(f"{name}: {len(params)} parameters, table has {len(argtypes)}")
            continue
        for i, (c, t) in enumerate(zip(params, argtypes)):
            if ctypes_of(c, f"{name} parameter {i}") is not t:
                problems.append(f"{name} parameter {i}: {c}, table has {t}")
    assert not problems, "\n".join(problems)
    assert all(_lib.has(name) for name in declared), "the loaded library exports every header function"


@pytest.mark.parametrize("name", ["kie_event_cb", "kie_log_cb"])
def test_callback_types_match_their_typedefs(name):
    m = re.search(r"typedef\s+(\w+)\s*\(\*" + name + r"\)\(([^)]*)\);", header_text())
    assert m, f"typedef {name} not found"
    cb = getattr(_lib, name)
    assert ctypes_of(m.group(1), f"{name} return") is cb._restype_
    params = parameters(m.group(2))
    assert len(params) == len(cb._argtypes_)
    for i, (c, t) in enumerate(zip(params, cb._argtypes_)):
        assert ctypes_of(c, f"{name} parameter {i}") is t, f"{name} parameter {i}: {c} vs {t}"


def test_byte_lengths_are_size_t():
    """The contract's webhook body length is size_t, in the header and in the table."""
    text = header_text()
    for name, index in (("kie_webhook_parse", 1), ("kie_webhook_verify", 2)):
        m = re.search(r"\b" + name + r"\(([^)]*)\);", text)
        assert m and "ptrdiff_t" not in m.group(1), name
        assert " ".join(m.group(1).split(",")[index].split()) == "size_t body_len", name
        argtypes = dict((n, a) for n, a, _ in _signatures.SIGNATURES)[name]
        assert argtypes[index] is c_size_t and c_size_t is not c_ssize_t
