#!/usr/bin/python3
"""Peer of bench_foundation's audit_append_100k_batch: the same hash-chained audit log written the
way a Python tool would (sqlite3 + hashlib), 100,000 entries in one transaction, WAL, FULL sync.
Prints `peer audit_append_100k_batch SECONDS s`."""
import hashlib
import os
import sqlite3
import sys
import time
from datetime import datetime, timezone

path = sys.argv[1]
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, time TEXT, actor TEXT, action TEXT, target TEXT,"
           " reason TEXT, details TEXT, prev_hash TEXT, hash TEXT)")
db.execute("CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq INTEGER, hash TEXT)")


def field(h, s):
    b = s.encode()
    h.update(str(len(b)).encode() + b":" + b)


start = time.perf_counter()
db.execute("BEGIN IMMEDIATE")
prev = "0" * 64
for i in range(100000):
    seq = i + 1
    row = dict(time=datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
               actor="root", action="bench.append", target=f"target {i}", reason=f"why {i}", details=f'{{"i":{i}}}')
    h = hashlib.sha256()
    for v in (prev, str(seq), row["time"], row["actor"], row["action"], row["target"], row["reason"], row["details"]):
        field(h, v)
    digest = h.hexdigest()
    db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?)",
               (seq, row["time"], row["actor"], row["action"], row["target"], row["reason"], row["details"], prev, digest))
    db.execute("INSERT INTO audit_head VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq=excluded.seq, hash=excluded.hash",
               (seq, digest))
    prev = digest
db.execute("COMMIT")
print(f"peer audit_append_100k_batch {time.perf_counter() - start:.3f} s")
