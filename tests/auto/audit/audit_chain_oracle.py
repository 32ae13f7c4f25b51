"""An independent check of Orrery's audit chain, written from its documented form
(core/audit/audit_log.h), not from its code: Python's sqlite3 and hashlib over the stored rows.

  audit_chain_oracle.py DATABASE   prints "OK N" when every entry's hash, every link and the head
                                   match; else "BROKEN SEQ: why" and exit status 1
"""
import hashlib
import sqlite3
import sys


def field(text):
    data = text.encode("utf-8")
    return str(len(data)).encode("ascii") + b":" + data


def entry_hash(prev_hash, seq, time, actor, action, target, reason, details):
    h = hashlib.sha256()
    for part in (prev_hash, str(seq), time, actor, action, target, reason, details):
        h.update(field(part))
    return h.hexdigest()


def main(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    rows = db.execute("SELECT seq, time, actor, action, target, reason, details, prev_hash, hash "
                      "FROM audit_log ORDER BY seq").fetchall()
    prev = "0" * 64
    expected = 1
    for seq, time, actor, action, target, reason, details, prev_hash, stored in rows:
        if seq != expected:
            return "BROKEN %d: expected entry %d here" % (seq, expected)
        if prev_hash != prev:
            return "BROKEN %d: prev_hash does not link to entry %d" % (seq, seq - 1)
        if entry_hash(prev_hash, seq, time, actor, action, target, reason, details) != stored:
            return "BROKEN %d: hash does not match the fields" % seq
        prev = stored
        expected += 1
    head = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    last = (len(rows), prev) if rows else None
    if rows and (head is None or tuple(head) != last):
        return "BROKEN %d: the head (%s) is not the newest entry" % (len(rows), head)
    return None


if __name__ == "__main__":
    problem = main(sys.argv[1])
    if problem:
        print(problem)
        sys.exit(1)
    rows = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute("SELECT count(*) FROM audit_log").fetchone()[0]
    print("OK %d" % rows)
