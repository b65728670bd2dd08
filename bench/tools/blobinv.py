#!/usr/bin/env python3
"""Blob-store inventories and what a GC run removed (python3 stdlib only).

  inv  ROOT                     "digest<TAB>size" for every <ROOT>/docker/registry/v2/blobs/<alg>/<xx>/<hex>/data
  diff --before A --after B --expect EXPECT.json --kind docker|berth --collects yes|no [--gc-log LOG]
       JSON: what disappeared, split into manifests (Docker Registry keeps manifests as blobs; Berth
       keeps them in its database) and configs/layers, checked against the expectation:
         unexpected = removed although a survivor needs it (data loss)
         missed     = should have been removed and is still there
       With --gc-log (berth gc output) also the digests and sizes Berth says it deleted, and its
       summary line, checked against the disk.
"""
import argparse, json, os, re, sys


def inventory(root):
    base = os.path.join(root, "docker/registry/v2/blobs")
    out = {}
    for alg in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        for xx in os.listdir(os.path.join(base, alg)):
            d2 = os.path.join(base, alg, xx)
            for hx in os.listdir(d2):
                p = os.path.join(d2, hx, "data")
                try:
                    out["%s:%s" % (alg, hx)] = os.stat(p).st_size
                except FileNotFoundError:
                    pass
    return out


def load_inv(path):
    inv = {}
    with open(path) as f:
        for line in f:
            dg, size = line.split()
            inv[dg] = int(size)
    return inv


SUMMARY = re.compile(r"^(collected|dry run): (\d+) manifests, (\d+) blobs, (\d+) orphaned blobs, (\d+) links, "
                     r"(\d+) upload sessions, (\d+) empty repositories; (\d+) bytes (?:freed|would be freed); ([\d.]+) s$")
LINE = re.compile(r"^(deleted|would delete) (manifest|blob) (?:(\S+) )?(sha256:[0-9a-f]{64}) (\d+) bytes$")


def parse_gc_log(path):
    res = {"summary": None, "log_blobs": {}, "log_manifests": {}, "warnings": [], "other_lines": []}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = SUMMARY.match(line)
            if m:
                res["summary"] = {"line": line, "manifests": int(m.group(2)), "blobs": int(m.group(3)),
                                  "orphans": int(m.group(4)), "links": int(m.group(5)), "uploads": int(m.group(6)),
                                  "repositories": int(m.group(7)), "bytes_freed": int(m.group(8)),
                                  "server_seconds": float(m.group(9))}
                continue
            m = LINE.match(line)
            if m:
                (res["log_manifests"] if m.group(2) == "manifest" else res["log_blobs"])[m.group(4)] = int(m.group(5))
                continue
            if line.startswith("warning"):
                res["warnings"].append(line)
            elif line and not line.startswith("a server runs on this data directory"):
                res["other_lines"].append(line[:300])
    res["other_lines"] = res["other_lines"][:20]
    return res


def diff(a):
    before, after = load_inv(a.before), load_inv(a.after)
    exp = json.load(open(a.expect))
    manifests = exp["all_manifests"]
    removed = {d: s for d, s in before.items() if d not in after}
    added = sorted(d for d in after if d not in before)
    rm_man = {d: s for d, s in removed.items() if d in manifests}
    rm_blob = {d: s for d, s in removed.items() if d not in manifests}
    want_blobs = set(exp["freed_blobs"]) if a.collects == "yes" else set()
    # Docker Registry keeps manifests as blobs; they go with the collection too.  In the "deleted"
    # state Berth already dropped the manifest rows at DELETE time; its disk never holds manifests.
    want_man = set(exp["freed_manifests"]) if (a.collects == "yes" and a.kind == "docker") else set()
    want = want_blobs | want_man
    out = {
        "before_files": len(before), "after_files": len(after),
        "before_bytes": sum(before.values()), "after_bytes": sum(after.values()),
        "removed_files": len(removed), "removed_bytes": sum(removed.values()),
        "removed_manifest_files": len(rm_man), "removed_manifest_bytes": sum(rm_man.values()),
        "removed_blob_files": len(rm_blob), "removed_blob_bytes": sum(rm_blob.values()),
        "expected_removed_files": len(want),
        "expected_removed_bytes": sum(before.get(d, 0) for d in want),
        "unexpected_removed": sorted(set(removed) - want)[:20],
        "unexpected_removed_count": len(set(removed) - want),
        "missed": sorted(want - set(removed))[:20],
        "missed_count": len(want - set(removed)),
        "added_files": len(added),
        "removed_blob_digests": sorted(rm_blob),
    }
    out["disk_ok"] = out["unexpected_removed_count"] == 0 and out["missed_count"] == 0 and not added
    if a.gc_log:
        g = parse_gc_log(a.gc_log)
        s = g["summary"]
        lb, lm = g["log_blobs"], g["log_manifests"]
        out["gc_summary"] = s
        out["gc_log_blob_lines"] = len(lb)
        out["gc_log_blob_bytes"] = sum(lb.values())
        out["gc_log_manifest_lines"] = len(lm)
        out["gc_log_manifest_bytes"] = sum(lm.values())
        out["gc_warnings"] = g["warnings"][:20]
        out["gc_other_lines"] = g["other_lines"]
        want_logged_man = set(exp["freed_manifests"]) if (a.collects == "yes" and a.state == "untagged") else set()
        problems = []
        if s is None:
            problems.append("no summary line in the gc output")
        else:
            if s["blobs"] != len(lb):
                problems.append("summary blobs %d != %d 'deleted blob' lines" % (s["blobs"], len(lb)))
            if s["manifests"] != len(lm):
                problems.append("summary manifests %d != %d 'deleted manifest' lines" % (s["manifests"], len(lm)))
            if s["bytes_freed"] != sum(lb.values()) + sum(lm.values()):
                problems.append("summary bytes %d != logged blob+manifest bytes %d" % (
                    s["bytes_freed"], sum(lb.values()) + sum(lm.values())))
            if s["orphans"]:
                problems.append("%d orphaned blobs collected" % s["orphans"])
        if set(lb) != set(rm_blob):
            problems.append("logged blobs != blobs gone from disk (%d logged, %d gone, %d logged-not-gone, %d gone-not-logged)" % (
                len(lb), len(rm_blob), len(set(lb) - set(rm_blob)), len(set(rm_blob) - set(lb))))
        if any(before.get(d) != sz for d, sz in lb.items() if d in before):
            problems.append("logged blob sizes differ from file sizes")
        if set(lm) != want_logged_man:
            problems.append("logged manifests (%d) != expected manifests (%d)" % (len(lm), len(want_logged_man)))
        out["gc_log_problems"] = problems
    json.dump(out, sys.stdout)
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["inv", "diff"])
    ap.add_argument("root", nargs="?")
    ap.add_argument("--before"); ap.add_argument("--after"); ap.add_argument("--expect")
    ap.add_argument("--kind", choices=["docker", "berth"])
    ap.add_argument("--state", choices=["untagged", "deleted"], default="untagged")
    ap.add_argument("--collects", choices=["yes", "no"], default="yes")
    ap.add_argument("--gc-log")
    a = ap.parse_args()
    if a.cmd == "inv":
        for dg, size in sorted(inventory(a.root).items()):
            print("%s\t%d" % (dg, size))
    else:
        diff(a)


if __name__ == "__main__":
    main()
