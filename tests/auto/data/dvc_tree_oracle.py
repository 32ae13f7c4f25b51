#!/usr/bin/python3
"""The hash DVC 3 gives a folder, computed independently of Orrery: the oracle of tst_dvc_compat.

Usage: dvc_tree_oracle.py WORKSPACE FOLDER  ->  one JSON line
  {"md5": "<hex>.dir", "size": N, "nfiles": N, "relpaths": [...]}
       dvc_tree_oracle.py --match  (stdin: {"patterns": [...], "paths": [[path, is_dir], ...]})
  ->  one JSON list of booleans: whether a root .dvcignore with those patterns ignores each path

How DVC builds it (dvc-data's hashfile/build.py, dvc/ignore.py, dvc/pathspec_math.py):
- os.walk(folder) (links are not descended into; a link to a file is listed as a file and its
  content and size are the target's), with the repository's .dvcignore filter applied to each
  folder's dirs and files;
- .dvcignore patterns are pathspec's gitwildmatch; a sub-folder's patterns are re-rooted to the
  repository root (pathspec_math.change_rule) and appended after its parents'; the last matching
  pattern decides; a path is ignored when one of its folders is (DvcIgnorePatterns._ignore);
- the manifest is json.dumps(sorted [{"md5", "relpath"}], sort_keys=True), its md5 plus ".dir".
Written from DVC's documented behaviour and its source's rules; it shares no code with Orrery.
"""

import hashlib
import json
import os
import re
import sys

from pathspec.patterns import GitWildMatchPattern
from pathspec.util import normalize_file

DEFAULTS = [".hg/", ".git/", ".git", ".dvc/"]


def change_rule(rule, rel):
    # dvc/pathspec_math.py: a pattern of folder `rel` as a pattern of the root.
    rule = rule.strip()
    negate = rule.startswith("!")
    if negate:
        rule = rule[1:]
    if rule[:-1].find("/") >= 0 and not rule.startswith("**/"):
        match_all, rule = False, rule.removeprefix("/")
    else:
        match_all, rule = True, rule.removeprefix("**/")
    if rule.startswith("\\"):
        rule = rule[1:]
    rule = f"/{rule}" if not match_all else f"/**/{rule}"
    rule = f"!/{rel}{rule}" if negate else f"/{rel}{rule}"
    return normalize_file(rule)


class Patterns:
    def __init__(self, patterns):
        self.patterns = patterns
        self.spec = []
        for p in patterns:
            regex, include = GitWildMatchPattern.pattern_to_regex(p)
            if regex is not None and include is not None:
                self.spec.append((re.compile(regex), include, p.endswith("/")))

    def _find(self, path, is_dir):
        paths = [path] + ([path + "/"] if is_dir and not path.endswith("/") else [])
        for regex, ignore, dir_only in reversed(self.spec):
            if dir_only and not is_dir:
                continue
            for p in paths:
                if regex.match(p):
                    return ignore
        return False

    def ignored(self, path, is_dir):
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            result = self._find("/".join(parts[:i]), is_dir or i < len(parts))
            if i < len(parts) and not result:
                continue
            return result
        return False


def read_dvcignore(path):
    with open(path, encoding="utf-8") as f:
        return [line for line in map(str.strip, f.readlines()) if line and not line.startswith("#")]


def patterns_for(workspace, rel_dir, cache):
    """The merged patterns in force in `rel_dir` (relative to the root, '' for the root)."""
    if rel_dir in cache:
        return cache[rel_dir]
    if rel_dir == "":
        own = DEFAULTS[:]
        f = os.path.join(workspace, ".dvcignore")
        if os.path.isfile(f):
            own += read_dvcignore(f)
        result = Patterns(own)
    else:
        parent = patterns_for(workspace, os.path.dirname(rel_dir), cache)
        f = os.path.join(workspace, rel_dir, ".dvcignore")
        if os.path.isfile(f):
            result = Patterns(parent.patterns + [change_rule(p, rel_dir) for p in read_dvcignore(f)])
        else:
            result = parent
    cache[rel_dir] = result
    return result


def tree(workspace, folder):
    cache = {}
    top = os.path.join(workspace, folder)
    entries = []
    size = 0
    for root, dirs, files in os.walk(top):
        rel_root = os.path.relpath(root, workspace)
        pats = patterns_for(workspace, rel_root, cache)
        dirs[:] = [d for d in dirs if not pats.ignored(f"{rel_root}/{d}", True)]
        files = [f for f in files if not pats.ignored(f"{rel_root}/{f}", False)]
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as fobj:
                md5 = hashlib.md5(fobj.read()).hexdigest()
            size += os.stat(path).st_size
            entries.append({"md5": md5, "relpath": os.path.relpath(path, top)})
    entries.sort(key=lambda e: e["relpath"])
    manifest = json.dumps(entries, sort_keys=True).encode("utf-8")
    return {
        "md5": hashlib.md5(manifest).hexdigest() + ".dir",
        "size": size,
        "nfiles": len(entries),
        "relpaths": [e["relpath"] for e in entries],
    }


if __name__ == "__main__":
    if sys.argv[1] == "--match":
        query = json.load(sys.stdin)
        pats = Patterns(DEFAULTS + query["patterns"])
        print(json.dumps([pats.ignored(p, d) for p, d in query["paths"]]))
    else:
        print(json.dumps(tree(sys.argv[1], sys.argv[2])))
