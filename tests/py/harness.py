"""A throw-away Chengqing installation for Python tests: temp dir, config with
fresh loopback ports, keys made by the real `cq`, real service processes."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    def __init__(self, bin_dir, services=None):
        self.bin = bin_dir
        self.dir = tempfile.mkdtemp(prefix="cq-py-")
        os.makedirs(os.path.join(self.dir, "config"))
        text = open(os.path.join(ROOT, "config", "chengqing.toml"), encoding="utf-8").read()
        text = text.replace('"../var/', '"%s/var/' % self.dir)
        text = re.sub(r"tcp://127\.0\.0\.1:\d+", lambda m: "tcp://127.0.0.1:%d" % free_port(), text)
        self.config = os.path.join(self.dir, "config", "chengqing.toml")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(text)
        self.conf = tomllib.loads(text)
        self.services = list(services or self.conf["services"])
        self.keys_dir = self.conf["keys_dir"]
        self.procs = {}
        self.cq("keys", "init")

    def cq(self, *args, check=True):
        r = subprocess.run([os.path.join(self.bin, "cq"), "--config", self.config, *args],
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("cq %s failed: %s" % (" ".join(args), r.stderr))
        return r

    def start(self):
        for s in self.services:
            log = open(os.path.join(self.dir, s + ".out"), "w")
            self.procs[s] = subprocess.Popen([os.path.join(self.bin, "cq-" + s), "--config", self.config],
                                             stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.cq("ping", check=False).returncode == 0:
                break
            time.sleep(0.1)

    def user_keys(self, name):
        with open(os.path.join(self.keys_dir, "users", name + ".key"), "rb") as f:
            k = tomllib.load(f)
        return k["public"], k["secret"]

    def service_key(self, name):
        with open(os.path.join(self.keys_dir, "public.toml"), "rb") as f:
            return tomllib.load(f)["services"][name]

    def endpoint(self, service, kind="request"):
        return self.conf["services"][service][kind]

    def close(self):
        for p in self.procs.values():
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Results:
    """Counts checks and prints the closing 'N passed, N failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED:", what)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed or not self.passed else 0
