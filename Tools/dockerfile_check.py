#!/usr/bin/env python3
"""Checks the Dockerfile without a Docker engine (there is none here, nor in CI).

  Tools/dockerfile_check.py BINARY [DOCKERFILE [CONTEXT]]

BINARY is a `reward` built on this machine (Debian bookworm, like the runtime image); the debug
binary needs the same system libraries as the release one, except those Package.swift links in
release builds only (jemalloc), which are checked by name. Checks:
  * every COPY/ADD source from the build context exists and is not excluded by .dockerignore;
  * every `COPY --from=builder` source is produced by the builder stage (or ships with the toolchain);
  * every shared library `ldd BINARY` lists is provided in the runtime stage: a Swift runtime
    library by `--static-swift-stdlib` (or a copied runtime directory), any other library by a
    Debian package that the runtime stage installs, directly, as a dependency, or in the base image;
  * the image is coherent: non-root USER, EXPOSE = --port = HEALTHCHECK port, HEALTHCHECK on
    /healthz, ENTRYPOINT runs `reward serve` on 0.0.0.0, the served heads and encoder are copied.
Exits 1 and prints every problem found.
"""
import fnmatch
import glob
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def instructions(text):
    """(stage index, keyword, argument text) for each instruction; continuations joined."""
    out, stage, pending = [], -1, ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        out.append((stage, keyword, rest.strip()))
    return out


def stage_names(instrs):
    names = {}
    for stage, keyword, rest in instrs:
        if keyword == "FROM":
            m = re.search(r"\bAS\s+(\S+)", rest, re.I)
            names[stage] = m.group(1) if m else str(stage)
    return names


def copy_parts(rest):
    """(flags dict, sources, destination) of a COPY/ADD in shell or JSON form."""
    if rest.startswith("["):
        import json
        words = json.loads(rest)
    else:
        words = shlex.split(rest)
    flags = {}
    while words and words[0].startswith("--"):
        key, _, value = words.pop(0)[2:].partition("=")
        flags[key] = value
    return flags, words[:-1], words[-1]


def dockerignore_patterns(context):
    path = os.path.join(context, ".dockerignore")
    if not os.path.exists(path):
        return []
    lines = [l.strip() for l in open(path) if l.strip() and not l.strip().startswith("#")]
    return [l.lstrip("/") for l in lines]


def ignored(relpath, patterns):
    """Docker's rule: the last matching pattern wins; `!` re-includes; a match on a parent excludes."""
    result = False
    parts = relpath.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        negate = pattern.startswith("!")
        p = pattern[1:] if negate else pattern
        for candidate in prefixes:
            if fnmatch.fnmatchcase(candidate, p) or (p.startswith("**/") and fnmatch.fnmatchcase(candidate.split("/")[-1], p[3:])):
                result = not negate
                break
    return result


def toolchain_root():
    swift = subprocess.run(["sh", "-c", "command -v swift"], capture_output=True, text=True).stdout.strip()
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(swift)))) if swift else None


def dpkg_owners(paths):
    """path → owning Debian package, in one dpkg-query call (merged /usr: try both spellings)."""
    candidates = {}
    for path in paths:
        for p in (path, os.path.realpath(path)):
            candidates.setdefault(p, path)
            alias = "/usr" + p if p.startswith("/lib") else p[4:] if p.startswith("/usr/lib") else None
            if alias:
                candidates.setdefault(alias, path)
    out = subprocess.run(["dpkg-query", "-S", *candidates], capture_output=True, text=True).stdout
    owners = {}
    for line in out.splitlines():
        package, _, found = line.partition(": ")
        if found in candidates:
            owners.setdefault(candidates[found], package.split(":")[0].split(",")[0].strip())
    return owners


def installed_packages():
    """name → (priority, essential, depends groups, provides) for every installed package."""
    fmt = "${Package}\t${Status}\t${Priority}\t${Essential}\t${Pre-Depends}, ${Depends}\t${Provides}\n"
    out = subprocess.run(["dpkg-query", "-W", "-f", fmt], capture_output=True, text=True, check=True).stdout
    pkgs, providers = {}, {}
    for line in out.splitlines():
        name, status, priority, essential, deps, provides = line.split("\t")
        if not status.endswith("installed"):
            continue
        groups = []
        for group in deps.split(","):
            alts = [re.sub(r"[\s(:].*", "", a.strip()) for a in group.split("|")]
            alts = [a for a in alts if a]
            if alts:
                groups.append(alts)
        pkgs[name] = (priority, essential == "yes", groups)
        for p in provides.split(","):
            p = re.sub(r"[\s(].*", "", p.strip())
            if p:
                providers.setdefault(p, []).append(name)
    return pkgs, providers


def closure(roots, pkgs, providers):
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in pkgs:
            continue
        seen.add(name)
        for alts in pkgs[name][2]:
            for a in alts:  # the first alternative installed here (apt's choice too, for these)
                real = [a] if a in pkgs else [p for p in providers.get(a, []) if p in pkgs]
                if real:
                    todo.append(real[0])
                    break
    return seen


def apt_installs(run_text):
    pkgs = []
    for m in re.finditer(r"apt-get\s+install\s+([^&;|]*)", run_text):
        pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


def check(binary, dockerfile, context):
    problems = []
    instrs = instructions(open(dockerfile).read())
    names = stage_names(instrs)
    runtime = max(names)
    builder_runs = " ".join(r for s, k, r in instrs if k == "RUN" and s != runtime)
    patterns = dockerignore_patterns(context)
    toolchain = toolchain_root()

    # COPY sources
    runtime_copies = []
    for stage, keyword, rest in instrs:
        if keyword not in ("COPY", "ADD"):
            continue
        flags, sources, dest = copy_parts(rest)
        if stage == runtime:
            runtime_copies.append((flags, sources, dest))
        for src in sources:
            if "from" in flags:
                ok = src in builder_runs or src.rstrip("/") in builder_runs
                if not ok and toolchain and src.startswith("/usr/"):
                    ok = os.path.exists(os.path.join(toolchain, src.lstrip("/")))
                if not ok:
                    problems.append(f"COPY --from={flags['from']} {src}: not produced by the builder stage")
                continue
            matches = glob.glob(os.path.join(context, src))
            if not matches:
                problems.append(f"{keyword} {src}: no such file in the build context")
            for m in matches:
                rel = os.path.relpath(m, context)
                if rel != "." and ignored(rel, patterns):
                    problems.append(f"{keyword} {src}: excluded by .dockerignore ({rel})")

    # Shared libraries
    runtime_runs = " ".join(r for s, k, r in instrs if k == "RUN" and s == runtime)
    listed = apt_installs(runtime_runs)
    pkgs, providers = installed_packages()
    for p in listed:
        if p not in pkgs:
            problems.append(f"runtime package {p} is not installed on this machine: cannot verify what it provides")
    base = [n for n, (prio, essential, _) in pkgs.items() if prio == "required" or essential] + ["apt"]
    available = closure(listed + base, pkgs, providers)
    static_swift = "--static-swift-stdlib" in builder_runs
    copies_swift_runtime = any("lib/swift/linux" in " ".join(s) for _, s, _ in runtime_copies)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libraries = [m.groups() for m in re.finditer(r"^\s*(\S+)\s+=>\s+(\S+)", ldd, re.M)]
    owners = dpkg_owners([path for _, path in libraries if path.startswith("/") and "/lib/swift/linux/" not in path])
    for soname, path in libraries:
        if path == "not":
            problems.append(f"{soname}: not found by ldd on this machine")
        elif "/lib/swift/linux/" in path:
            if not (static_swift or copies_swift_runtime):
                problems.append(f"{soname}: Swift runtime library neither linked statically nor copied")
        else:
            owner = owners.get(path)
            if owner is None:
                problems.append(f"{soname} ({path}): no Debian package owns it")
            elif owner not in available:
                problems.append(f"{soname}: from package {owner}, which the runtime stage does not install")

    # Libraries Package.swift links (some only in release builds, so a debug BINARY does not list them).
    with open(os.path.join(ROOT, "Package.swift")) as f:
        linked = sorted(set(re.findall(r'\.linkedLibrary\("([\w+.-]+)"', f.read())))
    for name in linked:
        files = sorted(os.path.realpath(p) for p in glob.glob(f"/usr/lib/*/lib{name}.so.*") + glob.glob(f"/lib/*/lib{name}.so.*"))
        if not files:
            problems.append(f"lib{name} (linked by Package.swift): not installed on this machine")
            continue
        owner = dpkg_owners(files[:1]).get(files[0])
        if owner is None:
            problems.append(f"lib{name} ({files[0]}, linked by Package.swift): no Debian package owns it")
        elif owner not in available:
            problems.append(f"lib{name} (linked by Package.swift): from package {owner}, which the runtime stage does not install")

    # Coherence of the runtime stage
    final = {k: r for s, k, r in instrs if s == runtime}
    user = final.get("USER", "root").split(":")[0]
    if user in ("", "0", "root"):
        problems.append("runtime USER is root")
    expose = final.get("EXPOSE", "").split("/")[0]
    entry = final.get("ENTRYPOINT", "")
    health = final.get("HEALTHCHECK", "")
    port = re.search(r'"--port",\s*"(\d+)"', entry)
    if not expose or not port or port.group(1) != expose:
        problems.append(f"EXPOSE {expose!r} and ENTRYPOINT --port disagree")
    if f":{expose}/healthz" not in health:
        problems.append("HEALTHCHECK does not probe /healthz on the exposed port")
    if not re.match(r'\[\s*"reward",\s*"serve"', entry) or '"0.0.0.0"' not in entry:
        problems.append("ENTRYPOINT is not reward serve on 0.0.0.0")
    if not any(d.rstrip("/") == "/usr/local/bin/reward" for _, _, d in runtime_copies):
        problems.append("the runtime stage does not copy the reward binary to /usr/local/bin")
    env = " ".join(r for s, k, r in instrs if k == "ENV" and s == runtime)
    for var, what in (("REWARD_HEADS", "heads"), ("REWARD_ENCODER", "encoder")):
        if var not in env:
            problems.append(f"{var} is not set in the runtime stage")
    for head in re.findall(r"=/app/heads/(\w+)", env):
        if not os.path.exists(os.path.join(context, "Deploy/heads", head, "config.json")):
            problems.append(f"REWARD_HEADS names /app/heads/{head}, which Deploy/heads lacks")
    return problems, len(libraries), sorted(set(listed))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    dockerfile = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Dockerfile")
    context = sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(os.path.abspath(dockerfile))
    problems, libraries, listed = check(binary, dockerfile, context)
    for p in problems:
        print(f"{dockerfile}: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{dockerfile}: {libraries} shared libraries of {os.path.basename(binary)} provided by {', '.join(listed)} "
          f"(+ dependencies, base image, static Swift runtime); COPY sources present")


if __name__ == "__main__":
    main()
