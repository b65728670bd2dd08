#!/usr/bin/env python3
"""Manifest PUT latency per namespace (python3 stdlib only), for bench/quota/run.

For each namespace NS given: uploads one small config and one small layer to NS/app, then PUTs
manifests naming them, each made distinct by an annotation (so each adds its own bytes to the
namespace's usage and the quota check has something to weigh), under a tag of its own. The
namespaces take turns PUT by PUT (the order rotating every round), so that drift in the machine's
load falls on all of them alike. One keep-alive connection with TCP_NODELAY; the time is from
sending the request to having read the whole answer.

  putlat.py --registry http://127.0.0.1:5187 --warmup 200 --puts 2000 NS [NS ...]
Prints one JSON object: per namespace the PUT count and the median, p90, p99 and mean in ms.
"""
import argparse, hashlib, http.client, json, socket, statistics, sys, time, urllib.parse

CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Client:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        data = r.read()
        return r.status, data


def upload(client, repo, data):
    digest = sha256(data)
    status, body = client.request("POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", data,
                                  {"Content-Type": "application/octet-stream"})
    if status != 201:
        sys.exit(f"upload to {repo}: {status} {body[:200]!r}")
    return {"mediaType": None, "digest": digest, "size": len(data)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", required=True)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--puts", type=int, default=2000)
    ap.add_argument("namespaces", nargs="+")
    a = ap.parse_args()
    client = Client(a.registry)
    images = {}
    for ns in a.namespaces:
        repo = ns + "/app"
        config = upload(client, repo, json.dumps({"architecture": "amd64", "os": "linux", "ns": ns}).encode())
        layer = upload(client, repo, (ns + " layer ").encode() * 64)
        config["mediaType"], layer["mediaType"] = CONFIG_TYPE, LAYER_TYPE
        images[ns] = (repo, config, layer)

    def put(ns, i):
        repo, config, layer = images[ns]
        body = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE, "config": config, "layers": [layer],
                           "annotations": {"bench.put": str(i)}}).encode()
        start = time.perf_counter()
        status, answer = client.request("PUT", f"/v2/{repo}/manifests/t{i}", body, {"Content-Type": MANIFEST_TYPE})
        elapsed = time.perf_counter() - start
        if status != 201:
            sys.exit(f"PUT {repo}:t{i}: {status} {answer[:300]!r}")
        return elapsed * 1000

    times = {ns: [] for ns in a.namespaces}
    n = len(a.namespaces)
    for i in range(a.warmup + a.puts):
        for k in range(n):
            ns = a.namespaces[(i + k) % n]
            ms = put(ns, i)
            if i >= a.warmup:
                times[ns].append(ms)
    out = {}
    for ns, t in times.items():
        t.sort()
        out[ns] = {"puts": len(t), "median_ms": round(statistics.median(t), 3),
                   "p90_ms": round(t[int(0.9 * (len(t) - 1))], 3), "p99_ms": round(t[int(0.99 * (len(t) - 1))], 3),
                   "mean_ms": round(statistics.fmean(t), 3)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
