#!/usr/bin/env python3
"""Convert a PAL checkpoint (RamyaLab/pluralistic-alignment) into a reward head directory.

    python3 Tools/convert_pal_ckpt.py CKPT OUT_DIR --kind pal-b [--activation gelu] [--residual]
    python3 Tools/convert_pal_ckpt.py CKPT OUT_DIR --kind pal-a --pal-a-type "f(Pw)"

CKPT is a Lightning checkpoint (.ckpt: torch is imported only to read it) or a state dict saved as
.safetensors / .npz (no torch needed). The backbone ("llm.*") is dropped; the head keeps PAL's
names (DESIGN.md §4, docs/HEADS.md):

  pal-b: projector_f.mlp.layers.{0,3,6}.*, user_learner.projectors.{k}.mlp.layers.{0,3,6}.*,
         logit_scale, user_learner.W.<uid>  (+ population_state = mean of the W)
  pal-a: projector.mlp.layers.{0,3,6}.*, user_learner.P, user_learner.W.<uid>
         "f(Pw)" → ideal_point_through_projector = true; "Pw" → false;
         "f(P)w" → false with P replaced by f(P) (w ↦ wᵀf(P) is linear, so it is exact).

PAL's mlp2 ("mlp2-<act>-dropout<p>[-residual]") is Linear → Dropout → act → Linear → Dropout → act
→ Linear; the activation is not in the weights, so it comes from the checkpoint's hyper-parameters
(proj_arch) when present, else from --activation. A softmax temperature τ ≠ 1 is folded into θ = W/τ.
"""
import argparse
import json
import os
import re
import struct
import sys

import numpy as np


def load_state(path):
    if path.endswith(".npz"):
        return {k: np.asarray(v, dtype=np.float64) for k, v in np.load(path).items()}, {}
    if path.endswith(".safetensors"):
        return read_safetensors(path), {}
    import torch  # only for Lightning checkpoints

    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    state = ckpt.get("state_dict", ckpt)
    hparams = ckpt.get("hyper_parameters", {}) or {}
    out = {}
    for k, v in state.items():
        if hasattr(v, "dtype") and v.dtype.is_floating_point:
            out[k] = v.detach().float().cpu().numpy().astype(np.float64)
    return out, hparams


def read_safetensors(path):
    dtypes = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        if e["dtype"] in dtypes:
            out[name] = np.frombuffer(data[b:end], dtype=dtypes[e["dtype"]]).reshape(e["shape"]).astype(np.float64)
        elif e["dtype"] == "BF16":
            raw = np.frombuffer(data[b:end], dtype="<u2").astype(np.uint32) << 16
            out[name] = raw.view(np.float32).reshape(e["shape"]).astype(np.float64)
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt", "source": "convert_pal_ckpt.py"}}, [], 0
    for name in sorted(tensors):
        raw = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(tensors[name])), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def find(state, suffix):
    """The tensor whose name is `suffix` or ends with `.suffix` (checkpoints add module prefixes)."""
    hits = sorted(k for k in state if k == suffix or k.endswith("." + suffix))
    return state[hits[0]] if hits else None


def mlp_tensors(state, source, target):
    out = {}
    for idx in (0, 3, 6):
        for part in ("weight", "bias"):
            t = find(state, f"{source}.mlp.layers.{idx}.{part}")
            if t is None and part == "weight":
                sys.exit(f"missing {source}.mlp.layers.{idx}.weight (is this an mlp2 PAL checkpoint?)")
            if t is not None:
                out[f"{target}.mlp.layers.{idx}.{part}"] = t
    return out


def act(x, kind):
    if kind == "relu":
        return np.maximum(x, 0)
    from math import erf
    return 0.5 * x * (1 + np.vectorize(erf)(x / np.sqrt(2)))


def run_mlp(t, prefix, x, activation, residual):
    h = x
    for i, idx in enumerate((0, 3, 6)):
        h = h @ t[f"{prefix}.mlp.layers.{idx}.weight"].T + t.get(f"{prefix}.mlp.layers.{idx}.bias", 0)
        if i < 2:
            h = act(h, activation)
    return h + x if residual else h


def users(state, k, temperature):
    out = {}
    for name, v in state.items():
        m = re.search(r"user_learner\.W\.(.+)$", name)
        if m and np.size(v) == k:
            out[m.group(1)] = np.reshape(v, -1) / temperature
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("out_dir")
    ap.add_argument("--kind", choices=["pal-a", "pal-b"], required=True)
    ap.add_argument("--activation", choices=["relu", "gelu"], help="mlp2 activation when the checkpoint does not say")
    ap.add_argument("--residual", action="store_true", help="mlp2 with identity map (…-residual)")
    ap.add_argument("--pal-a-type", default="f(Pw)", choices=["f(Pw)", "Pw", "f(P)w"])
    ap.add_argument("--backbone", help="backbone name for config.json")
    ap.add_argument("--version", default="1")
    args = ap.parse_args()

    state, hparams = load_state(args.checkpoint)
    arch = str(hparams.get("proj_arch", ""))
    m = re.match(r"mlp(\d+)-(relu|gelu|linear)-dropout\d+(.*)", arch)
    activation, residual = args.activation, args.residual
    if m:
        if m.group(1) != "2" or m.group(2) == "linear":
            sys.exit(f"only mlp2 with relu/gelu projectors are supported, checkpoint has {arch}")
        activation, residual = m.group(2), "residual" in m.group(3)
    if activation is None:
        sys.exit("the checkpoint does not record proj_arch: pass --activation relu|gelu")
    temp = find(state, "softmax_w.temperature")
    temperature = float(np.reshape(temp, -1)[0]) if temp is not None else float(hparams.get("sfx_temperature", 1.0) or 1.0)

    t = {}
    if args.kind == "pal-b":
        t.update(mlp_tensors(state, "projector_f", "projector_f"))
        k = 0
        while find(state, f"user_learner.projectors.{k}.mlp.layers.0.weight") is not None:
            t.update(mlp_tensors(state, f"user_learner.projectors.{k}", f"user_learner.projectors.{k}"))
            k += 1
        if k == 0:
            sys.exit("no user_learner.projectors.{k} found")
        scale = find(state, "logit_scale")
        t["logit_scale"] = np.reshape(scale if scale is not None else np.log(1 / 0.07), [1])
        d = t["projector_f.mlp.layers.0.weight"].shape[1]
        width = t["projector_f.mlp.layers.0.weight"].shape[0]
        m_out = t["projector_f.mlp.layers.6.weight"].shape[0]
        pdim = t["user_learner.projectors.0.mlp.layers.0.weight"].shape[1]
        config = {"kind": "pal-b", "feature_dim": d, "prompt_dim": pdim, "state_dim": k, "hidden_dim": width,
                  "output_dim": m_out, "activation": activation, "residual": residual}
    else:
        t.update(mlp_tensors(state, "projector", "projector"))
        P = find(state, "user_learner.P")
        if P is None:
            sys.exit("no user_learner.P found")
        k = P.shape[0]
        through = args.pal_a_type == "f(Pw)"
        if args.pal_a_type == "f(P)w":
            P = run_mlp(t, "projector", P, activation, residual)
        t["user_learner.P"] = P
        d = t["projector.mlp.layers.0.weight"].shape[1]
        config = {"kind": "pal-a", "feature_dim": d, "state_dim": k,
                  "hidden_dim": t["projector.mlp.layers.0.weight"].shape[0],
                  "output_dim": t["projector.mlp.layers.6.weight"].shape[0], "activation": activation,
                  "residual": residual, "ideal_point_through_projector": through}
    seen = users(state, k, temperature)
    for uid, theta in seen.items():
        t[f"user_learner.W.{uid}"] = theta
    t["population_state"] = np.mean(list(seen.values()), axis=0) if seen else np.zeros(k)
    config.update({"format_version": 1, "version": args.version})
    if args.backbone:
        config["backbone"] = {"name": args.backbone, "feature_dim": config["feature_dim"]}
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    write_safetensors(os.path.join(args.out_dir, "model.safetensors"), t)
    print(f"wrote {args.out_dir}: {config['kind']}, d={config['feature_dim']}, K={k}, {len(seen)} named users")


if __name__ == "__main__":
    main()
