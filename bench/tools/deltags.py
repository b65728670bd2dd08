#!/usr/bin/env python3
"""Delete rate with many tags in one repository (python3 stdlib only), for bench/run.

  deltags.py --registry URL --repo NAME --tags N [--setup-jobs 4] [--deadline-s 600]

1. uploads one config blob and one layer blob into REPO (POST + PUT ?digest=);
2. PUTs N distinct small OCI image manifests (same config and layer, an annotation differs), each
   under its own tag t0000..t<N-1> (4 threads: the setup is not what is measured);
3. DELETEs them one by one by digest, one client, keep-alive, in push order, and times each;
4. checks that a sample of the tags now answers 404.
Prints one JSON line: deletes_per_s (N / total time of the deletes), p50/p99 delete latency in ms,
setup manifests_per_s, errors. Exit status 1 on any error. Every loop is bounded by N and by
--deadline-s.
"""
import argparse, concurrent.futures as cf, gzip, hashlib, http.client, io, json, os, socket, sys, tarfile
import threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from regops import client  # noqa: E402  (the keep-alive HTTP client, one per thread)

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def upload(c, repo, data):
    dg = digest(data)
    st, h, body = c.req("POST", "/v2/%s/blobs/uploads/" % repo, body=b"", headers={"Content-Length": "0"})
    if st != 202:
        raise RuntimeError("POST upload: %d %s" % (st, body[:200]))
    u = urllib.parse.urlsplit(h["Location"])
    path = u.path + "?" + (u.query + "&" if u.query else "") + "digest=" + urllib.parse.quote(dg)
    st, _, body = c.req("PUT", path, body=data, headers={"Content-Type": "application/octet-stream",
                                                        "Content-Length": str(len(data))})
    if st != 201:
        raise RuntimeError("PUT blob: %d %s" % (st, body[:200]))
    return dg


def layer_bytes(seed):
    payload = hashlib.sha256(seed.encode()).digest() * 32  # 1 KiB
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as t:
        ti = tarfile.TarInfo("bench.bin"); ti.size = len(payload); ti.mtime = 0
        t.addfile(ti, io.BytesIO(payload))
    raw = tar.getvalue()
    return gzip.compress(raw, mtime=0), "sha256:" + hashlib.sha256(raw).hexdigest()


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))] if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--registry", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--tags", type=int, required=True)
    ap.add_argument("--setup-jobs", type=int, default=4)
    ap.add_argument("--deadline-s", type=float, default=600)
    a = ap.parse_args()
    deadline = time.monotonic() + a.deadline_s
    c = client(a.registry)
    layer, diff_id = layer_bytes(a.repo)
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": [diff_id]}}, sort_keys=True).encode()
    cfg_dg, layer_dg = upload(c, a.repo, cfg), upload(c, a.repo, layer)
    manifests = []
    for i in range(a.tags):
        m = json.dumps({"schemaVersion": 2, "mediaType": MT_MANIFEST,
                        "config": {"mediaType": MT_CONFIG, "digest": cfg_dg, "size": len(cfg)},
                        "layers": [{"mediaType": MT_LAYER, "digest": layer_dg, "size": len(layer)}],
                        "annotations": {"dev.berth.bench.i": str(i)}}, sort_keys=True).encode()
        manifests.append(("t%04d" % i, digest(m), m))
    errors, first = [0], []

    def fail(msg):
        errors[0] += 1
        if len(first) < 5:
            first.append(msg)

    def put(item):
        tag, dg, m = item
        if time.monotonic() > deadline:
            raise RuntimeError("deadline passed")
        st, h, body = client(a.registry).req("PUT", "/v2/%s/manifests/%s" % (a.repo, tag), body=m,
                                             headers={"Content-Type": MT_MANIFEST, "Content-Length": str(len(m))})
        if st != 201 or h.get("Docker-Content-Digest") not in (None, dg):
            raise RuntimeError("PUT manifest %s: %d %s" % (tag, st, body[:200]))

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(a.setup_jobs) as ex:
        for f in [ex.submit(put, it) for it in manifests]:
            try:
                f.result()
            except Exception as e:  # noqa: BLE001
                fail(str(e))
    setup_s = time.perf_counter() - t0
    if errors[0]:
        print(json.dumps({"tags": a.tags, "errors": errors[0], "first_errors": first, "phase": "setup"}))
        return 1
    lat = []
    t0 = time.perf_counter()
    for tag, dg, _ in manifests:
        if time.monotonic() > deadline:
            fail("deadline passed after %d deletes" % len(lat))
            break
        p0 = time.perf_counter()
        st, _, body = c.req("DELETE", "/v2/%s/manifests/%s" % (a.repo, dg))
        lat.append(time.perf_counter() - p0)
        if st != 202:
            fail("DELETE %s@%s: %d %s" % (a.repo, dg, st, body[:200]))
    del_s = time.perf_counter() - t0
    step = max(1, a.tags // 20)
    for tag, dg, _ in manifests[::step]:
        st, _, _ = c.req("GET", "/v2/%s/manifests/%s" % (a.repo, tag), headers={"Accept": MT_MANIFEST})
        if st != 404:
            fail("tag %s still answers %d after its manifest was deleted" % (tag, st))
    out = {"tags": a.tags, "deletes": len(lat), "delete_s": round(del_s, 3),
           "deletes_per_s": round(len(lat) / del_s, 2) if del_s > 0 else None,
           "delete_p50_ms": round(pct(lat, 50) * 1e3, 3) if lat else None,
           "delete_p99_ms": round(pct(lat, 99) * 1e3, 3) if lat else None,
           "delete_first10_ms": round(sum(lat[:10]) / max(1, len(lat[:10])) * 1e3, 3) if lat else None,
           "setup_s": round(setup_s, 3), "manifests_per_s": round(a.tags / setup_s, 2) if setup_s > 0 else None,
           "errors": errors[0], "first_errors": first}
    print(json.dumps(out))
    return 1 if errors[0] else 0


if __name__ == "__main__":
    sys.exit(main())
