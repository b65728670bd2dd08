#!/usr/bin/env python3
"""Results of bench/gc (python3 stdlib only).

  record FILE.jsonl key=value... [j:key=FILE.json] [js:key=JSONTEXT]   append one record
  markdown FILE.jsonl                                                   the results as markdown
"""
import json, re, statistics, sys, time


NUM_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
NUM_FLOAT = re.compile(r"^-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$")


def conv(v):
    if NUM_INT.match(v):
        return int(v)
    if NUM_FLOAT.match(v):
        return float(v)
    return v


def record(path, args):
    r = {"t": round(time.time(), 3)}
    for a in args:
        if a.startswith("j:"):
            k, f = a[2:].split("=", 1)
            with open(f) as fh:
                r[k] = json.load(fh)
        elif a.startswith("js:"):
            k, s = a[3:].split("=", 1)
            try:
                r[k] = json.loads(s) if s.strip() else None
            except ValueError:
                r[k] = {"unparsed": s[:500]}
        else:
            k, v = a.split("=", 1)
            r[k] = conv(v)
    with open(path, "a") as fh:
        fh.write(json.dumps(r) + "\n")


def med(xs):
    xs = [x for x in xs if isinstance(x, (int, float))]
    return statistics.median(xs) if xs else None


def f3(x, nd=3):
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return ("%." + str(nd) + "f") % x
    return str(x)


def spread(xs, nd=2):
    xs = [x for x in xs if isinstance(x, (int, float))]
    if not xs:
        return "n/a"
    m = statistics.median(xs)
    if len(xs) == 1:
        return ("%." + str(nd) + "f") % m
    return ("%." + str(nd) + "f (%." + str(nd) + "f–%." + str(nd) + "f)") % (m, min(xs), max(xs))


def mib(kb):
    return "n/a" if not isinstance(kb, (int, float)) else "%d" % round(kb / 1024)


def markdown(path):
    recs = [json.loads(l) for l in open(path) if l.strip()]
    meta = next((r for r in recs if r["type"] == "meta"), {})
    end = next((r for r in recs if r["type"] == "end"), {})
    out = []
    p = out.append
    p("# GC benchmark: Berth online `gc` vs Docker Registry `garbage-collect`")
    p("")
    p("Run `%s` on `%s`, %s, %s s in all." % (meta.get("runid"), meta.get("host"),
                                         time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(recs[0]["t"])),
                                         end.get("seconds", "n/a (incomplete)")))
    p("")
    p("Command: `%s`  " % meta.get("cmdline"))
    p("Environment: `%s`" % meta.get("env"))
    p("")
    p("| machine | |")
    p("|---|---|")
    p("| nproc | %s |" % meta.get("nproc"))
    p("| CPU | %s |" % meta.get("cpu"))
    p("| memory | %.1f GiB |" % (meta.get("mem_kb", 0) / 1048576))
    p("| kernel | %s |" % meta.get("kernel"))
    p("| filesystem of the data | %s |" % meta.get("fs"))
    p("| blob storage | %s |" % ("s3proxy 4.1.0 (filesystem backend), a bucket per registry, redirects off"
                                 if meta.get("storage") == "s3" else "filesystem"))
    p("| load average at start / end | %s / %s |" % (meta.get("loadavg_start"), end.get("loadavg_end")))
    p("| docker-registry | %s (Debian package) |" % meta.get("docker_registry"))
    p("| Java | %s |" % meta.get("java"))
    p("| Berth | %s, %s |" % (meta.get("berth_version"), meta.get("berth_commit")))
    p("| Berth JVM options (server and CLI) | `%s` |" % meta.get("berth_java_opts"))
    p("")
    p("Variants: `STATE:FLAGS`. `untagged` = every second image of each repository untagged (Berth: "
      "`DELETE /v2/<repo>/manifests/<tag>`; Docker Registry 2.8 answers that with 400, so its tag directory is "
      "removed on disk); `deleted` = those manifests also deleted by digest through the API. `plain` = Docker "
      "`garbage-collect`, Berth `gc --grace 0s`; `-m` = Docker `garbage-collect --delete-untagged`, Berth "
      "`gc --grace 0s --delete-untagged`. Docker Registry is stopped for its GC (offline); Berth's server runs "
      "and the `berth gc` CLI hands the run to it. Timings are medians over %s timed run(s) (min–max when more "
      "than one), each from a restored snapshot, without other load. Latency comes from one extra Berth run per "
      "variant with %s closed-loop connections (separate python processes, keep-alive) GETting a surviving "
      "tagged manifest: %s s warm-up, then idle = %s s before plus %s s after the GC in the same run, during = "
      "the server's own start..end of the GC run. The load generator runs on the same %s cores as the server." % (
          meta.get("reps"), meta.get("load_c"), meta.get("warmup_s"), meta.get("idle_s"), meta.get("idle_s"),
          meta.get("nproc")))
    p("")
    ks = []
    for r in recs:
        if r.get("K") is not None and r["K"] not in ks:
            ks.append(r["K"])
    # ---- workload
    p("## Workload")
    p("")
    p("| K | victims | configs+layers | expected freed: configs+layers (bytes) | expected freed: manifests (bytes) "
      "| push Docker s (images/s) | push Berth s (images/s) | untag Docker / Berth s | delete by digest Docker / Berth s |")
    p("|---|---|---|---|---|---|---|---|---|")
    for K in ks:
        e = next((r["expect"] for r in recs if r["type"] == "expect" and r["K"] == K), None)
        if not e:
            continue
        def g(t, reg):
            return next((r for r in recs if r["type"] == t and r["K"] == K and r.get("reg") == reg), {})
        pd, pb = g("push", "docker"), g("push", "berth")
        ud, ub, dd, db = g("untag", "docker"), g("untag", "berth"), g("delete", "docker"), g("delete", "berth")
        sec = lambda r: f3((r.get("stats") or {}).get("seconds"), 2)
        p("| %s | %d | %d | %d (%d) | %d (%d) | %s (%s) | %s (%s) | %s / %s | %s / %s |" % (
            K, e["victims"], e["blobs_total"], e["freed_blob_count"], e["freed_blob_bytes"],
            e["freed_manifest_count"], e["freed_manifest_bytes"],
            f3(pd.get("wall_s"), 1), (pd.get("stats") or {}).get("items_per_s"),
            f3(pb.get("wall_s"), 1), (pb.get("stats") or {}).get("items_per_s"),
            sec(ud), sec(ub), sec(dd), sec(db)))
    p("")
    push_b = [r for r in recs if r["type"] == "push" and r.get("reg") == "berth"]
    if push_b:
        p("Berth server RSS after the push: " + ", ".join(
            "K=%s %s MiB (peak %s MiB)" % (r["K"], mib(r.get("server_rss_kb")), mib(r.get("server_hwm_kb"))) for r in push_b))
        p("")
    # ---- main table
    p("## Results")
    p("")
    p("| K | variant | Docker wall s | Berth wall s (CLI) | Berth server s | Berth/Docker (CLI) | blobs deleted Docker: "
      "files (manifests) | blobs deleted Berth: files (+ manifest rows) | bytes freed Docker (disk) | bytes freed Berth: "
      "disk (reported) | Docker max RSS MiB | Berth max RSS MiB: server peak during GC (CLI) | p99 idle ms | p99 during GC ms "
      "| p99 ratio | check |")
    p("|" + "---|" * 16)
    problems = []
    for K in ks:
        variants = []
        for r in recs:
            if r["type"] == "gc" and r["K"] == K and (r["state"], r["flags"]) not in variants:
                variants.append((r["state"], r["flags"]))
        for st, fl in variants:
            runs = [r for r in recs if r["type"] == "gc" and r["K"] == K and r["state"] == st and r["flags"] == fl]
            dk = [r for r in runs if r["reg"] == "docker"]
            bt = [r for r in runs if r["reg"] == "berth" and r["mode"] == "timed"]
            bl = [r for r in runs if r["reg"] == "berth" and r["mode"] == "load"]
            dwall, bwall = med([r["wall_s"] for r in dk]), med([r["wall_s"] for r in bt])
            bsrv = [((r["disk"].get("gc_summary") or {}).get("server_seconds")) for r in bt]
            d0 = dk[0]["disk"] if dk else {}
            b0 = bt[0]["disk"] if bt else {}
            bsum = b0.get("gc_summary") or {}
            # consistency across every run of this variant, and Docker vs Berth
            checks = []
            for r in runs:
                if not r.get("ok"):
                    checks.append("%s %s rep %s failed its checks" % (r["reg"], r["mode"], r["rep"]))
            dsets = {tuple(r["disk"]["removed_blob_digests"]) for r in dk}
            bsets = {tuple(r["disk"]["removed_blob_digests"]) for r in bt + bl}
            if len(dsets) > 1:
                checks.append("Docker runs removed different sets")
            if len(bsets) > 1:
                checks.append("Berth runs removed different sets")
            if dsets and bsets and dsets != bsets:
                dd, bb = set(next(iter(dsets))), set(next(iter(bsets)))
                checks.append("configs/layers removed differ: %d only by Docker, %d only by Berth" % (len(dd - bb), len(bb - dd)))
            if dk and bt and d0.get("removed_blob_bytes") != b0.get("removed_blob_bytes"):
                checks.append("config/layer bytes freed differ: Docker %s, Berth %s" % (d0.get("removed_blob_bytes"), b0.get("removed_blob_bytes")))
            if dk and bt and st == "untagged" and bsum:
                if bsum.get("manifests") != d0.get("removed_manifest_files"):
                    checks.append("manifests: Docker removed %s, Berth collected %s" % (d0.get("removed_manifest_files"), bsum.get("manifests")))
                if bsum.get("bytes_freed") != d0.get("removed_bytes"):
                    checks.append("bytes: Docker freed %s on disk, Berth reports %s" % (d0.get("removed_bytes"), bsum.get("bytes_freed")))
            check = "match" if not checks else "**MISMATCH**"
            for c in checks:
                problems.append("K=%s %s:%s: %s" % (K, st, fl, c))
            lat_i = (bl[0].get("lat_idle") or {}) if bl else {}
            lat_g = (bl[0].get("lat_gc") or {}) if bl else {}
            ratio = (lat_g.get("p99_ms") / lat_i["p99_ms"]) if lat_i.get("p99_ms") and lat_g.get("p99_ms") else None
            man_rows = bsum.get("manifests", 0) if st == "untagged" else "%s by DELETE before GC" % (
                d0.get("removed_manifest_files") if dk else "?")
            p("| %s | %s:%s | %s | %s | %s | %s | %s (%s) | %s (+%s) | %s | %s (%s) | %s | %s (%s) | %s | %s | %s | %s |" % (
                K, st, fl, spread([r["wall_s"] for r in dk]), spread([r["wall_s"] for r in bt]), spread(bsrv, 3),
                ("%.2f" % (bwall / dwall)) if dwall and bwall else "n/a",
                d0.get("removed_files", "n/a"), d0.get("removed_manifest_files", "n/a"),
                b0.get("removed_files", "n/a"), man_rows,
                d0.get("removed_bytes", "n/a"), b0.get("removed_bytes", "n/a"), bsum.get("bytes_freed", "n/a"),
                mib(med([r.get("maxrss_kb") for r in dk])), mib(med([r.get("server_hwm_kb") for r in bt])),
                mib(med([r.get("cli_maxrss_kb") for r in bt])),
                f3(lat_i.get("p99_ms"), 2), f3(lat_g.get("p99_ms"), 2), ("%.1f" % ratio) if ratio else "n/a", check))
    p("")
    p("Bytes: Docker Registry's figure is the size of the blob files that disappeared (its manifests are blobs). "
      "Berth's disk figure is the same for its blob store (configs and layers only); its reported figure is the "
      "summary line's, which adds the manifest payloads it deleted from its database in that run. In the "
      "`deleted` state Berth had already dropped the manifest rows when the API DELETE arrived, so its GC "
      "frees only configs and layers there. The check compares the exact digest sets of removed configs/layers "
      "of every run with each other and with the expectation computed from the layout.")
    p("")
    if problems:
        p("### Mismatches")
        p("")
        for x in problems:
            p("- " + x)
        p("")
    # ---- latency details
    p("## Manifest GET latency (Berth load runs)")
    p("")
    p("| K | variant | window | requests | non-200 | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | GC wall under load s (server s) |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in recs:
        if r["type"] == "gc" and r["reg"] == "berth" and r["mode"] == "load":
            srv = (r["disk"].get("gc_summary") or {}).get("server_seconds")
            for name, key in (("idle (before + after)", "lat_idle"), ("idle before GC", "lat_idle_before"),
                              ("idle after GC", "lat_idle_after"), ("during GC (server run)", "lat_gc"),
                              ("during `berth gc` CLI call", "lat_cli")):
                l = r.get(key) or {}
                p("| %s | %s:%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    r["K"], r["state"], r["flags"], name, l.get("count", "n/a"), l.get("non200", "n/a"), l.get("rps", "n/a"),
                    f3(l.get("p50_ms"), 2), f3(l.get("p90_ms"), 2), f3(l.get("p99_ms"), 2), f3(l.get("p999_ms"), 2),
                    f3(l.get("max_ms"), 1), ("%s (%s)" % (r["wall_s"], srv)) if key == "lat_gc" else ""))
    p("")
    # ---- every run
    p("## Every run")
    p("")
    p("Machine busy % = share of all cores busy during the GC (from /proc/stat), this run's own processes "
      "included: anything well above what the run itself uses is other work on the machine.")
    p("")
    p("| K | registry | variant | mode | rep | wall s | server s | CPU s (Docker user+sys; Berth server) | max RSS MiB "
      "| removed files | removed bytes | load avg before | machine busy % during | exit | fsck | checks |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in recs:
        if r["type"] != "gc":
            continue
        d = r["disk"]
        s = d.get("gc_summary") or {}
        if r["reg"] == "docker":
            cpu = (r.get("user_s") or 0) + (r.get("sys_s") or 0)
            rss = mib(r.get("maxrss_kb"))
        else:
            cpu = r.get("server_cpu_s")
            if isinstance(cpu, (int, float)) and isinstance(r.get("server_runqueue_wait_s"), (int, float)):
                cpu = "%.2f (waited %.2f for a CPU)" % (cpu, r["server_runqueue_wait_s"])
            rss = "%s (CLI %s)" % (mib(r.get("server_hwm_kb")), mib(r.get("cli_maxrss_kb")))
        p("| %s | %s | %s:%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["K"], r["reg"], r["state"], r["flags"], r["mode"], r["rep"], r["wall_s"], s.get("server_seconds", ""),
            f3(cpu, 2) if isinstance(cpu, (int, float)) else cpu, rss, d["removed_files"], d["removed_bytes"], r.get("loadavg"),
            r.get("machine_busy_pct", "n/a"),
            r.get("exit"), (r.get("fsck_exit") if r["reg"] == "berth" else ""), "ok" if r.get("ok") else "**FAILED**"))
    p("")
    # ---- Berth phases and CLI overhead
    berth_runs = [r for r in recs if r["type"] == "gc" and r["reg"] == "berth"]
    if berth_runs:
        names = ["mark_manifests", "sweep_manifests", "sweep_links", "sweep_blobs", "sweep_orphans", "purge_uploads",
                 "remove_empty_repositories", "done"]
        p("## Berth: where the time goes")
        p("")
        p("Phases as first seen by polling the admin API every 0.1 s (a phase shorter than that may be missing or "
          "attributed to its neighbour); CLI start = from launching `berth gc` to the server's `startedAt`; CLI end = "
          "from the server's `finishedAt` to the CLI's exit.")
        p("")
        p("| K | variant | mode | rep | server s | " + " | ".join(n.replace("_", " ") + " s" for n in names[:-1]) +
          " | CLI start s | CLI end s | manifests, blobs, links collected |")
        p("|" + "---|" * (len(names) + 8))
        for r in berth_runs:
            ph = {x["phase"]: x.get("seconds") for x in (r.get("phases") or {}).get("phases", [])}
            s_ = r["disk"].get("gc_summary") or {}
            w = str(r.get("server_window") or "").split()
            cs = ce = "n/a"
            if len(w) >= 2 and isinstance(r.get("cli_start_ns"), int):
                cs = "%.2f" % ((int(w[0]) - r["cli_start_ns"]) / 1e9)
                ce = "%.2f" % ((r["cli_end_ns"] - int(w[1])) / 1e9)
            p("| %s | %s:%s | %s | %s | %s | %s | %s | %s | %s, %s, %s |" % (
                r["K"], r["state"], r["flags"], r["mode"], r["rep"], s_.get("server_seconds", "n/a"),
                " | ".join(f3(ph.get(n), 2) if n in ph else "–" for n in names[:-1]), cs, ce,
                s_.get("manifests"), s_.get("blobs"), s_.get("links")))
        p("")
    warn = [(r, w) for r in recs if r["type"] == "gc" for w in (r["disk"].get("gc_warnings") or [])]
    other = [(r, w) for r in recs if r["type"] == "gc" for w in (r["disk"].get("gc_other_lines") or [])]
    if warn or other:
        p("## Unexpected lines in `berth gc` output")
        p("")
        for r, w in (warn + other)[:40]:
            p("- K=%s %s:%s %s rep %s: `%s`" % (r["K"], r["state"], r["flags"], r["mode"], r["rep"], w.replace("`", "'")))
        p("")
    p("Mismatches counted by the run: %s." % end.get("mismatches", "n/a (incomplete run)"))
    print("\n".join(out))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[1] == "record":
        record(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "markdown":
        markdown(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
