#pragma once
// Content hashes: MD5 where DVC's formats require it (cache object names, dvc.lock). The audit
// chain hashes its fields incrementally with QCryptographicHash (core/audit).

#include <QByteArray>
#include <QString>

namespace orrery::common {

QString md5Hex(const QByteArray &data);

} // namespace orrery::common
