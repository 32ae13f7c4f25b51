#pragma once
// HttpConnection: one keep-alive HTTP/1.1 client connection to one server, for a caller that
// sends many small requests to the same place (`orrery-cli demo replay`: hundreds of infer
// requests a second to the workspace's server, and the labels after them).
//
// Why not http_client.h's postAll: it builds a QNetworkAccessManager and runs an event loop for
// every call and opens a new TCP connection each time — right for a webhook now and then, but a
// connect, a manager and a loop per request is most of the cost of a small infer request. Here a
// connection is opened once and reused until the server closes it, and a request is a write and a
// read on Boost.Beast's parser (never a hand-written one), on the calling thread.
//
// Reuse and retries: a server closes an idle keep-alive connection (core/http: idleTimeoutMs), so
// a request on a reused connection may find it gone. When that request failed before any byte of
// an answer came (the write failed, or the read met end of stream or a reset at once), it is sent
// again, once, on a fresh connection — what browsers do; a request whose answer had begun, or one
// sent on a fresh connection, is never repeated (the server may have acted on it).
//
// Every request has one deadline (timeoutMs) for connecting, writing and reading together; past
// it the connection is dropped and the reply says timedOut. Plain http:// only: Orrery's servers
// listen on loopback by default; TLS to a receiver elsewhere is http_client.h's job.
//
// Threads: a connection is used by one thread at a time; for concurrency use one per thread.

#include "core/common/status.h"
#include "core/http/http_request.h" // HeaderList

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <memory>
#include <utility>

namespace orrery::http {

struct ConnectionReply {
    int status = 0;        // the HTTP status; 0 when no answer came
    QByteArray body;
    HeaderList headers;    // as received, names lower-case
    bool timedOut = false; // the deadline passed first
    QString error;         // why there is no answer (connection refused, reset, timeout…)
    QByteArray header(const QByteArray &lowerCaseName) const;
};

class HttpConnection {
public:
    // `base`: http://HOST[:PORT][/PREFIX]; requests' targets are appended to PREFIX. Nothing is
    // connected yet (the first request connects). InvalidArgument for another scheme or no host.
    static Result<std::unique_ptr<HttpConnection>> create(const QUrl &base, int timeoutMs = 10'000);
    ~HttpConnection();
    HttpConnection(const HttpConnection &) = delete;
    HttpConnection &operator=(const HttpConnection &) = delete;

    // `target` starts with '/'. A body is sent with `contentType` and Content-Length.
    ConnectionReply request(const QByteArray &method, const QByteArray &target, const QByteArray &body = QByteArray(),
                            const HeaderList &headers = {}, const QByteArray &contentType = "application/json");
    ConnectionReply post(const QByteArray &target, const QByteArray &body, const HeaderList &headers = {})
    {
        return request("POST", target, body, headers);
    }

    // TCP connections opened so far (1 while the server kept the first one alive).
    quint64 connects() const;
    void close();

private:
    HttpConnection();
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::http
