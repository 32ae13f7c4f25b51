#pragma once
// HttpServer: the one HTTP/1.1 server under all of Orrery's servers (tracking REST now;
// inference, /metrics and feedback later), with the limits an exposed server needs built in.
//
// Why Boost.Beast and not Qt HttpServer 6.4 (the design's first choice). Qt HttpServer 6.4 has no
// request-size limit, no header limit and no timeouts, and it cannot be given them from outside:
// it reads a request from the socket itself and calls a route only when the whole body is in
// memory. Measured here with 6.4.2: a 300 MB body with a 300 MB Content-Length was buffered
// whole before the route ran (RSS 60 MB -> 625 MB), a 200 MB header line was buffered without
// complaint (RSS kept growing), and `Content-Length: -1` was answered 200 as a request without a
// body (its bytes then parse as the next request). A guard in front of it (a QTcpServer
// subclass peeking at Content-Length) would have to find where every request ends on a
// keep-alive connection — that is, parse HTTP a second time beside Qt's parser, the classic
// request-smuggling setup, and the hand-written parser the design rules out. Beast's parser
// (header-only, Debian's libboost-dev) has the limits in the parser itself: the head is read
// first, `Content-Length` above the limit is an error before one body byte is read, chunked bodies
// are counted as they arrive, Content-Length with Transfer-Encoding is refused, and every read
// and write runs under a deadline. So the whole layer uses Beast; Qt types are all its users see.
//
// What the server enforces (HttpServerOptions):
// - bodies: over the request's limit → 413 before the body is read (Expect: 100-continue is
//   answered only when the body is welcome); the connection then closes after draining what the
//   client already sent, so it reads the 413 instead of a reset;
// - the head (request line + headers) over maxHeaderBytes or maxHeaderFields → 431; malformed head, bad or
//   conflicting Content-Length / Transfer-Encoding → 400; each closes the connection;
// - slow clients: the head must arrive within headerTimeoutMs of its first byte (slowloris: the
//   connection is dropped), the body at bodyMinBytesPerSecond after bodyTimeoutMs (else 408),
//   a keep-alive connection idle for idleTimeoutMs is closed;
// - at most maxConnections at once (503 to the next ones);
// - bound to a loopback address, it answers only requests whose Host names loopback (403
//   otherwise): a web page in the user's browser cannot reach it through DNS rebinding
//   (MLflow's CVE-2025-14279).
// - authentication, the rule for every Orrery server: bound to any address other than loopback,
//   start() refuses to serve without a bearer token (anonymous access off this machine is never
//   possible); with a token set (on any address), every request must carry
//   `Authorization: Bearer <token>` — what MLflow's client sends from MLFLOW_TRACKING_TOKEN —
//   or is answered 401 before its body is read. The token is compared in constant time and never
//   appears in a message, a log line or stats.
//
// Threads: start() runs `threads` I/O threads; handlers run on them (see HttpHandler).
// stop() (and the destructor) closes every connection and joins the threads; the handler must
// outlive the server, and responders must not be kept beyond stop(): stop() calls
// HttpHandler::answerPending() for those the handler still holds, before connections go.

#include "core/common/status.h"

#include <QList>
#include <QString>

#include <memory>

namespace orrery::http {

class HttpHandler;

struct HttpServerOptions {
    QString host = QStringLiteral("127.0.0.1"); // loopback unless the user asks for more
    quint16 port = 0;                          // 0: an ephemeral port (see port())
    int threads = 1;
    qint64 maxBodyBytes = 1024 * 1024;         // per request, unless the handler's plan says otherwise
    int maxHeaderBytes = 16 * 1024;
    int maxHeaderFields = 100;
    int headerTimeoutMs = 10'000;
    int idleTimeoutMs = 60'000;
    int bodyTimeoutMs = 30'000;
    qint64 bodyMinBytesPerSecond = 256 * 1024; // a long upload gets length / this on top of bodyTimeoutMs
    int writeTimeoutMs = 30'000;               // the same rule for sending
    int lingerMs = 2'000;                      // draining an unread body before closing after an error
    int maxConnections = 512;
    int stopGraceMs = 2'000;                   // stop() waits this long for answers still being written
    QByteArray bearerToken;                    // required on every request when set; required to be set off loopback
    // GET paths answered without the token: health checks and /metrics, which Kubernetes probes
    // and Prometheus scrapers reach without a secret. Only for what reveals nothing to protect.
    QList<QByteArray> publicGetPaths;
};

struct HttpServerStats {
    quint64 connections = 0;      // accepted, ever
    quint64 requests = 0;         // handed to the handler
    quint64 refusedBodies = 0;    // 413
    quint64 timeouts = 0;         // header, body, idle or write deadline passed
    quint64 malformed = 0;        // 400 and 431 from the parser
    quint64 unauthorized = 0;     // 401: no or a wrong bearer token
    int openConnections = 0;
};

class HttpServer {
public:
    HttpServer(HttpHandler &handler, HttpServerOptions options = {});
    ~HttpServer(); // stop()
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds and starts serving. InvalidArgument for a host that is not an address ("localhost"
    // is taken as 127.0.0.1), FailedPrecondition for an address off loopback without a bearer
    // token, Io when the port cannot be bound (in use, no permission).
    Status start();
    void stop();

    quint16 port() const;     // the bound port (the ephemeral one when options.port was 0)
    QString url() const;      // "http://127.0.0.1:5000"
    HttpServerStats stats() const;
    const HttpServerOptions &options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::http
