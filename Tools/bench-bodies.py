#!/usr/bin/env python3
"""Request bodies for the REST benchmarks (Tools/bench-api.sh, Tools/ndjson-ab.sh), seeded so every run
sends the same bytes. Usage: bench-bodies.py WORK_DIR [all|ndjson]
  all:    one.json, sixtyfour.json, compare.json, heavy.json (heads light/pickapic, d=1024) and the NDJSON files
  ndjson: b64.ndjson, numbers.ndjson only (100,000 lines × 1 item, head small, d=384)"""
import base64, random, struct, sys

work, which = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "all")
random.seed(7)
vec = lambda d: [random.uniform(-1, 1) for _ in range(d)]
b64 = lambda v: base64.b64encode(struct.pack("<%df" % len(v), *v)).decode()
num = lambda v: "[" + ",".join("%.6g" % x for x in v) + "]"
if which == "all":
    open(f"{work}/one.json", "w").write('{"head":"light","items":[{"features_b64":"%s"}]}' % b64(vec(1024)))
    open(f"{work}/sixtyfour.json", "w").write(
        '{"head":"light","items":[%s]}' % ",".join('{"features":%s}' % num(vec(1024)) for _ in range(64)))
    open(f"{work}/compare.json", "w").write(
        '{"head":"light","a":{"features_b64":"%s"},"b":{"features_b64":"%s"}}' % (b64(vec(1024)), b64(vec(1024))))
    open(f"{work}/heavy.json", "w").write('{"head":"pickapic","items":[{"features_b64":"%s"}]}' % b64(vec(1024)))
with open(f"{work}/b64.ndjson", "w") as f:
    for _ in range(100_000): f.write('{"head":"small","items":[{"features_b64":"%s"}]}\n' % b64(vec(384)))
with open(f"{work}/numbers.ndjson", "w") as f:
    for _ in range(100_000): f.write('{"head":"small","items":[{"features":%s}]}\n' % num(vec(384)))
