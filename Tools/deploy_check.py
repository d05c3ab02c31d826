#!/usr/bin/env python3
"""Cross-checks Deploy/docker-compose.yml and Deploy/k8s/ against each other, the Dockerfile and the
binary (schema validation is done before, by check-jsonschema and kubernetes-validate).

  Tools/deploy_check.py BINARY [DEPLOY_DIR]

* every REWARD_* variable and every `--flag` the image and the deployments set is one `reward serve --help` knows;
* compose: PostgreSQL has a healthcheck and a named volume; the service waits for it
  (depends_on: service_healthy), gets DATABASE_URL, its secrets are declared, its build context exists;
* k8s: readiness /readyz, liveness /healthz on a declared container port; requests and limits; a
  non-root securityContext with the Dockerfile's uid; preStop + terminationGracePeriodSeconds covering
  preStop, the drain delay and --shutdown-deadline; Service, HPA, PDB select or target the Deployment;
  every ConfigMap/Secret the Deployment reads exists with the keys it reads; kustomization lists files.
Exits 1 and prints every problem found.
"""
import os
import re
import subprocess
import sys

import yaml

from dockerfile_check import instructions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def known_settings(binary):
    """Flags of `reward serve` and the environment variables it reads: each flag's REWARD_* name
    (upper-cased, - → _) and any other name its help mentions (DATABASE_URL, REWARD_HEADS)."""
    text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, check=True).stdout
    flags = set(re.findall(r"--[a-z][a-z0-9-]*", text))
    envs = set(re.findall(r"\b(?:REWARD_[A-Z0-9_]+|DATABASE_URL)\b", text))
    envs |= {"REWARD_" + f[2:].upper().replace("-", "_") for f in flags if not f.startswith("--no-")}
    return flags, envs


def flag_value(args, name, default=0.0):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return float(args[i + 1])
        if a.startswith(name + "="):
            return float(a.split("=", 1)[1])
    return default


def dockerfile_facts(path):
    """The runtime uid, the exposed port, and the REWARD_* names and flags the image sets."""
    steps = instructions(open(path).read())
    final = max(stage for stage, _, _ in steps)
    last = {keyword: rest for stage, keyword, rest in steps if stage == final}
    env = [name for stage, keyword, rest in steps if stage == final and keyword == "ENV"
           for name in re.findall(r"(?:^|\s)([A-Z][A-Z0-9_]*)=", rest)]
    flags = re.findall(r'"(--[a-z0-9-]+)"', last.get("ENTRYPOINT", ""))
    user = re.match(r"\d+", last.get("USER", ""))
    expose = re.match(r"\d+", last.get("EXPOSE", ""))
    return (int(user.group()) if user else None), (int(expose.group()) if expose else None), env, flags


def check_names(where, env_names, args, flags, envs, problems):
    for name in env_names:
        if name.startswith("REWARD_") or name == "DATABASE_URL":
            if name not in envs:
                problems.append(f"{where}: {name} is not a setting `reward serve --help` knows")
    for a in args:
        if a.startswith("--") and a.split("=")[0] not in flags:
            problems.append(f"{where}: {a} is not a flag of `reward serve`")


def seconds(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", str(text))
    if not m:
        return None
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]


def check_compose(path, flags, envs, problems):
    doc = yaml.safe_load(open(path))
    services = doc.get("services", {})
    db = services.get("postgres")
    app = services.get("reward")
    if not db or not app:
        return problems.append(f"{path}: needs services postgres and reward")
    if not db.get("healthcheck", {}).get("test"):
        problems.append(f"{path}: postgres has no healthcheck")
    named = [v.split(":")[0] for v in db.get("volumes", []) if isinstance(v, str)]
    if not any(n in (doc.get("volumes") or {}) for n in named):
        problems.append(f"{path}: postgres data is not on a named volume")
    if (app.get("depends_on") or {}).get("postgres", {}).get("condition") != "service_healthy":
        problems.append(f"{path}: reward does not wait for postgres to be healthy")
    env = app.get("environment") or {}
    if "DATABASE_URL" not in env:
        problems.append(f"{path}: reward gets no DATABASE_URL")
    command = [str(c) for c in app.get("command", [])]
    check_names(path, env.keys(), command, flags, envs, problems)
    declared = doc.get("secrets") or {}
    for s in app.get("secrets", []):
        name = s if isinstance(s, str) else s.get("source")
        if name not in declared:
            problems.append(f"{path}: secret {name} is not declared")
    for key, value in env.items():
        m = re.fullmatch(r"/run/secrets/(\w+)", str(value))
        if m and m.group(1) not in [s if isinstance(s, str) else s.get("source") for s in app.get("secrets", [])]:
            problems.append(f"{path}: {key} points at secret {m.group(1)}, which reward does not mount")
    build = app.get("build") or {}
    context = os.path.join(os.path.dirname(path), build.get("context", "."))
    if not os.path.exists(os.path.join(context, build.get("dockerfile", "Dockerfile"))):
        problems.append(f"{path}: build context has no {build.get('dockerfile', 'Dockerfile')}")
    grace = seconds(app.get("stop_grace_period", "10s"))
    delay = max(flag_value(command, "--drain-delay"), float(env.get("REWARD_DRAIN_DELAY", 0)))
    if grace is not None and grace < flag_value(command, "--shutdown-deadline", 25) + delay:
        problems.append(f"{path}: stop_grace_period is shorter than drain delay + --shutdown-deadline")


def load_k8s(directory):
    docs = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".yaml"):
            for d in yaml.safe_load_all(open(os.path.join(directory, name))):
                if d:
                    docs.setdefault(d["kind"], []).append((name, d))
    return docs


def check_k8s(directory, flags, envs, uid, port, problems):
    docs = load_k8s(directory)
    kust = [d for _, d in docs.get("Kustomization", [])]
    for k in kust:
        for r in k.get("resources", []):
            if not os.path.exists(os.path.join(directory, r)):
                problems.append(f"kustomization lists {r}, which does not exist")
    listed = {r for k in kust for r in k.get("resources", [])}
    for kind in ("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        if not any(f in listed for f, _ in docs.get(kind, [])):
            problems.append(f"no {kind} in kustomization.yaml")
    if not docs.get("Secret"):
        problems.append("no Secret manifest (example) in Deploy/k8s")
    if not docs.get("Deployment"):
        return
    _, dep = docs["Deployment"][0]
    name, pod = dep["metadata"]["name"], dep["spec"]["template"]
    labels = pod["metadata"]["labels"]
    spec = pod["spec"]
    c = spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    if port not in ports.values():
        problems.append(f"Deployment's containerPort is not the Dockerfile's EXPOSE {port}")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = (c.get(probe) or {}).get("httpGet", {})
        if get.get("path") != path or get.get("port") not in list(ports) + list(ports.values()):
            problems.append(f"Deployment {probe} is not GET {path} on a container port")
    res = c.get("resources", {})
    if not res.get("requests", {}).get("cpu") or not res.get("requests", {}).get("memory") or not res.get("limits", {}).get("memory"):
        problems.append("Deployment needs cpu/memory requests and a memory limit (HPA works on requests)")
    sc = spec.get("securityContext", {})
    if not sc.get("runAsNonRoot") or sc.get("runAsUser") != uid:
        problems.append(f"Deployment must run as non-root uid {uid} (the Dockerfile's USER)")
    if (c.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False:
        problems.append("Deployment container allows privilege escalation")
    pre = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command", [])
    if len(pre) != 2 or pre[0] != "sleep":
        problems.append("Deployment has no preStop sleep (load balancers need time to stop routing)")
    args = [str(a) for a in c.get("args", [])]
    env_names = [e["name"] for e in c.get("env", [])]
    cm_names = [e["configMapRef"]["name"] for e in c.get("envFrom", []) if "configMapRef" in e]
    delay = flag_value(args, "--drain-delay")
    for n, cm in docs.get("ConfigMap", []):
        if cm["metadata"]["name"] in cm_names:
            env_names += list(cm["data"])
            delay = max(delay, float(cm["data"].get("REWARD_DRAIN_DELAY", 0)))
    check_names("Deployment/ConfigMap", env_names, args, flags, envs, problems)
    needed = (float(pre[1]) if len(pre) == 2 else 0) + delay + flag_value(args, "--shutdown-deadline", 25)
    if spec.get("terminationGracePeriodSeconds", 30) < needed:
        problems.append(f"terminationGracePeriodSeconds < preStop + drain delay + --shutdown-deadline = {needed:g}s")
    for cm in cm_names:
        if not any(d["metadata"]["name"] == cm for _, d in docs.get("ConfigMap", [])):
            problems.append(f"ConfigMap {cm} read by the Deployment does not exist")
    secret_keys = {}
    for _, s in docs.get("Secret", []):
        secret_keys[s["metadata"]["name"]] = set((s.get("stringData") or {}) | (s.get("data") or {}))
    refs = [(e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
            for e in c.get("env", []) if "secretKeyRef" in (e.get("valueFrom") or {})]
    refs += [(v["secret"]["secretName"], i["key"]) for v in spec.get("volumes", []) if "secret" in v for i in v["secret"].get("items", [])]
    for secret, key in refs:
        if key not in secret_keys.get(secret, set()):
            problems.append(f"Secret {secret} (example) lacks key {key} that the Deployment reads")
    # Secret files are owned by root with group fsGroup: a non-root user reads them only through the group
    # (or other) bits of the mode (kubelet's default 0644).
    mounted = {m["name"] for m in c.get("volumeMounts", [])}
    for v in spec.get("volumes", []):
        if "secret" not in v or v["name"] not in mounted or sc.get("runAsUser", 0) == 0:
            continue
        for item in v["secret"].get("items", [{}]):
            mode = item.get("mode", v["secret"].get("defaultMode", 0o644))
            if not (mode & 0o004 or (sc.get("fsGroup") is not None and mode & 0o040)):
                problems.append(f"Secret volume {v['name']}: mode {mode:04o} is unreadable by uid {sc.get('runAsUser')} "
                                "(files are root-owned; grant group read with fsGroup)")
    for kind in ("Service", "PodDisruptionBudget"):
        for f, d in docs.get(kind, []):
            sel = d["spec"]["selector"]
            sel = sel.get("matchLabels", sel)
            if not sel or any(labels.get(k) != v for k, v in sel.items()):
                problems.append(f"{kind} in {f} does not select the Deployment's pods")
    for f, svc in docs.get("Service", []):
        for p in svc["spec"]["ports"]:
            if p["targetPort"] not in list(ports) + list(ports.values()):
                problems.append(f"Service targetPort {p['targetPort']} is no container port")
    for f, h in docs.get("HorizontalPodAutoscaler", []):
        ref = h["spec"]["scaleTargetRef"]
        if ref["kind"] != "Deployment" or ref["name"] != name:
            problems.append("HPA does not scale the Deployment")
        if h["spec"].get("minReplicas", 1) < 2:
            problems.append("HPA minReplicas < 2: a single replica cannot survive a disruption")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    deploy = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Deploy")
    dockerfile = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "Dockerfile")
    flags, envs = known_settings(binary)
    uid, port, image_env, image_flags = dockerfile_facts(dockerfile)
    problems = []
    check_names("Dockerfile", image_env, image_flags, flags, envs, problems)
    check_compose(os.path.join(deploy, "docker-compose.yml"), flags, envs, problems)
    check_k8s(os.path.join(deploy, "k8s"), flags, envs, uid, port, problems)
    for p in problems:
        print(f"deploy: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("deploy: compose and k8s manifests agree with each other, the Dockerfile and `reward serve --help`")


if __name__ == "__main__":
    main()
