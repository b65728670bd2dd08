#!/usr/bin/env python3
"""Registry operations for the GC benchmark (python3 stdlib only).

Modelled on /work/shared/tools/regclient.py (the shared benchmark harness) but written for this
benchmark: keep-alive connections with TCP_NODELAY (http.client sends headers and body in two
writes; without TCP_NODELAY every upload waits for the peer's delayed ACK, ~40 ms), monolithic
`POST /blobs/uploads/?digest=` uploads (one request per blob) with a fallback to POST + PUT
?digest= for registries that answer the POST with 202 (Docker Registry 2.8 does), and no HEAD
before an upload: the client remembers which (repository, blob) pairs it pushed.

Image i of the layout (index.json order) goes to repository PREFIX(i % REPOS), as in regclient.py.
The "victims" are every EVERY-th image within each repository: (i // REPOS) % EVERY == 0.

  push    --registry URL --layout DIR [--repos 10 --repo-prefix bench/gc] [--jobs 4]
  untag   (victims) --registry URL ...          DELETE /v2/<repo>/manifests/<tag>
  untag   (victims) --fs-root ROOT ...          remove <ROOT>/docker/registry/v2/repositories/<repo>/
                                                _manifests/tags/<tag> (Docker Registry 2.8 answers a
                                                DELETE by tag with 400 DIGEST_INVALID: an operator
                                                can only untag on disk or by overwriting the tag)
  delete  (victims) --registry URL ...          DELETE /v2/<repo>/manifests/<digest>
  expect  --layout DIR ...                      JSON: the blobs/manifests only victims reference
  verify  --registry URL --layout DIR --state untagged|deleted|collected-untagged [--sample N]
          GET every survivor's manifest by tag and HEAD its blobs; GET victims by digest and
          check the answer matches the state (present while untagged, 404 once collected/deleted)
Prints one JSON line to stdout.
"""
import argparse, concurrent.futures as cf, http.client, json, os, random, shutil, socket, sys, threading, time
import urllib.parse

ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])

_tls = threading.local()
_lock = threading.Lock()
STATS = {"requests": 0, "bytes_up": 0, "blobs_uploaded": 0, "errors": 0}
MONOLITHIC_POST = [None]  # None = not known yet, True/False once the registry answered
PUSHED = {}               # (repo, digest) -> Event set once this process uploaded it


def bump(k, n=1):
    with _lock:
        STATS[k] += n


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def _c(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            self.conn.connect()
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.conn

    def req(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            c = self._c()
            try:
                c.request(method, path, body=body, headers=headers or {})
                r = c.getresponse()
                data = r.read()
                bump("requests")
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.headers, data
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn = None
                if attempt:
                    raise


def client(base):
    c = getattr(_tls, "c", None)
    if c is None:
        c = _tls.c = Client(base)
    return c


class Layout:
    def __init__(self, d):
        self.d = d
        with open(os.path.join(d, "index.json")) as f:
            self.index = json.load(f)["manifests"]

    def path(self, dg):
        alg, hx = dg.split(":")
        return os.path.join(self.d, "blobs", alg, hx)

    def read(self, dg):
        with open(self.path(dg), "rb") as f:
            return f.read()

    def image(self, desc):
        """(tag, manifest digest, manifest size, [(blob digest, size, kind)])"""
        tag = desc["annotations"]["org.opencontainers.image.ref.name"]
        doc = json.loads(self.read(desc["digest"]))
        if doc.get("manifests"):
            raise SystemExit("multi-arch images are not supported by this benchmark")
        blobs = [(doc["config"]["digest"], doc["config"]["size"], "config")]
        blobs += [(l["digest"], l["size"], "layer") for l in doc["layers"]]
        return tag, desc["digest"], desc["size"], blobs


def repo_for(a, i):
    return "%s%d" % (a.repo_prefix, i % a.repos)


def is_victim(a, i):
    return (i // a.repos) % a.every == 0


def upload_blob(base, repo, lay, dg, size):
    key = (repo, dg)
    with _lock:
        done = PUSHED.get(key)
        if done is None:
            PUSHED[key] = threading.Event()
    if done is not None:  # another thread uploads it: wait, so that our manifest PUT finds it
        done.wait(300)
        return
    try:
        _upload_blob(base, repo, lay, dg, size)
    finally:
        PUSHED[key].set()


def _upload_blob(base, repo, lay, dg, size):
    c = client(base)
    body = lay.read(dg)
    q = urllib.parse.quote(dg)
    if MONOLITHIC_POST[0] is not False:
        st, h, resp = c.req("POST", "/v2/%s/blobs/uploads/?digest=%s" % (repo, q), body=body,
                            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)})
        if st == 201:
            MONOLITHIC_POST[0] = True
            bump("blobs_uploaded"); bump("bytes_up", size)
            return
        if st != 202:
            raise RuntimeError("POST ?digest= %s %s: %d %s" % (repo, dg, st, resp[:200]))
        MONOLITHIC_POST[0] = False  # the registry opened a session instead: finish it with PUT
    else:
        st, h, resp = c.req("POST", "/v2/%s/blobs/uploads/" % repo, body=b"", headers={"Content-Length": "0"})
        if st != 202:
            raise RuntimeError("POST upload %s: %d %s" % (repo, st, resp[:200]))
    u = urllib.parse.urlsplit(h["Location"])
    path = u.path + "?" + (u.query + "&" if u.query else "") + "digest=" + q
    st, _, resp = c.req("PUT", path, body=body, headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(size)})
    if st != 201:
        raise RuntimeError("PUT blob %s %s: %d %s" % (repo, dg, st, resp[:200]))
    bump("blobs_uploaded"); bump("bytes_up", size)


def op_push(a, lay, i, desc):
    repo = repo_for(a, i)
    tag, mdg, msize, blobs = lay.image(desc)
    for dg, size, _ in blobs:
        upload_blob(a.registry, repo, lay, dg, size)
    data = lay.read(mdg)
    st, _, body = client(a.registry).req("PUT", "/v2/%s/manifests/%s" % (repo, tag), body=data,
                                         headers={"Content-Type": desc["mediaType"], "Content-Length": str(len(data))})
    if st != 201:
        raise RuntimeError("PUT manifest %s:%s: %d %s" % (repo, tag, st, body[:300]))


def op_untag(a, lay, i, desc):
    repo = repo_for(a, i)
    tag = desc["annotations"]["org.opencontainers.image.ref.name"]
    if a.fs_root:
        d = os.path.join(a.fs_root, "docker/registry/v2/repositories", repo, "_manifests/tags", tag)
        if not os.path.isdir(d):
            raise RuntimeError("no tag directory " + d)
        shutil.rmtree(d)
        return
    st, _, body = client(a.registry).req("DELETE", "/v2/%s/manifests/%s" % (repo, tag))
    if st != 202:
        raise RuntimeError("DELETE %s:%s -> %d %s" % (repo, tag, st, body[:200]))


def op_delete(a, lay, i, desc):
    repo = repo_for(a, i)
    st, _, body = client(a.registry).req("DELETE", "/v2/%s/manifests/%s" % (repo, desc["digest"]))
    if st != 202:
        raise RuntimeError("DELETE %s@%s -> %d %s" % (repo, desc["digest"], st, body[:200]))


def expectations(a, lay):
    """What a correct collector frees when the victims' manifests go: their manifests, and every
    config/layer no survivor references (blob identity is global, as in both registries)."""
    kept, gone, sizes, kinds, manifests = set(), set(), {}, {}, {}
    for i, desc in enumerate(lay.index):
        tag, mdg, msize, blobs = lay.image(desc)
        for dg, size, kind in blobs:
            sizes[dg] = size
            kinds[dg] = kind
            (gone if is_victim(a, i) else kept).add(dg)
        if is_victim(a, i):
            manifests[mdg] = msize
    freed = gone - kept
    allblobs = set(sizes)
    return {
        "images": len(lay.index),
        "victims": len(manifests),
        "blobs_total": len(allblobs),
        "blobs_total_bytes": sum(sizes.values()),
        "manifests_total": len(lay.index),
        "manifests_total_bytes": sum(d["size"] for d in lay.index),
        "freed_blobs": sorted(freed),
        "freed_blob_count": len(freed),
        "freed_blob_bytes": sum(sizes[d] for d in freed),
        "freed_layers": sum(1 for d in freed if kinds[d] == "layer"),
        "freed_configs": sum(1 for d in freed if kinds[d] == "config"),
        "freed_manifests": manifests,
        "freed_manifest_count": len(manifests),
        "freed_manifest_bytes": sum(manifests.values()),
        "all_manifests": {d["digest"]: d["size"] for d in lay.index},
    }


def op_verify(a, lay, i, desc):
    repo = repo_for(a, i)
    c = client(a.registry)
    tag, mdg, msize, blobs = lay.image(desc)
    if is_victim(a, i):
        st, _, _ = c.req("GET", "/v2/%s/manifests/%s" % (repo, mdg), headers={"Accept": ACCEPT})
        want = 200 if a.state == "untagged" else 404
        if st != want:
            raise RuntimeError("victim %s@%s: GET by digest %d, want %d (state %s)" % (repo, mdg, st, want, a.state))
        return
    st, h, body = c.req("GET", "/v2/%s/manifests/%s" % (repo, tag), headers={"Accept": ACCEPT})
    if st != 200 or h.get("Docker-Content-Digest") != mdg:
        raise RuntimeError("survivor %s:%s: GET %d digest %s" % (repo, tag, st, h.get("Docker-Content-Digest")))
    for dg, size, _ in blobs:
        st, h, _ = c.req("HEAD", "/v2/%s/blobs/%s" % (repo, dg))
        if st != 200 or int(h.get("Content-Length", -1)) != size:
            raise RuntimeError("survivor %s:%s blob %s: HEAD %d" % (repo, tag, dg, st))


def run_items(a, lay, fn, items):
    t0 = time.time()
    errs = []
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        futs = [ex.submit(fn, a, lay, i, d) for i, d in items]
        for f in futs:
            try:
                f.result()
            except Exception as e:  # noqa: BLE001
                bump("errors")
                if len(errs) < 5:
                    errs.append(str(e))
    dt = time.time() - t0
    return dict(STATS, op=a.cmd, items=len(items), seconds=round(dt, 3),
                items_per_s=round(len(items) / dt, 2) if dt else None,
                MB_per_s=round(STATS["bytes_up"] / 1e6 / dt, 2) if dt else None,
                jobs=a.jobs, monolithic_post=MONOLITHIC_POST[0], first_errors=errs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["push", "untag", "delete", "expect", "verify"])
    ap.add_argument("--registry")
    ap.add_argument("--layout", required=True)
    ap.add_argument("--repo-prefix", default="bench/gc")
    ap.add_argument("--repos", type=int, default=10)
    ap.add_argument("--every", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--fs-root", help="untag on disk in this Docker Registry storage root")
    ap.add_argument("--state", choices=["untagged", "deleted", "collected"], default="untagged")
    ap.add_argument("--sample", type=int, default=0, help="verify: only this many random images (0 = all)")
    a = ap.parse_args()
    lay = Layout(a.layout)
    if a.cmd == "expect":
        print(json.dumps(expectations(a, lay)))
        return 0
    items = list(enumerate(lay.index))
    if a.cmd in ("untag", "delete"):
        items = [(i, d) for i, d in items if is_victim(a, i)]
    if a.cmd == "verify" and a.sample and a.sample < len(items):
        items = sorted(random.Random(1).sample(items, a.sample))
    fn = {"push": op_push, "untag": op_untag, "delete": op_delete, "verify": op_verify}[a.cmd]
    out = run_items(a, lay, fn, items)
    print(json.dumps(out))
    return 1 if STATS["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
