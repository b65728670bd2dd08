#!/usr/bin/env python3
"""Follow a Berth GC run through the admin API and time its phases (python3 stdlib only).

  gcphases.py --server-json <root>/berth/server.json --out FILE.json [--interval 0.1] [--timeout 3600]

Waits for a run in status "running" (GET /api/v1/gc/runs), then polls GET /api/v1/gc/runs/<id>
every INTERVAL seconds and records when each phase (progress.phase) was first seen, with the
progress counters. Resolution: INTERVAL. Writes {"id", "phases": [{"phase", "t_ns", "seconds",
"manifests", "blobs"}], "status", "samples": [[t_ns, phase, manifests, blobs], ...]} to FILE; phases
whose whole life fell between two polls are absent.
"""
import argparse, http.client, json, sys, time, urllib.parse


def get(conn, path, token):
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    return r.status, (json.loads(body) if body else {})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server-json", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=3600)
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout
    info = json.load(open(a.server_json))
    u = urllib.parse.urlsplit(info["url"])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    run_id = None
    while run_id is None and time.monotonic() < deadline:
        st, body = get(conn, "/api/v1/gc/runs", info["token"])
        for r in body.get("runs", []):
            if r.get("status") == "running":
                run_id = r["id"]
        if run_id is None:
            time.sleep(0.02)
    phases, samples, status, last = [], [], None, None
    while run_id and time.monotonic() < deadline:
        t = time.time_ns()
        st, body = get(conn, "/api/v1/gc/runs/" + run_id, info["token"])
        status = body.get("status")
        prog = body.get("progress") or {}
        ph = prog.get("phase")
        if ph:
            samples.append([t, ph, prog.get("manifests"), prog.get("blobs")])
        if ph and ph != last:
            phases.append({"phase": ph, "t_ns": t, "manifests": prog.get("manifests"), "blobs": prog.get("blobs")})
            last = ph
        if status != "running":
            phases.append({"phase": "finished", "t_ns": t})
            break
        time.sleep(a.interval)
    for p, q in zip(phases, phases[1:]):
        p["seconds"] = round((q["t_ns"] - p["t_ns"]) / 1e9, 3)
    # progress over time, thinned to at most ~200 points: shows whether a sweep slows down as it goes
    step = max(1, len(samples) // 200)
    json.dump({"id": run_id, "status": status, "phases": phases, "samples": samples[::step]}, open(a.out, "w"))


if __name__ == "__main__":
    sys.exit(main())
