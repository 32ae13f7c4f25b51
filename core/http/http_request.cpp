#include "core/http/http_request.h"

namespace orrery::http {

QByteArray HttpRequest::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerCaseName)
            return value;
    return {};
}

QByteArray HttpRequest::path() const
{
    const int q = target.indexOf('?');
    return q < 0 ? target : target.left(q);
}

QByteArray HttpRequest::rawQuery() const
{
    const int q = target.indexOf('?');
    return q < 0 ? QByteArray() : target.mid(q + 1);
}

QueryItems HttpRequest::queryItems() const
{
    return parseQuery(rawQuery());
}

QString HttpRequest::decodeComponent(const QByteArray &encoded, bool plusIsSpace)
{
    QByteArray bytes = encoded;
    if (plusIsSpace)
        bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

QueryItems HttpRequest::parseQuery(const QByteArray &query)
{
    QueryItems items;
    for (const QByteArray &pair : query.split('&')) {
        if (pair.isEmpty())
            continue;
        const int eq = pair.indexOf('=');
        const QByteArray key = eq < 0 ? pair : pair.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        items.append({decodeComponent(key, true), decodeComponent(value, true)});
    }
    return items;
}

HttpResponse HttpResponse::json(int status, QByteArray body)
{
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpResponse HttpResponse::text(int status, QByteArray body)
{
    HttpResponse r;
    r.status = status;
    r.contentType = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
}

HttpResponse HttpResponse::file(const QString &path, QByteArray contentType)
{
    HttpResponse r;
    r.contentType = std::move(contentType);
    r.filePath = path;
    return r;
}

} // namespace orrery::http
