"""Schemathesis hooks for the positive-data run of Tools/schemathesis.sh.

openapi.yaml states every rule that needs no head. The rules it cannot state depend on the heads
the server under test serves, or count bytes where JSON Schema counts characters. These hooks make
each generated case obey them, so `positive_data_acceptance` can demand that valid requests succeed:
- vectors have the dimension of the head the request names (else the default head), `features_b64`
  decodes to that many finite float32 values, an inline `theta` has the head's state size;
- feature values stay within ±1e4: any float32 is valid JSON for a vector, but a head refuses
  inputs whose activations overflow float32, a bound that depends on its weights;
- `text` items go only to heads on the encoder's feature space, `prompt` only to heads that take
  one (and always to pal-b heads with prompt projectors, which need one: `requires_prompt`),
  `reference` only to gpm heads; a gpm score without a reference has at least two items (it scores
  each against the others); a population (bt) head is never asked to adapt or pick a comparison;
- ids, names and sources are at most 256 bytes of UTF-8 and item texts at most 100,000 (the schema's
  maxLength counts characters); comparison ids are unique within a request;
- a `cursor` is opaque (only the service's own are valid), so generated ones are dropped;
- head names are mapped onto served heads and some user / comparison ids onto the ones
  Tools/schemathesis.sh stored first, so requests reach the model and the store instead of a 404.
Validation itself is untouched: everything the hooks do not rewrite is the generator's own data.

The heads are read from the live server (REWARD_URL) when the hooks are loaded.
"""
import base64
import copy
import hashlib
import json
import os
import struct
import urllib.request

import schemathesis

_URL = os.environ["REWARD_URL"]
with urllib.request.urlopen(_URL + "/v1/heads") as response:
    HEADS = {h["name"]: h for h in json.load(response)["heads"]}
DEFAULT_HEAD = next(name for name, h in HEADS.items() if h["default"])
SEEDED_USER = os.environ.get("REWARD_SEEDED_USER")
SEEDED_COMPARISON = os.environ.get("REWARD_SEEDED_COMPARISON")

ITEM_FIELDS = ("a", "b", "chosen", "rejected", "prompt", "reference")
ITEM_LISTS = ("items", "candidates")
SCORED = ("items", "candidates", "a", "pairs", "chosen")  # objects a prompt applies to
STATE_ROUTES = ("/v1/adapt", "/v1/users/{user}/adapt", "/v1/users/{user}/next-comparison")
MAX_ID_BYTES = 256
MAX_TEXT_BYTES = 100_000
MAX_FEATURE = 1e4


def _digest(value) -> bytes:
    return hashlib.sha256(repr(value).encode()).digest()


def _pick(value, options):
    """A deterministic choice, so a shrunk or replayed case maps the same way."""
    options = sorted(options)
    return options[_digest(value)[0] % len(options)]


def _truncated(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def _vector(dimension: int, seed) -> list:
    """`dimension` finite values in [-1, 1) derived from the generated value they replace."""
    stream = b""
    counter = 0
    while len(stream) < dimension:
        stream += _digest((seed, counter))
        counter += 1
    return [(byte - 128) / 128 for byte in stream[:dimension]]


def _resized(values: list, dimension: int, bound: float) -> list:
    """The generated numbers, cycled or cut to `dimension` and clamped to ±bound."""
    clamp = lambda x: max(-bound, min(bound, x))
    return [clamp(values[i % len(values)]) for i in range(dimension)] if values else [0.0] * dimension


def _head(name):
    return name if name in HEADS else _pick(name, HEADS)


def _item(item, head, dimension):
    if not isinstance(item, dict):
        return item
    if "features" in item and isinstance(item["features"], list):
        return {"features": _resized(item["features"], dimension, MAX_FEATURE)}
    if "features_b64" in item:
        floats = _vector(dimension, item["features_b64"])
        return {"features_b64": base64.b64encode(struct.pack(f"<{dimension}f", *floats)).decode()}
    if "text" in item and isinstance(item["text"], str):
        if head.get("backbone") and dimension == head["feature_dim"]:
            return {"text": _truncated(item["text"], MAX_TEXT_BYTES)}
        return {"features": _vector(dimension, item["text"])}
    return item


def _body(body: dict, head: dict) -> None:
    """Fits one request object (and the pairs or comparisons inside it) to `head`."""
    if "prompt" in body and not head.get("uses_prompt"):
        del body["prompt"]
    if "reference" in body and head["kind"] != "gpm":
        del body["reference"]
    if head.get("requires_prompt") and "prompt" not in body and any(k in body for k in SCORED):
        body["prompt"] = {"features": _vector(head["prompt_dim"], sorted(body))}
    for key in ITEM_FIELDS:
        if key in body:
            body[key] = _item(body[key], head, head["prompt_dim"] if key == "prompt" else head["feature_dim"])
    for key in ITEM_LISTS:
        if isinstance(body.get(key), list):
            body[key] = [_item(item, head, head["feature_dim"]) for item in body[key]]
    if head["kind"] == "gpm" and "reference" not in body and isinstance(body.get("items"), list) and len(body["items"]) == 1:
        body["items"].append(body["items"][0])  # gpm scores against the other items: it needs two
    for key in ("user", "source", "head"):
        if isinstance(body.get(key), str):
            body[key] = _truncated(body[key], MAX_ID_BYTES)
    state = body.get("user_state")
    if isinstance(state, dict) and isinstance(state.get("theta"), list):
        state["theta"] = _resized(state["theta"], head["state_dim"], 1e6)
    for key in ("pairs", "comparisons"):
        if isinstance(body.get(key), list):
            for nested in body[key]:
                if isinstance(nested, dict):
                    _body(nested, head)
    if isinstance(body.get("comparisons"), list):
        seen = set()
        for index, comparison in enumerate(body["comparisons"]):
            if isinstance(comparison, dict) and isinstance(comparison.get("id"), str):
                cid = _truncated(comparison["id"], MAX_ID_BYTES - 8)
                comparison["id"] = cid if cid not in seen else f"{cid}#{index}"
                seen.add(comparison["id"])


def _fit(case):
    # Copies first: generated cases may share nested objects, and one fitted for one head must not
    # leak into another.
    query = copy.deepcopy(case.query) if isinstance(case.query, dict) else None
    case.query = query if query is not None else case.query
    if query is not None:
        query.pop("cursor", None)
        if isinstance(query.get("head"), str):
            query["head"] = _head(query["head"])
    path = dict(case.path_parameters) if isinstance(case.path_parameters, dict) else None
    case.path_parameters = path if path is not None else case.path_parameters
    if path is not None and isinstance(path.get("user"), str):  # /v1/heads/{name} keeps its unknown names
        path["user"] = _truncated(path["user"], MAX_ID_BYTES)
        if SEEDED_USER and _digest(path["user"])[1] % 2 == 0:
            # Half the cases name the stored user (and, on comparison routes, the stored comparison).
            path["user"] = SEEDED_USER
            if "comparison" in path and SEEDED_COMPARISON:
                path["comparison"] = SEEDED_COMPARISON
    if path is not None and isinstance(path.get("comparison"), str):
        path["comparison"] = _truncated(path["comparison"], MAX_ID_BYTES)
    body = case.body = copy.deepcopy(case.body) if isinstance(case.body, dict) else None
    if body is not None and isinstance(body.get("head"), str):
        body["head"] = _head(body["head"])
    name = (body or {}).get("head") or (query or {}).get("head") or DEFAULT_HEAD
    if HEADS[name]["kind"] == "bt" and (case.operation.path in STATE_ROUTES or (body or {}).get("adapt") is True):
        # A population head has no user state to fit: these requests go to a personalized head.
        name = _pick(name, [n for n, h in HEADS.items() if h["kind"] != "bt"])
        for holder in (body, query):  # the default head is personalized: the name came from one of these
            if holder is not None and "head" in holder:
                holder["head"] = name
    if body is not None:
        _body(body, HEADS[name])
    return case


@schemathesis.hook
def map_case(context, case):
    return _fit(case)


@schemathesis.hook
def before_add_examples(context, examples):
    for case in examples:
        _fit(case)
