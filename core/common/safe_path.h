#pragma once
// Joining a path a user or a network peer controls under a root folder, such that the result can
// never leave that root: no "..", no absolute paths, no backslashes (MLflow's traversal CVEs
// came back through each new spelling), no NUL bytes, and no symlink on the way that points out.
//
// The symlink check resolves the deepest part of the path that exists now; a caller that then
// creates files must not follow links an attacker can swap in between (cache objects are named by
// hash and written with O_EXCL, so that window does not matter there).

#include "core/common/status.h"

#include <QString>

namespace orrery::common {

// The lexical half of joinInside: "a/./b//c" → "a/b/c"; refuses "..", absolute paths,
// backslashes, NUL bytes and the empty path. Touches no file system.
Result<QString> cleanRelativePath(const QString &relative);

// A path written relative to `base` (a clean path relative to the root; empty: the root itself), as
// a pipeline stage's deps and outs are relative to its wdir: checked after joining, so ".." may
// climb out of `base` but never out of the root ("src" + "../in.txt" is fine, "" + "../x" is
// not); no absolute paths, backslashes or NUL bytes. Returns the path relative to `base` in
// normal form ("./a" → "a", "x/../a" → "a", leading ".." kept); `joined`, when given, gets the
// path relative to the root. Touches no file system.
Result<QString> cleanPathUnder(const QString &base, const QString &relative, QString *joined = nullptr);

// Returns root + "/" + the cleaned relative path, or InvalidArgument naming the offending part.
Result<QString> joinInside(const QString &root, const QString &relative);

// True when `path` (made absolute and with symlinks resolved where it exists) lies in `root`.
bool isInside(const QString &root, const QString &path);

} // namespace orrery::common
