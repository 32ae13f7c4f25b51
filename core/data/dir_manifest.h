#pragma once
// The manifest of a tracked directory, byte-for-byte as DVC writes it: a JSON list sorted by
// relpath, serialized like Python's json.dumps(list, sort_keys=True) — ", " and ": " separators,
// non-ASCII escaped as \uXXXX — so the manifest's md5 (the directory's hash, plus ".dir") is the
// one DVC computes for the same files.

#include "core/common/status.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace orrery::data {

struct ManifestEntry {
    QString relpath; // '/'-separated, relative to the directory
    QString md5;
};

class DirManifest {
public:
    QVector<ManifestEntry> entries; // kept sorted by relpath

    void sort();
    QByteArray serialize() const;
    static Result<DirManifest> parse(const QByteArray &json, const QString &what);
};

// Python's json.dumps string escaping with ensure_ascii=True.
QByteArray pythonJsonString(const QString &text);

} // namespace orrery::data
