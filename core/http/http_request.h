#pragma once
// HttpRequest and HttpResponse: what the server's handlers see and give back. Plain data with
// no Beast types, so handlers (the MLflow facade, later the inference server) never include the
// HTTP library.

#include "core/common/status.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <utility>

namespace orrery::http {

class HttpBodySink;

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;
using QueryItems = QList<std::pair<QString, QString>>;

struct HttpRequest {
    QByteArray method;   // "GET", "POST", … as sent
    QByteArray target;   // the request-target as sent: path and query, still percent-encoded
    HeaderList headers;  // field names in lower case, in the order sent
    QByteArray body;     // the whole body, unless a sink took it (HttpBodyPlan)
    std::unique_ptr<HttpBodySink> sink; // the sink that received the body, if the plan made one
    qint64 contentLength = -1;          // from the head; -1 when absent or chunked
    QString remoteAddress;

    QByteArray header(const QByteArray &lowerCaseName) const;
    QByteArray path() const;     // before '?', still encoded
    QByteArray rawQuery() const; // after '?'
    // application/x-www-form-urlencoded: '+' is a space, %XX decoded, repeated keys kept in order
    // (MLflow sends repeated fields as ?experiment_ids=1&experiment_ids=2).
    QueryItems queryItems() const;
    static QueryItems parseQuery(const QByteArray &query);
    static QString decodeComponent(const QByteArray &encoded, bool plusIsSpace);
};

struct HttpResponse {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QString filePath;     // when set, the body is streamed from this file instead (downloads)
    HeaderList headers;   // extra fields
    bool close = false;   // close the connection after this response

    static HttpResponse json(int status, QByteArray body);
    static HttpResponse text(int status, QByteArray body);
    static HttpResponse file(const QString &path, QByteArray contentType);
};

// Where a streamed body goes (artifact uploads: straight to disk, never all in memory). The
// server calls write() on its I/O thread as pieces arrive; a failed write ends the request with
// the Status mapped to a 5xx. A sink destroyed without its owner committing it must discard
// what it wrote (a cut-off upload leaves nothing behind).
class HttpBodySink {
public:
    virtual ~HttpBodySink() = default;
    virtual Status write(const char *data, qint64 size) = 0;
};

} // namespace orrery::http
