#pragma once
// A .dvc file: the version of one tracked file or directory, in DVC 3's format
//
//   outs:
//   - md5: a304afb96060aad90176268345e10355     (a directory: <md5>.dir, plus nfiles)
//     size: 30
//     isexec: true                               (an executable file; absent otherwise)
//     hash: md5                                  (absent: DVC 2.x "md5-dos2unix" hashing)
//     path: data.xml                             (relative to the .dvc file's folder)
//
// Reading validates what a repository could plant: the path must stay inside the workspace (no
// "..", absolute paths or symlinks out), the md5 must be 32 hex digits. Keys Orrery does not use
// (desc, meta, remote, …) are kept and written back unchanged.

#include "core/common/status.h"

#include <QString>
#include <QVector>

#include <utility>

namespace orrery::data {

struct DvcOut {
    QString path;    // as written in the file: relative to the .dvc file's folder
    QString md5;     // "<32 hex>" or "<32 hex>.dir"
    qint64 size = -1;
    qint64 nfiles = -1; // directories only
    // A file with an execute bit (DVC 3's `isexec: true`, written after size): checkout sets the
    // owner's execute bit again. Not part of the hash, so it never makes an out "modified".
    bool isexec = false;
    bool legacyHash = false; // no "hash: md5" key: DVC 2.x md5-dos2unix
    bool cache = true;
    QVector<std::pair<QString, QString>> extra; // other keys: name → YAML flow text
    bool isDirectory() const { return md5.endsWith(QLatin1String(".dir")); }
};

struct DvcFile {
    QVector<DvcOut> outs;
    QVector<std::pair<QString, QString>> extra; // other top-level keys

    // `what` names the file in errors (its path, or "rev:path").
    static Result<DvcFile> parse(const QByteArray &yaml, const QString &what);
    QByteArray serialize() const;
};

} // namespace orrery::data
