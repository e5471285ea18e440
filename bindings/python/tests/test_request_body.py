"""request_body returns exactly what the library's body text parses to, whether it parsed the
text or (when the library changed nothing) returned the request it had just written; and the
JSON helpers behind it behave like the json module."""
import enum
import json

import pytest

import kieimage
from kieimage import _json, _lib
from kieimage.client import build_request

MARKET = "gpt-image-2-text-to-image"


class Ratio(str, enum.Enum):
    SQUARE = "1:1"


class Count(enum.IntEnum):
    TWO = 2


class Text(str):
    def __str__(self):
        return "not the text"


REQUESTS = [
    dict(prompt="p", size="1:1"),
    dict(prompt="every field", size="3:2", variants=4, enhance=True, upload_cn=False, fallback="FLUX_MAX",
         files=["https://example.com/a.png", "https://example.com/b.png"], mask="https://example.com/m.png",
         callback_url="https://example.com/hook"),
    dict(prompt="tagged", size="1:1", tag="job-1"),  # the tag is never sent: the body differs
    dict(prompt="  spaces, ünïcödé, emoji \U0001F305, \u2028, \x7f, \x01 and \"quotes\" \\", size="2:3"),
    dict(prompt=Text("a str subclass"), size=Ratio.SQUARE, variants=Count.TWO, mask=Text("https://example.com/m.png"),
         files=[Text("https://example.com/a.png")], callback_url=Text("https://example.com/hook")),
    dict(files=["https://example.com/a.png"], size="1:1", fallback=False),
    dict(model=MARKET, prompt="market", aspect_ratio="16:9", callback_url="https://example.com/hook"),
    dict(model=MARKET, prompt=Text("market subclass"), aspect_ratio="1:1"),
    dict(model=MARKET, prompt="x", images=["https://example.com/a.png"], nsfw_checker=False),
]


def parsed(request):
    """The library's body for ``request``, parsed by the json module: what request_body must equal."""
    return json.loads(_lib.request_build(json.dumps(build_request(**request)).encode()))


def same_types(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_types(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("request_kwargs", REQUESTS)
def test_request_body_equals_the_parsed_library_body_in_values_types_and_order(request_kwargs):
    body = kieimage.request_body(**request_kwargs)
    assert same_types(body, parsed(request_kwargs))


def test_a_subclass_of_str_is_sent_as_its_text_not_its_str():
    body = kieimage.request_body(prompt=Text("the text"), size="1:1")
    assert body["prompt"] == "the text" and type(body["prompt"]) is str


def test_request_body_is_fresh_on_every_call_and_shares_nothing_with_the_arguments():
    files = ["https://example.com/a.png"]
    first = kieimage.request_body(prompt="p", size="1:1", files=files)
    first["filesUrl"].append("https://example.com/b.png")
    first["prompt"] = "changed"
    assert files == ["https://example.com/a.png"]
    assert kieimage.request_body(prompt="p", size="1:1", files=files) == parsed(dict(prompt="p", size="1:1", files=files))

    extra = {"nested": [1, 2]}
    market = kieimage.request_body(model=MARKET, prompt="x", aspect_ratio="1:1", extra=extra)
    assert market["input"]["extra"] == extra and market["input"]["extra"] is not extra
    assert market["input"]["extra"]["nested"] is not extra["nested"]


def test_build_request_writes_4o_fields_in_the_librarys_order():
    request = dict(REQUESTS[1])
    sent = json.dumps(build_request(**request), separators=(",", ":"), ensure_ascii=False).encode()
    assert _lib.request_build(sent) == sent


def test_a_lone_surrogate_is_the_librarys_error_as_for_generate():
    with pytest.raises(kieimage.KieError) as info:
        kieimage.request_body(prompt="\ud800 lone", size="1:1")
    assert not isinstance(info.value, UnicodeError)


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [True, None, 1.5, "x"], "c": {"d": "ü\U0001F305\n\"\\"}}, [], {}, "s", 0, -1.25e300, None,
])
def test_json_dumps_and_loads_agree_with_the_json_module(value):
    for ascii_only in (True, False):
        text = _json.dumps(value, ascii_only=ascii_only)
        assert text == json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)
        assert _json.loads(text) == value == json.loads(text)
        assert _json.loads(text.encode()) == value


def test_json_loads_accepts_what_json_accepts_and_rejects_the_rest_with_its_error():
    assert _json.loads('  {"a": [1, 2]}\n') == {"a": [1, 2]}
    assert _json.loads(b'\xef\xbb\xbf{"a": "\xc3\xbc"}') == {"a": "\u00fc"}  # a BOM, as json reads it
    odd = "[NaN, -Infinity, 1e400, 10000000000000000000001, 1.5e-7]"  # NaN != NaN: compared as repr
    assert repr(_json.loads(odd)) == repr(json.loads(odd)) == "[nan, -inf, inf, 10000000000000000000001, 1.5e-07]"
    for bad in ["", "{", '{"a": 1} x', "[1,]", "nul", b"\xff"]:
        with pytest.raises(ValueError) as info:
            _json.loads(bad)
        try:
            json.loads(bad)
        except ValueError as expected:
            assert type(info.value) is type(expected)


def test_json_dumps_errors_are_the_json_modules():
    cycle = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular"):
        _json.dumps({"a": cycle})
    with pytest.raises(TypeError, match="not JSON serializable"):
        _json.dumps({"a": object()})


@pytest.mark.parametrize("value", [
    (1, 2), {1: "x"}, Text("x"), Ratio.SQUARE, Count.TWO, {"a": [(1,)]}, {"a": {"b": Text("x")}}, b"x",
])
def test_plain_copy_refuses_what_would_not_round_trip_unchanged(value):
    assert _json.plain_copy(value) is None


def test_plain_copy_copies_every_container_and_refuses_very_deep_nesting():
    value = {"a": [{"b": [1, "x", None, 2.5, False]}]}
    copy = _json.plain_copy(value)
    assert copy == value and copy is not value
    assert copy["a"] is not value["a"] and copy["a"][0] is not value["a"][0]
    deep = []
    for _ in range(100):
        deep = [deep]
    assert _json.plain_copy(deep) is None
