#include "core/http/bearer_token_file.h"

#include <QFile>

namespace orrery::http {

Result<QByteArray> readBearerTokenFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the token file %1: %2").arg(path, file.errorString()));
    const QByteArray token = file.readLine(4096).trimmed();
    if (token.size() < 16)
        return invalidArgument(QStringLiteral("the token in %1 is %2 characters long; use at least 16 (e.g. `openssl rand -hex 32 > %1`)")
                                   .arg(path).arg(token.size()));
    for (const char c : token)
        if (c <= ' ' || c > '~')
            return invalidArgument(QStringLiteral("the token in %1 has a space or a character outside printable ASCII; "
                                                  "clients could not send it in an HTTP header").arg(path));
    return token;
}

} // namespace orrery::http
