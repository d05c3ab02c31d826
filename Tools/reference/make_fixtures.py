#!/usr/bin/env python3
"""Writes the golden fixtures for RewardModelTests: one head directory + expected.json per case.

    python3 Tools/reference/make_fixtures.py Tests/RewardModelTests/Fixtures

Tiny dimensions keep the files small. Expected values come from reward_reference.py only.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reward_reference as ref  # noqa: E402

D, PD, H, M, K = 6, 5, 7, 4, 3


def mlp_tensors(rng, prefix, inputs, hidden, outputs):
    t = {}
    for idx, (o, i) in zip((0, 3, 6), ((hidden, inputs), (hidden, hidden), (outputs, hidden))):
        t[f"{prefix}.mlp.layers.{idx}.weight"] = rng.normal(size=(o, i)) / np.sqrt(i)
        t[f"{prefix}.mlp.layers.{idx}.bias"] = rng.normal(size=(o,)) * 0.1
    return t


def cases(rng):
    yield "bt", {"kind": "bt", "feature_dim": D, "state_dim": 0, "hidden_dim": H, "output_dim": 1, "activation": "relu"}, \
        mlp_tensors(rng, "mlp", D, H, 1), "F32"

    t = mlp_tensors(rng, "projector_f", D, H, M)
    for k in range(K):
        t.update(mlp_tensors(rng, f"user_learner.projectors.{k}", PD, H, M))
    t["logit_scale"] = np.array([np.log(3.0)])
    t["population_state"] = rng.normal(size=K) * 0.3
    yield "pal-b-prompt", {"kind": "pal-b", "feature_dim": D, "prompt_dim": PD, "state_dim": K, "hidden_dim": H,
                           "output_dim": M, "activation": "gelu"}, t, "F32"

    t = mlp_tensors(rng, "projector_f", D, H, D)
    t["user_learner.prototypes"] = rng.normal(size=(K, D))
    t["logit_scale"] = np.array([np.log(4.0)])
    t["user_learner.W.alice"] = rng.normal(size=K)
    t["user_learner.W.bob"] = rng.normal(size=K)
    t["population_state"] = (t["user_learner.W.alice"] + t["user_learner.W.bob"]) / 2
    yield "pal-b-residual", {"kind": "pal-b", "feature_dim": D, "state_dim": K, "hidden_dim": H, "output_dim": D,
                             "activation": "relu", "residual": True}, t, "F16"

    t = mlp_tensors(rng, "projector", D, H, M)
    t["user_learner.P"] = rng.normal(size=(K, D))
    yield "pal-a-projected", {"kind": "pal-a", "feature_dim": D, "state_dim": K, "hidden_dim": H, "output_dim": M,
                              "activation": "gelu", "ideal_point_through_projector": True}, t, "F32"

    t = mlp_tensors(rng, "projector", D, H, M)
    t["user_learner.P"] = rng.normal(size=(K, M))
    yield "pal-a-linear", {"kind": "pal-a", "feature_dim": D, "state_dim": K, "hidden_dim": H, "output_dim": M,
                           "activation": "relu", "ideal_point_through_projector": False}, t, "F32"

    t = {"value_head.weight": rng.normal(size=(2 * K, D)) / np.sqrt(D), "prompt_head.weight": rng.normal(size=(K, PD)),
         "population_state": rng.normal(size=K) * 0.2}
    yield "gpm-prompt", {"kind": "gpm", "feature_dim": D, "prompt_dim": PD, "state_dim": K, "tau": 0.1,
                         "normalize_values": True}, t, "F32"

    t = {"value_head.weight": rng.normal(size=(2 * K, D)) / np.sqrt(D), "value_head.bias": rng.normal(size=2 * K) * 0.1}
    yield "gpm-plain", {"kind": "gpm", "feature_dim": D, "state_dim": K, "tau": 0.5}, t, "BF16"

    t = {"score.weight": rng.normal(size=(K, D)), "router.weight": rng.normal(size=(K, PD)),
         "router.bias": rng.normal(size=K), "population_state": rng.normal(size=K) * 0.2}
    yield "micro-router", {"kind": "micro", "feature_dim": D, "prompt_dim": PD, "state_dim": K}, t, "F32"


def main(out):
    rng = np.random.default_rng(20261129)
    for name, config, tensors, dtype in cases(rng):
        config["format_version"] = 1
        directory = os.path.join(out, name)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(config, f, indent=1, sort_keys=True)
        ref.write_safetensors(os.path.join(directory, "model.safetensors"), tensors, dtype)
        stored = {k: ref.stored_values(v, dtype) for k, v in tensors.items()}
        head = ref.Head(config, stored)
        with open(os.path.join(directory, "expected.json"), "w") as f:
            json.dump(expectations(head, config, stored, rng), f, indent=1)
        print("wrote", directory)


def rounded(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def expectations(head, config, t, rng):
    K = config["state_dim"]
    takes_prompt = "prompt_dim" in config
    needs_prompt = config["kind"] == "pal-b" and takes_prompt
    anchor = t.get("population_state", np.zeros(K)).reshape(-1) if K else np.zeros(0)
    queries = []
    for qi in range(3):
        items = rounded(rng.normal(size=(5, D)) * (1.0 if qi < 2 else 3.0))
        prompt = rounded(rng.normal(size=PD)) if (needs_prompt or (takes_prompt and qi != 1)) else None
        theta = rng.normal(size=K) if qi else None
        th = anchor if theta is None else theta
        q = {"items": items.tolist(), "prompt": None if prompt is None else prompt.tolist(),
             "theta": None if theta is None else theta.tolist()}
        q["pairs"] = [[0, 1], [2, 3], [4, 0], [1, 1]]
        q["margins"] = [float(head.margin(items[a], items[b], prompt, th)) for a, b in q["pairs"]]
        q["probabilities"] = [float(ref.sigmoid(m)) for m in q["margins"]]
        if config["kind"] == "gpm":
            reference = rounded(rng.normal(size=D))
            q["reference"] = reference.tolist()
            q["scores_vs_reference"] = head.gpm_scores(items, prompt, th, reference)
            q["scores"] = head.gpm_scores(items, prompt, th)
        else:
            q["scores"] = [float(v) for v in head.scores(items, prompt, th)]
        order, vals, logp = head.rank(items, prompt, th)
        q["rank"] = {"order": order, "scores": vals, "log_probability": logp}
        queries.append(q)
    result = {"kind": config["kind"], "queries": queries}
    if K:
        result["adapt"] = adapt_cases(head, K, anchor, takes_prompt, needs_prompt, rng)
    return result


def adapt_cases(head, K, anchor, takes_prompt, needs_prompt, rng):
    truth = anchor + rng.normal(size=K) * 1.5
    comparisons = []
    for i in range(12):
        a, b = rounded(rng.normal(size=D)), rounded(rng.normal(size=D))
        prompt = rounded(rng.normal(size=PD)) if (needs_prompt or (takes_prompt and i % 2 == 0)) else None
        p = ref.sigmoid(head.margin(a, b, prompt, truth))
        chosen, rejected = (a, b) if rng.uniform() < p else (b, a)
        c = {"chosen": chosen.tolist(), "rejected": rejected.tolist(), "weight": 1.0 if i % 5 else 2.0}
        if prompt is not None:
            c["prompt"] = prompt.tolist()
        comparisons.append(c)
    arrays = [{**c, "chosen": np.array(c["chosen"]), "rejected": np.array(c["rejected"]),
               "prompt": None if "prompt" not in c else np.array(c["prompt"])} for c in comparisons]
    out = []
    for prior, noise in ((1.0, 0.0), (0.5, 0.2)):
        fun = lambda th: head.objective(th, arrays, prior, noise, anchor)  # noqa: E731
        theta, value, gnorm = ref.fit(fun, anchor.copy())
        probes = [anchor + rng.normal(size=K) for _ in range(3)]
        out.append({"prior": prior, "label_noise": noise, "theta": theta.tolist(), "objective": value,
                    "gradient_norm": gnorm,
                    "probes": [{"theta": p.tolist(), "objective": fun(p), "gradient": ref.fd_gradient(fun, p).tolist()}
                               for p in probes]})
    return {"comparisons": comparisons, "anchor": anchor.tolist(), "fits": out}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/RewardModelTests/Fixtures")
