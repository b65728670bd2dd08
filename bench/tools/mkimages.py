#!/usr/bin/env python3
# Copied unchanged (apart from this comment) from /work/shared/tools/mkimages.py (the shared
# registry benchmark harness), so that bench/gc does not depend on /work/shared at run time.
"""Generate synthetic OCI image layouts for registry benchmarks (stdlib only).

Writes one OCI image-layout directory holding N tagged images (tags in
index.json via org.opencontainers.image.ref.name), usable as
    skopeo copy [--all] oci:DIR:TAG docker://HOST/REPO:TAG
plus DIR/images.json (a summary: tag -> digest, layers, sizes) for scripts.

Layers are real tar archives (one file of pseudo-random bytes) wrapped in gzip.
By default gzip uses *stored* deflate blocks built by hand (valid gzip, ~no
size change on random data, and much faster than zlib); --gzip-level 1..9 uses
zlib instead.  Random bytes come from a 64 MiB os.urandom pool sliced at random
offsets with a unique 32-byte tag per 1 MiB chunk, so every layer is unique and
incompressible for deflate while generation stays at >500 MB/s.

Size specs:  fixed:512M | uniform:4K:1M | lognormal:MEDIAN:SIGMA[:MAX] |
             choice:1K,64K,1M
"""
import argparse, hashlib, io, json, math, os, random, struct, sys, tarfile, time, zlib

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
CHUNK = 1 << 20
POOL_SIZE = 64 << 20


def parse_size(s):
    s = s.strip().upper()
    mult = 1
    for suf, m in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)):
        if s.endswith(suf + "IB"):
            s, mult = s[:-3], m
            break
        if s.endswith(suf) or s.endswith(suf + "B"):
            s, mult = s.rstrip("B")[:-1], m
            break
    return int(float(s) * mult)


def size_sampler(spec, rng):
    kind, _, rest = spec.partition(":")
    args = rest.split(":") if rest else []
    if kind == "fixed":
        n = parse_size(args[0])
        return lambda: n
    if kind == "uniform":
        lo, hi = parse_size(args[0]), parse_size(args[1])
        return lambda: rng.randint(lo, hi)
    if kind == "lognormal":
        med, sigma = parse_size(args[0]), float(args[1])
        mx = parse_size(args[2]) if len(args) > 2 else 1 << 34
        return lambda: max(1, min(mx, int(rng.lognormvariate(math.log(med), sigma))))
    if kind == "choice":
        vals = [parse_size(v) for v in rest.split(",")]
        return lambda: rng.choice(vals)
    raise SystemExit("bad size spec: " + spec)


class Layout:
    def __init__(self, out, gzip_level, seed):
        self.out = out
        self.blobdir = os.path.join(out, "blobs", "sha256")
        os.makedirs(self.blobdir, exist_ok=True)
        with open(os.path.join(out, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.gzip_level = gzip_level
        self.rng = random.Random(seed)
        self.pool = os.urandom(POOL_SIZE + CHUNK)
        self.seed = seed
        self.nlayers = 0
        self.bytes = 0

    def put_bytes(self, data):
        d = hashlib.sha256(data).hexdigest()
        p = os.path.join(self.blobdir, d)
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(data)
        return "sha256:" + d, len(data)

    def _payload(self, n):
        """Yield n pseudo-random bytes in <=1 MiB chunks, each chunk unique."""
        idx = 0
        while n > 0:
            k = min(n, CHUNK)
            tag = struct.pack("<QQQQ", self.seed, self.nlayers, idx, 0x5EED)
            off = self.rng.randrange(POOL_SIZE)
            if k <= 32:
                yield tag[:k]
            else:
                yield tag + self.pool[off:off + k - 32]
            n -= k
            idx += 1

    def _tar_stream(self, size, name):
        ti = tarfile.TarInfo(name)
        ti.size = size
        ti.mode = 0o644
        ti.mtime = 0
        yield ti.tobuf(format=tarfile.USTAR_FORMAT)
        yield from self._payload(size)
        pad = (512 - size % 512) % 512
        yield b"\0" * (pad + 1024)

    def make_layer(self, size):
        """Write one tar+gzip layer blob; return (digest, csize, diff_id)."""
        self.nlayers += 1
        tmp = os.path.join(self.blobdir, ".tmp-%d" % os.getpid())
        dsha, csha = hashlib.sha256(), hashlib.sha256()
        crc, usize = 0, 0
        with open(tmp, "wb", buffering=0) as f:
            def emit(b):
                csha.update(b)
                f.write(b)
            # gzip header: magic, CM=8, FLG=0, MTIME=0, XFL=0, OS=255
            if self.gzip_level == 0:
                emit(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
                pending = b""
                for piece in self._tar_stream(size, "layer-%d.bin" % self.nlayers):
                    dsha.update(piece)
                    crc = zlib.crc32(piece, crc)
                    usize += len(piece)
                    buf = pending + piece if pending else piece
                    out = []
                    pos = 0
                    # keep the last (possibly partial) block pending so that
                    # the final block can carry BFINAL=1
                    while len(buf) - pos > 65535:
                        out.append(b"\x00\xff\xff\x00\x00")
                        out.append(buf[pos:pos + 65535])
                        pos += 65535
                    pending = buf[pos:]
                    if out:
                        emit(b"".join(out))
                n = len(pending)
                emit(b"\x01" + struct.pack("<HH", n, n ^ 0xFFFF) + pending)
                emit(struct.pack("<II", crc & 0xFFFFFFFF, usize & 0xFFFFFFFF))
            else:
                z = zlib.compressobj(self.gzip_level, zlib.DEFLATED, 31)
                for piece in self._tar_stream(size, "layer-%d.bin" % self.nlayers):
                    dsha.update(piece)
                    usize += len(piece)
                    c = z.compress(piece)
                    if c:
                        emit(c)
                emit(z.flush())
            csize = f.tell()
        dg = csha.hexdigest()
        os.replace(tmp, os.path.join(self.blobdir, dg))
        self.bytes += csize
        return "sha256:" + dg, csize, "sha256:" + dsha.hexdigest()

    def make_image(self, name, layers, arch="amd64"):
        """layers: list of (digest, csize, diff_id). Returns manifest descriptor."""
        cfg = {
            "created": "2024-01-01T00:00:00Z",
            "architecture": arch,
            "os": "linux",
            "config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"bench.image": name}},
            "rootfs": {"type": "layers", "diff_ids": [l[2] for l in layers]},
            "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "mkimages.py"}
                        for _ in layers],
        }
        cdg, csz = self.put_bytes(json.dumps(cfg, separators=(",", ":")).encode())
        man = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": cdg, "size": csz},
            "layers": [{"mediaType": MT_LAYER, "digest": l[0], "size": l[1]} for l in layers],
        }
        mdg, msz = self.put_bytes(json.dumps(man, separators=(",", ":")).encode())
        return {"mediaType": MT_MANIFEST, "digest": mdg, "size": msz,
                "platform": {"architecture": arch, "os": "linux"}}

    def make_index(self, descs):
        idx = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": descs}
        dg, sz = self.put_bytes(json.dumps(idx, separators=(",", ":")).encode())
        return {"mediaType": MT_INDEX, "digest": dg, "size": sz}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output OCI layout dir (created/overwritten index)")
    ap.add_argument("--images", type=int, default=1)
    ap.add_argument("--layers", type=int, default=1, help="layers per image (per platform)")
    ap.add_argument("--size", default="fixed:1M", help="layer size spec (uncompressed payload)")
    ap.add_argument("--shared-frac", type=float, default=0.0,
                    help="probability that a layer slot is taken from the shared base pool")
    ap.add_argument("--base-layers", type=int, default=0, help="size of the shared base-layer pool")
    ap.add_argument("--base-size", default=None, help="size spec for base layers (default: --size)")
    ap.add_argument("--multiarch-frac", type=float, default=0.0,
                    help="fraction of images emitted as an OCI index with amd64+arm64 manifests")
    ap.add_argument("--tag-prefix", default="img")
    ap.add_argument("--gzip-level", type=int, default=0, help="0 = stored blocks (fast); 1-9 = zlib")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    t0 = time.time()
    rng = random.Random(a.seed * 7919 + 1)
    lay = Layout(a.out, a.gzip_level, a.seed)
    samp = size_sampler(a.size, rng)
    bsamp = size_sampler(a.base_size, rng) if a.base_size else samp
    base = [lay.make_layer(bsamp()) for _ in range(a.base_layers)]
    width = max(4, len(str(a.images)))
    index, summary = [], []
    for i in range(a.images):
        tag = "%s%0*d" % (a.tag_prefix, width, i)
        multi = rng.random() < a.multiarch_frac
        descs, all_layers = [], []
        for arch in (("amd64", "arm64") if multi else ("amd64",)):
            shared = [s for s in range(a.layers) if base and rng.random() < a.shared_frac]
            picks = rng.sample(range(len(base)), min(len(shared), len(base))) if shared else []
            layers = [base[p] for p in picks]
            layers += [lay.make_layer(samp()) for _ in range(a.layers - len(layers))]
            descs.append(lay.make_image(tag, layers, arch))
            all_layers += layers
        top = lay.make_index(descs) if multi else {k: v for k, v in descs[0].items() if k != "platform"}
        top = dict(top, annotations={"org.opencontainers.image.ref.name": tag})
        index.append(top)
        summary.append({"tag": tag, "mediaType": top["mediaType"], "digest": top["digest"],
                        "manifests": [d["digest"] for d in descs],
                        "layers": [{"digest": l[0], "size": l[1]} for l in all_layers],
                        "bytes": sum(l[1] for l in all_layers)})
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": index}, f)
    with open(os.path.join(a.out, "images.json"), "w") as f:
        json.dump(summary, f)
    dt = time.time() - t0
    print("mkimages: %d images, %d layer blobs, %.1f MiB layer data in %.2fs (%.0f MB/s) -> %s"
          % (a.images, lay.nlayers, lay.bytes / 1048576, dt, lay.bytes / 1e6 / max(dt, 1e-9), a.out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
