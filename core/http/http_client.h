#pragma once
// HttpClient: outgoing HTTP(S) requests with a hard deadline, for webhook deliveries (and any
// later caller that posts to a receiver it does not control).
//
// Built on Qt Network's QNetworkAccessManager (TLS through Qt's OpenSSL backend, certificates
// verified), never on a proxy, and it follows no redirect: a 3xx answer is returned as it is
// (its Location in `location`), so a receiver cannot send a signed body to another host.
//
// postAll() sends every request at once and waits at most `timeoutMs` in all: a receiver that
// accepts and never answers (or never accepts) is aborted at the deadline and reported with
// timedOut, so a caller is never blocked much beyond the timeout however many receivers hang.
// It runs a local event loop on the calling thread (any thread; QCoreApplication must exist).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>
#include <QVector>

#include <utility>

namespace orrery::http {

struct OutgoingRequest {
    QUrl url;
    QByteArray body;
    QByteArray contentType = "application/json";
    QList<std::pair<QByteArray, QByteArray>> headers;
};

struct IncomingReply {
    int status = 0;        // the HTTP status; 0 when no answer came
    QByteArray body;       // at most maxBodyBytes of the answer
    QByteArray location;   // a redirect's Location (not followed)
    bool timedOut = false; // the deadline passed before the answer was complete
    QString error;         // why there is no answer (connection refused, TLS, timeout…)
};

// Posts each request; the replies are in the same order. maxBodyBytes keeps only the first
// bytes of an answer (the rest is read and dropped).
QVector<IncomingReply> postAll(const QVector<OutgoingRequest> &requests, int timeoutMs, int maxBodyBytes = 1024);

} // namespace orrery::http
