"""Independent numpy reference for the reward heads (DESIGN.md §3).

Written from the formulas, not from the Swift code: every quantity is computed by a plain forward
pass in float64 (no cached features, no closed-form derivatives). The adapt reference minimises the
objective with scipy using finite-difference gradients, so it shares nothing with the Swift solver.
"""
import json
import struct

import numpy as np
from scipy.special import erf

EPS = 1e-6  # norms are sqrt(|v|^2 + EPS^2)


def norm_eps(v):
    return np.sqrt(np.sum(v * v, axis=-1) + EPS * EPS)


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def sigmoid(x):
    return np.exp(log_sigmoid(x))


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def logsumexp(v):
    v = np.asarray(v, dtype=np.float64)
    m = v.max()
    return m + np.log(np.sum(np.exp(v - m)))


# ---------------------------------------------------------------- safetensors (numpy only)

def write_safetensors(path, tensors, dtype="F32"):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        arr = np.asarray(tensors[name], dtype=np.float32)
        if dtype == "F32":
            raw = arr.astype("<f4").tobytes()
        elif dtype == "F16":
            raw = arr.astype("<f2").tobytes()
        elif dtype == "BF16":
            raw = (to_bf16_bits(arr)).astype("<u2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def to_bf16_bits(arr):
    bits = np.asarray(arr, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)  # round to nearest even
    return (rounded >> 16).astype(np.uint16)


def stored_values(arr, dtype):
    """The float64 values a reader gets back after storing `arr` with `dtype`."""
    arr = np.asarray(arr, dtype=np.float32)
    if dtype == "F16":
        return arr.astype(np.float16).astype(np.float64)
    if dtype == "BF16":
        return (to_bf16_bits(arr).astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return arr.astype(np.float64)


# ---------------------------------------------------------------- layers

def act(x, kind):
    if kind == "relu":
        return np.maximum(x, 0.0)
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def mlp(t, prefix, x, activation, residual):
    h = np.asarray(x, dtype=np.float64)
    for i, idx in enumerate((0, 3, 6)):
        w = t[f"{prefix}.mlp.layers.{idx}.weight"]
        b = t.get(f"{prefix}.mlp.layers.{idx}.bias")
        h = h @ w.T + (0 if b is None else b)
        if i < 2:
            h = act(h, activation)
    return h + x if residual else h


class Head:
    """A head from config + float64 tensors. prompt: vector or None; theta: K vector."""

    def __init__(self, config, tensors):
        self.c = config
        self.t = tensors
        self.kind = config["kind"]
        self.K = config["state_dim"]

    # ---- scalar scores (None for gpm)
    def scores(self, items, prompt, theta):
        c, t, k = self.c, self.t, self.kind
        items = np.asarray(items, dtype=np.float64)
        if k == "bt":
            return mlp(t, "mlp", items, c["activation"], False)[:, 0]
        if k == "pal-b":
            f = mlp(t, "projector_f", items, c["activation"], c.get("residual", False))
            if prompt is None:
                g = t["user_learner.prototypes"]
            else:
                g = np.stack([mlp(t, f"user_learner.projectors.{i}", prompt, c["activation"], c.get("residual", False))
                              for i in range(self.K)])
            u = softmax(theta) @ g
            s = min(np.exp(float(t["logit_scale"].reshape(-1)[0])), 100.0)
            return s * (f @ u) / (norm_eps(f) * norm_eps(u))
        if k == "pal-a":
            f = mlp(t, "projector", items, c["activation"], c.get("residual", False))
            z = softmax(theta) @ t["user_learner.P"]
            a = mlp(t, "projector", z, c["activation"], c.get("residual", False)) if c.get("ideal_point_through_projector", True) else z
            return -norm_eps(f - a)
        if k == "micro":
            r = items @ t["score.weight"].T
            return r @ self.mixture(prompt, theta)
        return None

    def mixture(self, prompt, theta):
        t = self.t
        if self.kind == "micro":
            if prompt is None:
                off = t.get("router.bias", np.zeros(self.K))
            else:
                off = t["router.weight"] @ prompt + t.get("router.bias", 0)
            return softmax(theta + off)
        off = np.zeros(self.K) if prompt is None else t["prompt_head.weight"] @ prompt + t.get("prompt_head.bias", 0)
        return softmax(theta + off)

    def values(self, items):
        v = np.asarray(items, dtype=np.float64) @ self.t["value_head.weight"].T + self.t.get("value_head.bias", 0)
        if self.c.get("normalize_values", False):
            v = v / norm_eps(v)[:, None]
        return v

    # ---- logit P(a > b)
    def margin(self, a, b, prompt, theta):
        if self.kind == "gpm":
            va, vb = self.values(np.stack([a, b]))
            lam = self.mixture(prompt, theta)
            s = sum(lam[i] * (va[2 * i] * vb[2 * i + 1] - va[2 * i + 1] * vb[2 * i]) for i in range(self.K))
            return s / self.c.get("tau", 0.1)
        if self.kind == "micro":
            w = self.t["score.weight"]
            d = w @ a - w @ b
            logpi = np.log(self.mixture(prompt, theta))
            return logsumexp(logpi + log_sigmoid(d)) - logsumexp(logpi + log_sigmoid(-d))
        r = self.scores(np.stack([a, b]), prompt, theta)
        return r[0] - r[1]

    def gpm_scores(self, items, prompt, theta, reference=None):
        n = len(items)
        if reference is not None:
            return [float(sigmoid(self.margin(items[i], reference, prompt, theta))) for i in range(n)]
        return [float(np.mean([sigmoid(self.margin(items[i], items[j], prompt, theta)) for j in range(n) if j != i]))
                for i in range(n)]

    def rank(self, items, prompt, theta):
        n = len(items)
        if self.kind in ("gpm", "micro"):
            vals = [float(np.mean([sigmoid(self.margin(items[i], items[j], prompt, theta)) for j in range(n) if j != i]))
                    for i in range(n)]
        else:
            vals = [float(v) for v in self.scores(items, prompt, theta)]
        order = sorted(range(n), key=lambda i: (-vals[i], i))
        if self.kind == "gpm":
            return order, vals, None
        if self.kind == "micro":
            pi = self.mixture(prompt, theta)
            r = np.asarray(items) @ self.t["score.weight"].T
            terms = [np.log(pi[k]) + pl_log_prob([r[o, k] for o in order]) for k in range(self.K)]
            return order, vals, float(logsumexp(terms))
        return order, vals, pl_log_prob([vals[o] for o in order])

    # ---- adapt objective
    def objective(self, theta, comparisons, prior, noise, anchor):
        total = 0.0
        for cmp in comparisons:
            h = self.margin(cmp["chosen"], cmp["rejected"], cmp.get("prompt"), theta)
            loss = ((1 - noise) * np.logaddexp(0.0, -h) - noise * np.logaddexp(0.0, h)) / (1 - 2 * noise)
            total += cmp.get("weight", 1.0) * loss
        d = np.asarray(theta) - anchor
        return float(total + 0.5 * prior * d @ d)


def pl_log_prob(ordered):
    ordered = np.asarray(ordered, dtype=np.float64)
    return float(sum(ordered[i] - logsumexp(ordered[i:]) for i in range(len(ordered))))


def fd_gradient(fun, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (fun(x + e) - fun(x - e)) / (2 * h)
    return g


def fit(fun, start):
    """Minimise with BFGS on finite-difference gradients, then polish with FD Newton steps."""
    from scipy.optimize import minimize
    res = minimize(fun, start, jac=lambda x: fd_gradient(fun, x), method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    x = res.x
    for _ in range(8):
        g = fd_gradient(fun, x)
        n = len(x)
        H = np.zeros((n, n))
        for j in range(n):
            e = np.zeros(n)
            e[j] = 1e-4
            H[:, j] = (fd_gradient(fun, x + e) - fd_gradient(fun, x - e)) / 2e-4
        H = 0.5 * (H + H.T)
        try:
            step = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            break
        if fun(x + step) <= fun(x) + 1e-12:
            x = x + step
    return x, fun(x), float(np.linalg.norm(fd_gradient(fun, x)))
