"""The compose file runs each configured service in its own container with
its own data volume and keys, on the endpoints the configuration names.
No Docker engine runs here: Debian's docker-compose validates the file, and
`cq config show` resolves config/docker.toml with the real loader."""
import json
import os
import subprocess
import sys
from urllib.parse import urlparse

import yaml

from harness import Results


def main():
    root, bin_dir = sys.argv[1], sys.argv[2]
    t = Results()
    compose = os.path.join(root, "docker", "compose.yaml")
    r = subprocess.run(["docker-compose", "-f", compose, "config"], capture_output=True, text=True)
    t.check(r.returncode == 0, "docker-compose config accepts the file: " + r.stderr)
    doc = yaml.safe_load(r.stdout) if r.returncode == 0 else {"services": {}}
    cfg = json.loads(subprocess.run([os.path.join(bin_dir, "cq"), "--config", os.path.join(root, "config", "docker.toml"),
                                     "config", "show", "--json"], capture_output=True, text=True, check=True).stdout)
    services = doc.get("services", {})
    t.check(set(services) == set(cfg["services"]), "compose services %s == configured %s" % (sorted(services), sorted(cfg["services"])))
    seen_volumes = set()
    for name, svc in services.items():
        if name not in cfg["services"]:
            continue
        ep = cfg["services"][name]
        cmd = " ".join(svc.get("command", []))
        t.check("cq-" + name in cmd and "/etc/chengqing/docker.toml" in cmd, name + ": runs its own binary with docker.toml")
        host = svc.get("hostname", name)
        exposed = {str(p) for p in svc.get("expose", [])}
        for kind in ("request", "publish"):
            u = urlparse(ep[kind])
            t.check(u.scheme == "tcp" and u.hostname in (host, name), "%s: %s endpoint %s dials this container" % (name, kind, ep[kind]))
            t.check(str(u.port) in exposed, "%s: port %s is exposed" % (name, u.port))
            b = urlparse(ep["bind_" + kind])
            t.check(b.hostname == "0.0.0.0" and b.port == u.port, "%s: binds %s on all interfaces" % (name, kind))
        mounts = {v.split(":")[1]: v.split(":")[0] for v in svc.get("volumes", [])}
        t.check(cfg["data_dir"] in mounts, name + ": data_dir is a volume")
        t.check(cfg["keys_dir"] in mounts, name + ": keys_dir is mounted")
        for target in (cfg["data_dir"], cfg["keys_dir"]):
            src = mounts.get(target)
            t.check(src not in seen_volumes, "%s: %s is its own, not shared" % (name, src))
            seen_volumes.add(src)
    dockerfile = open(os.path.join(root, "docker", "Dockerfile")).read()
    t.check("FROM debian:bookworm" in dockerfile, "Dockerfile builds on Debian bookworm")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
