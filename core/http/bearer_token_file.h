#pragma once
// The bearer token of a --token-file: its first line, at least 16 printable ASCII characters
// with no space (a value every client can send as "Authorization: Bearer <token>"). The rule of
// every Orrery server (http_server.h) and of the clients that talk to one. Errors name the file
// and never its content.

#include "core/common/status.h"

#include <QByteArray>
#include <QString>

namespace orrery::http {

Result<QByteArray> readBearerTokenFile(const QString &path);

} // namespace orrery::http
