#!/usr/bin/env python3
"""Closed-loop GET load with per-request timestamps (python3 stdlib only).

  run   --url URL [--accept A] [-c 8] --out PREFIX --stop-file F [--max-seconds 1800]
        Forks C worker processes (separate processes, so the GIL does not serialise them), each
        with one keep-alive connection (TCP_NODELAY) issuing GETs back to back until F exists or
        the time limit passes. Each worker writes PREFIX.<n>.bin: (start_ns, latency_ns, status)
        triples as int64, start_ns on CLOCK_REALTIME (comparable with `date +%s%N`).
  stats --out PREFIX [--from NS --to NS | --window FROM:TO ...]
        JSON: count, req/s, p50/p90/p99/p99.9/max latency in ms and non-200 count for the requests
        that *started* inside [from, to] (or inside any of the windows).
  slices --out PREFIX --window FROM:TO ... --slice-s S
        JSON: the p99 of each consecutive S-second slice of the windows (the noise floor of a p99
        over a window of S seconds when nothing else happens), and their ratios to the windows' p99.

Why not ab: ab reports whole milliseconds only (an idle p99 of 0 or 1 ms makes a ratio
meaningless) and cannot cut its samples to the exact GC window.
"""
import argparse, array, glob, http.client, json, os, signal, socket, sys, time
import urllib.parse


def worker(n, a):
    u = urllib.parse.urlsplit(a.url)
    path = u.path + ("?" + u.query if u.query else "")
    headers = {"Accept": a.accept} if a.accept else {}
    rec = array.array("q")
    deadline = time.monotonic() + a.max_seconds
    conn = None
    i = 0
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    while not stop[0]:
        if i % 64 == 0 and (os.path.exists(a.stop_file) or time.monotonic() > deadline):
            break
        i += 1
        if conn is None:
            conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)
            try:
                conn.connect()
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                conn = None
                rec.extend((time.time_ns(), 0, 0))
                time.sleep(0.01)
                continue
        t0 = time.time_ns()
        p0 = time.perf_counter_ns()
        try:
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            r.read()
            st = r.status
            if r.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
        except (http.client.HTTPException, OSError):
            st = 0
            conn = None
        rec.extend((t0, time.perf_counter_ns() - p0, st))
    with open("%s.%d.bin" % (a.out, n), "wb") as f:
        rec.tofile(f)
    os._exit(0)


def run(a):
    for f in glob.glob(a.out + ".*.bin"):
        os.remove(f)
    pids = []
    for n in range(a.c):
        pid = os.fork()
        if pid == 0:
            worker(n, a)
        pids.append(pid)

    def forward(*_):
        for p in pids:
            try:
                os.kill(p, signal.SIGTERM)
            except ProcessLookupError:
                pass
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for p in pids:
        while True:
            try:
                os.waitpid(p, 0)
                break
            except InterruptedError:
                continue
            except ChildProcessError:
                break


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def stats(a):
    windows = [tuple(int(x) for x in w.split(":")) for w in a.window]
    if a.frm or a.to:
        windows.append((a.frm or 0, a.to or 1 << 62))
    lat, bad = [], 0
    t_min, t_max = None, None
    for f in sorted(glob.glob(a.out + ".*.bin")):
        arr = array.array("q")
        with open(f, "rb") as fh:
            arr.frombytes(fh.read())
        for j in range(0, len(arr), 3):
            t0, d, st = arr[j], arr[j + 1], arr[j + 2]
            if windows and not any(w0 <= t0 <= w1 for w0, w1 in windows):
                continue
            if st != 200:
                bad += 1
                continue
            lat.append(d)
            t_min = t0 if t_min is None or t0 < t_min else t_min
            t_max = t0 if t_max is None or t0 > t_max else t_max
    lat.sort()
    span = (sum(w1 - w0 for w0, w1 in windows) if windows else ((t_max or 0) - (t_min or 0))) / 1e9
    ms = lambda v: None if v is None else round(v / 1e6, 3)
    out = {"count": len(lat), "non200": bad, "window_s": round(span, 3),
           "rps": round(len(lat) / span, 1) if span > 0 else None,
           "p50_ms": ms(pct(lat, 50)), "p90_ms": ms(pct(lat, 90)), "p99_ms": ms(pct(lat, 99)),
           "p999_ms": ms(pct(lat, 99.9)), "max_ms": ms(lat[-1] if lat else None)}
    print(json.dumps(out))


def load(prefix):
    """[(start_ns, latency_ns)] of the 200 answers, sorted by start"""
    out = []
    for f in sorted(glob.glob(prefix + ".*.bin")):
        arr = array.array("q")
        with open(f, "rb") as fh:
            arr.frombytes(fh.read())
        out.extend((arr[j], arr[j + 1]) for j in range(0, len(arr), 3) if arr[j + 2] == 200)
    out.sort()
    return out


def slices(a):
    reqs = load(a.out)
    windows = [tuple(int(x) for x in w.split(":")) for w in a.window]
    all_lat = sorted(d for t, d in reqs if any(w0 <= t <= w1 for w0, w1 in windows))
    whole = pct(all_lat, 99)
    step = int(a.slice_s * 1e9)
    p99s = []
    for w0, w1 in windows:
        s0 = w0
        while s0 + step <= w1:
            lat = sorted(d for t, d in reqs if s0 <= t < s0 + step)
            if lat:
                p99s.append(pct(lat, 99))
            s0 += step
    ratios = sorted(round(p / whole, 2) for p in p99s) if whole else []
    print(json.dumps({"slice_s": a.slice_s, "idle_p99_ms": round(whole / 1e6, 3) if whole else None,
                      "slice_p99_ms": [round(p / 1e6, 3) for p in p99s], "ratios_sorted": ratios,
                      "max_ratio": ratios[-1] if ratios else None}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["run", "stats", "slices"])
    ap.add_argument("--url")
    ap.add_argument("--accept", default="application/vnd.oci.image.manifest.v1+json, "
                    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json")
    ap.add_argument("-c", type=int, default=8)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stop-file")
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--from", dest="frm", type=int, default=0)
    ap.add_argument("--to", type=int, default=0)
    ap.add_argument("--window", action="append", default=[], help="FROM:TO in ns; repeatable (union)")
    ap.add_argument("--slice-s", type=float, default=1.0)
    a = ap.parse_args()
    if a.cmd == "run":
        if not a.url or not a.stop_file:
            ap.error("run needs --url and --stop-file")
        run(a)
    elif a.cmd == "slices":
        slices(a)
    else:
        stats(a)


if __name__ == "__main__":
    main()
