#pragma once
// Content hashes: SHA-256 for Orrery's own integrity (audit chain), MD5 where DVC's formats
// require it (cache object names).

#include <QByteArray>
#include <QString>

namespace orrery::common {

QString sha256Hex(const QByteArray &data);
QString md5Hex(const QByteArray &data);

} // namespace orrery::common
