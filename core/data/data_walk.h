#pragma once
// The files of a tracked folder as DVC 3 collects them (dvc-data's build over os.walk with the
// repository's .dvcignore), so that the folder's manifest — and its md5, size and nfiles — is the
// one `dvc add` and `dvc status` compute. See docs/architecture.md, "Data: what a tracked folder
// holds".
//
// - Paths that .dvcignore ignores are left out (core/data/dvc_ignore.h); so is a folder holding a
//   `.dvc` folder of its own (a DVC sub-repository).
// - A symlink to a file is followed: its entry is the target's content and size, under the link's
//   name. A link whose target lies outside the workspace is an error that names the link (never
//   followed out of the workspace, silently or not); so is a link to nothing.
// - A symlink to a folder is not descended into (os.walk does not follow links): nothing under it
//   is in the manifest.
// - A `.dvcignore` inside the folder is an error, as in DVC (its patterns would hide files from
//   the folder's own hash).
// - Sockets, FIFOs and devices are not data: left out.

#include "core/common/status.h"
#include "core/data/file_hasher.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::data {

class DvcIgnore;

// Files under workspaceRoot/folder ('/'-separated, relative to the folder, sorted); with `stats`,
// each file's stat (of the target, for a link) in the same order.
Result<QStringList> listDataFiles(const QString &workspaceRoot, const QString &folder, DvcIgnore &ignore,
                                  QVector<FileStat> *stats = nullptr);

} // namespace orrery::data
