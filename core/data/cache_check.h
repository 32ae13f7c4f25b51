#pragma once
// Verifies the content-addressed cache (DVC 3 layout: files/md5/ab/cdef…): every object's bytes
// must hash to its name. Used by `orrery-cli doctor`; the Data issue's cache uses it on read too.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

struct CacheCheckReport {
    qint64 objectsChecked = 0;
    qint64 bytesChecked = 0;
    QStringList corruptObjects; // relative to the cache folder: the bytes do not match the name
    QStringList strayFiles;     // files in the cache that are not objects (interrupted writes)
    bool ok() const { return corruptObjects.isEmpty() && strayFiles.isEmpty(); }
};

// MD5 of a file, read in blocks; hex, lower case.
Result<QString> md5OfFile(const QString &path, common::JobContext *job = nullptr);

Result<CacheCheckReport> checkCache(const QString &cacheDir, common::JobContext *job = nullptr);

} // namespace orrery::data
