#!/usr/bin/env python3
"""Touches the machine's free memory once, then gives it back.

On a VM whose host backs guest memory lazily (Firecracker does), the first write to each guest
page costs a fault on the host: writing into never-touched memory runs at about 0.4 GB/s there,
into memory touched before at about 6 GB/s. Whichever registry's page cache, heap or new process
happens to land on untouched pages pays for it, which blurs every comparison that allocates
memory (big pushes, start-up, the GC command's JVM). A server that has been up for a while has
touched its memory long ago, so the benchmarks touch it first: the pages freed here go back to the
guest's free lists, where later allocations find them.

Prints one JSON line: how much was touched, how long it took, the rate of the first and the last
chunk.
"""
import json
import mmap
import sys
import time

CHUNK = 256 << 20
PAGE = mmap.PAGESIZE


def meminfo(field):
    with open("/proc/meminfo") as f:
        for line in f:
            name, value = line.split(":", 1)
            if name == field:
                return int(value.split()[0]) * 1024
    raise KeyError(field)


def main():
    # Leave room for the page cache and the processes already running; never push into reclaim.
    reserve = max(1 << 30, meminfo("MemTotal") // 10)
    target = max(0, meminfo("MemFree") - reserve)
    held, rates, touched = [], [], 0
    started = time.monotonic()
    zeros = b"\0" * CHUNK
    while touched + CHUNK <= target:
        t0 = time.monotonic()
        chunk = mmap.mmap(-1, CHUNK, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        chunk.write(zeros)
        held.append(chunk)  # held until the end, or the next chunk would reuse these same pages
        touched += CHUNK
        rates.append(CHUNK / max(time.monotonic() - t0, 1e-9) / 1e6)
    for chunk in held:
        chunk.close()
    print(json.dumps({
        "touched_gib": round(touched / (1 << 30), 2),
        "seconds": round(time.monotonic() - started, 2),
        "first_chunk_mb_s": round(rates[0]) if rates else None,
        "last_chunk_mb_s": round(rates[-1]) if rates else None,
    }))


if __name__ == "__main__":
    sys.exit(main())
