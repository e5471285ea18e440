"""P4: building one generate request in Python: through the binding (kieimage.request_body, which
calls kie_request_build) and the raw ctypes call, next to json.dumps + jsonschema validation."""
import json
import sys
import timeit

import jsonschema
import kieimage
from kieimage import _lib

REQUEST = {"prompt": "A beautiful sunset over the mountains", "size": "1:1", "nVariants": 2,
           "isEnhance": False, "enableFallback": True, "fallbackModel": "FLUX_MAX"}

# The request as a JSON schema a user would write from the API docs (docs/kie-api.md §1a).
URL = {"type": "string", "pattern": "^https?://"}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["size"],
    "properties": {
        "prompt": {"type": "string"},
        "filesUrl": {"type": "array", "items": URL, "maxItems": 5},
        "fileUrl": URL,
        "size": {"enum": ["1:1", "3:2", "2:3"]},
        "nVariants": {"enum": [1, 2, 4]},
        "maskUrl": URL,
        "callBackUrl": URL,
        "isEnhance": {"type": "boolean"},
        "uploadCn": {"type": "boolean"},
        "enableFallback": {"type": "boolean"},
        "fallbackModel": {"enum": ["GPT_IMAGE_1", "FLUX_MAX"]},
    },
    "anyOf": [{"required": ["prompt"]}, {"required": ["filesUrl"]}],
}
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def binding():
    return kieimage.request_body(prompt=REQUEST["prompt"], size="1:1", variants=2, enhance=False, fallback="FLUX_MAX")


TEXT = json.dumps(REQUEST, separators=(",", ":")).encode()


def raw_ctypes():
    return _lib.request_build(TEXT)


def schema_compiled():
    VALIDATOR.validate(REQUEST)
    return json.dumps(REQUEST)


def schema_plain():
    jsonschema.validate(REQUEST, SCHEMA)
    return json.dumps(REQUEST)


def per_call_us(fn, number):
    fn()
    times = timeit.repeat(fn, number=number, repeat=5)
    return min(times) / number * 1e6


assert json.loads(raw_ctypes()) == binding()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
print(json.dumps({
    "bindingUs": per_call_us(binding, n),
    "ctypesUs": per_call_us(raw_ctypes, n),
    "jsonschemaCompiledUs": per_call_us(schema_compiled, n),
    "jsonschemaValidateUs": per_call_us(schema_plain, max(n // 10, 100)),
}))
