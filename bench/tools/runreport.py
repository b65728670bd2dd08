#!/usr/bin/env python3
"""Records and the markdown report of bench/run (python3 stdlib only).

  meta   JSONL key=value...                       one record of facts (machine, options)
  foldgc TSV GC.jsonl                             turn bench/gc's records into TSV records
  build  JSONL TSV                                append every TSV record to JSONL as {"type":"m",...}
  ab     AB_OUTPUT AB_CSV                         parse one `ab` run: "rps p99_ms failures completed"
  markdown JSONL                                  the report
"""
import collections, json, re, statistics, sys, time

REGS = ("berth", "docker", "nginx")
NAMES = {"berth": "Berth", "docker": "Docker Registry", "nginx": "nginx"}


def conv(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def append(path, rec):
    rec = dict({"t": round(time.time(), 3)}, **rec)
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


# TSV records (written by bench/run's rec and by foldgc), tab-separated:
#   reg workload metric value unit rep better epoch-seconds [key=value ...]
def m(tsv, reg, wl, metric, value, unit, rep, better, *extra):
    with open(tsv, "a") as f:
        f.write("\t".join(str(x) for x in (reg, wl, metric, value, unit, rep, better, "%.3f" % time.time()) + extra) + "\n")


def build(jsonl, tsv):
    with open(jsonl, "a") as out:
        for line in open(tsv):
            f = line.rstrip("\n").split("\t")
            if len(f) < 8:
                raise SystemExit("runreport.py: short TSV record: %r" % line)
            v = conv(f[3])
            if not isinstance(v, (int, float)):
                raise SystemExit("runreport.py: value is not a number: %r" % line)
            rec = {"type": "m", "t": conv(f[7]), "reg": f[0], "wl": f[1], "metric": f[2], "value": v, "unit": f[4],
                   "rep": conv(f[5]), "better": f[6]}
            for kv in f[8:]:
                k, val = kv.split("=", 1)
                rec[k] = conv(val)
            out.write(json.dumps(rec) + "\n")


def meta(jsonl, *kvs):
    rec = {"type": "meta"}
    for kv in kvs:
        k, val = kv.split("=", 1)
        rec[k] = conv(val)
    append(jsonl, rec)


def foldgc(tsv, gcfile):
    recs = [json.loads(l) for l in open(gcfile) if l.strip()]
    for r in recs:
        if r.get("type") == "push":
            m(tsv, r["reg"], "GC K=%s: populate (raw HTTP, 4 clients)" % r["K"], "push images/s",
              r["stats"]["items_per_s"], "images/s", 1, "higher")
        if r.get("type") == "delete":
            m(tsv, r["reg"], "GC K=%s: populate (raw HTTP, 4 clients)" % r["K"], "DELETE by digest, manifests/s",
              r["stats"]["items_per_s"], "manifests/s", 1, "higher")
    for r in recs:
        if r.get("type") != "gc":
            continue
        v = "%s:%s" % (r["state"], r["flags"])
        wl = "GC K=%s %s" % (r["K"], v)
        ok = "ok=%s" % r.get("ok", 0)
        if r["mode"] == "timed":
            m(tsv, r["reg"], wl, "wall s (Docker offline, Berth online CLI)", r["wall_s"], "s", r["rep"], "lower", ok)
            name = "GC itself s (Berth: server-side run; Docker: offline wall)"
            if r["reg"] == "docker":
                m(tsv, "docker", wl, name, r["wall_s"], "s", r["rep"], "lower", ok)
            if r["reg"] == "berth" and r.get("server_window"):
                w = r["server_window"].split()
                if len(w) >= 2 and int(w[1]) > 0:
                    m(tsv, "berth", wl, name, (int(w[1]) - int(w[0])) / 1e9, "s", r["rep"], "lower", ok)
            rss = r.get("maxrss_kb") if r["reg"] == "docker" else r.get("server_hwm_kb")
            if isinstance(rss, int):
                m(tsv, r["reg"], wl, "peak RSS MiB (Docker GC process; Berth server)", round(rss / 1024, 1), "MiB", r["rep"], "lower", ok)
        elif r["mode"] == "load":
            for key, name in (("lat_idle", "manifest GET p99 ms, idle"), ("lat_gc", "manifest GET p99 ms, during GC")):
                p = (r.get(key) or {}).get("p99_ms")
                if isinstance(p, (int, float)):
                    m(tsv, "berth", wl + " latency", name, p, "ms", r["rep"], "lower", ok)
            for key, name in (("lat_idle", "manifest GET req/s, idle"), ("lat_gc", "manifest GET req/s, during GC")):
                p = (r.get(key) or {}).get("rps")
                if isinstance(p, (int, float)):
                    m(tsv, "berth", wl + " latency", name, p, "req/s", r["rep"], "higher", ok)
    end = [r for r in recs if r.get("type") == "end"]
    print("gc_mismatches=%s" % (end[0].get("mismatches") if end else "unknown"),
          "gc_seconds=%s" % (end[0].get("seconds") if end else "unknown"))


def ab(out_file, csv_file):
    t = open(out_file, errors="replace").read()
    mm = re.search(r"Requests per second:\s*([\d.]+)", t)
    done = re.search(r"Complete requests:\s*(\d+)", t)
    if not mm or not done:
        raise SystemExit("runreport.py: no result in %s: %s" % (out_file, t[-400:]))
    bad = sum(int(x) for x in re.findall(r"(?:Non-2xx responses|Failed requests):\s*(\d+)", t))
    p99 = None
    for line in open(csv_file):
        f = line.strip().split(",")
        if f and f[0] == "99":
            p99 = float(f[1])
    if p99 is None:
        raise SystemExit("runreport.py: no 99th percentile in %s" % csv_file)
    print(mm.group(1), "%.3f" % p99, bad, done.group(1))


def fmt(x):
    if x is None:
        return ""
    ax = abs(x)
    if ax >= 1000:
        return "%.0f" % x
    if ax >= 100:
        return "%.1f" % x
    if ax >= 10:
        return "%.2f" % x
    return "%.3g" % x


def cell(vals):
    if not vals:
        return "—", None
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med), med
    return "%s (%s–%s)" % (fmt(med), fmt(min(vals)), fmt(max(vals))), med


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return "%.2f" % (a / b)


def markdown(jsonl):
    recs = [json.loads(l) for l in open(jsonl) if l.strip()]
    metas = {}
    for r in recs:
        if r["type"] == "meta":
            metas.update({k: v for k, v in r.items() if k not in ("t", "type")})
    rows = collections.OrderedDict()
    notes = {}
    for r in recs:
        if r["type"] != "m":
            continue
        key = (r["wl"], r["metric"], r["unit"], r["better"])
        rows.setdefault(key, {g: [] for g in REGS})
        rows[key][r["reg"]].append(r["value"])
        if r.get("ok") == 0:
            notes[key] = "check failed"
    o = []
    p = o.append
    p("# Berth vs Docker Registry 2.8: bench/run")
    p("")
    p("Run `%s` on `%s`, %s, %s s in all. Command: `%s`." % (metas.get("runid"), metas.get("host"), metas.get("date"),
                                                          metas.get("seconds", "?"), metas.get("cmdline")))
    p("")
    p("| machine | |")
    p("|---|---|")
    for k, name in (("cpu", "CPU"), ("nproc", "cores (nproc)"), ("mem", "RAM"), ("kernel", "kernel"), ("fs", "filesystem of the data"),
                    ("java", "JDK"), ("docker_registry", "docker-registry"), ("nginx", "nginx"), ("ab", "ab"), ("skopeo", "skopeo"),
                    ("berth", "Berth"), ("berth_java_opts", "Berth JVM options"), ("loadavg_start", "load average at start"),
                    ("loadavg_end", "load average at end")):
        if k in metas:
            p("| %s | %s |" % (name, str(metas[k]).replace("|", "\\|")))
    p("")
    p("Medians over %s repetition(s) per registry (min–max in brackets when more than one), Berth and Docker "
      "Registry alternating within each repetition. Ratios are Berth / Docker Registry and Berth / nginx of the "
      "medians; the *better* column says which direction is good for that figure (ratio > 1 is good for Berth when "
      "higher is better, < 1 when lower is better). Servers and load generators share the machine's %s cores."
      % (metas.get("reps"), metas.get("nproc")))
    p("")
    try:
        la = max(float(str(metas.get(k, "0")).split()[0]) for k in ("loadavg_start", "loadavg_end"))
        if la > float(metas.get("nproc", 1)):
            p("**The load average (%.1f) was above the number of cores: other work competed for the CPU during this run, "
              "so rates and latencies are low and noisy, for both registries. The server-CPU-per-request and per-GB rows "
              "are less disturbed than rates and latencies; compare runs made under similar load only.**" % la)
            p("")
    except (TypeError, ValueError):
        pass
    p("| workload | metric | better | Berth | Docker Registry | Berth / Docker | nginx | Berth / nginx | n (B/D/n) | note |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    for key, by in rows.items():
        wl, metric, unit, better = key
        cb, mb = cell(by["berth"])
        cd, md = cell(by["docker"])
        cn, mn = cell(by["nginx"])
        note = notes.get(key, "")
        if wl.startswith("GC") and "latency" in wl and not by["docker"]:
            cd, note = "n/a (offline GC)", note
        p("| %s | %s (%s) | %s | %s | %s | %s | %s | %s | %d/%d/%d | %s |" % (
            wl, metric, unit, "↑" if better == "higher" else "↓", cb, cd, ratio(mb, md),
            cn if by["nginx"] else "", ratio(mb, mn) if by["nginx"] else "",
            len(by["berth"]), len(by["docker"]), len(by["nginx"]), note))
    p("")
    for k in ("workloads_note", "gc_note"):
        if k in metas:
            p(str(metas[k]))
            p("")
    if metas.get("gc_mismatches") not in (None, 0, "0"):
        p("**bench/gc reported %s mismatch(es)**: see its report in the run directory." % metas.get("gc_mismatches"))
        p("")
    print("\n".join(o))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    {"meta": meta, "foldgc": foldgc, "build": build, "ab": ab, "markdown": markdown}[cmd](*args)


if __name__ == "__main__":
    main()
