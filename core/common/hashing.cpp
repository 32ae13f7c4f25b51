#include "core/common/hashing.h"

#include <QCryptographicHash>

namespace orrery::common {

QString md5Hex(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Md5).toHex());
}

} // namespace orrery::common
