// core/http's keep-alive client connection against the real HttpServer on 127.0.0.1: many
// requests over one TCP connection; what the request carries (method, target under the base
// path, Host, headers, body); a server that closed the idle connection is reconnected once,
// transparently; a server asking to close is honoured; a server that never answers is cut at the
// deadline; nothing listening is an error that names the address; bad base URLs are refused.
#include "core/http/http_connection.h"
#include "core/http/http_handler.h"
#include "core/http/http_server.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QtTest>

#include <mutex>
#include <vector>

using namespace orrery;
using namespace orrery::http;

namespace {

// /echo answers what it saw; /close answers and closes the connection; /hold never answers
// (until the test ends).
class EchoHandler : public HttpHandler {
public:
    std::mutex m;
    std::vector<HttpResponder> held;

    void handle(HttpRequest request, HttpResponder responder) override
    {
        if (request.path().endsWith("/hold")) {
            std::lock_guard lock(m);
            held.push_back(responder);
            return;
        }
        const QJsonObject seen{{QStringLiteral("method"), QString::fromLatin1(request.method)},
                               {QStringLiteral("target"), QString::fromLatin1(request.target)},
                               {QStringLiteral("host"), QString::fromLatin1(request.header("host"))},
                               {QStringLiteral("auth"), QString::fromLatin1(request.header("authorization"))},
                               {QStringLiteral("type"), QString::fromLatin1(request.header("content-type"))},
                               {QStringLiteral("body"), QString::fromUtf8(request.body)}};
        HttpResponse r = HttpResponse::json(request.path().endsWith("/missing") ? 404 : 200, QJsonDocument(seen).toJson(QJsonDocument::Compact));
        r.headers.append({QByteArrayLiteral("x-request-id"), request.header("x-request-id")});
        r.close = request.path().endsWith("/close");
        responder.send(std::move(r));
    }
    void answerPending() override
    {
        std::lock_guard lock(m);
        for (auto &r : held)
            r.send(HttpResponse::json(503, "{}"));
        held.clear();
    }
};

} // namespace

class TstHttpConnection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void manyRequestsShareOneConnection()
    {
        EchoHandler handler;
        HttpServer server(handler);
        QVERIFY(server.start());
        auto c = HttpConnection::create(QUrl(server.url() + QStringLiteral("/base/")));
        QVERIFY2(c, qPrintable(c.status().message()));
        for (int i = 0; i < 200; ++i) {
            const ConnectionReply r = (*c)->post("/echo?i=" + QByteArray::number(i), "{\"n\":" + QByteArray::number(i) + '}',
                                                 {{"Authorization", "Bearer secret"}, {"X-Request-Id", "req-" + QByteArray::number(i)}});
            QCOMPARE(r.status, 200);
            const QJsonObject seen = QJsonDocument::fromJson(r.body).object();
            QCOMPARE(seen.value(QStringLiteral("target")).toString(), QStringLiteral("/base/echo?i=%1").arg(i));
            QCOMPARE(seen.value(QStringLiteral("body")).toString(), QStringLiteral("{\"n\":%1}").arg(i));
            QCOMPARE(r.header("x-request-id"), "req-" + QByteArray::number(i));
            if (i == 0) {
                QCOMPARE(seen.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
                QCOMPARE(seen.value(QStringLiteral("host")).toString(), QStringLiteral("127.0.0.1:%1").arg(server.port()));
                QCOMPARE(seen.value(QStringLiteral("auth")).toString(), QStringLiteral("Bearer secret"));
                QCOMPARE(seen.value(QStringLiteral("type")).toString(), QStringLiteral("application/json"));
            }
        }
        const ConnectionReply got = (*c)->request("GET", "/missing");
        QCOMPARE(got.status, 404); // an error answer is an answer
        QCOMPARE((*c)->connects(), quint64(1));
        QCOMPARE(server.stats().connections, quint64(1));
        QCOMPARE(server.stats().requests, quint64(201));
    }

    void aConnectionTheServerClosedIsReopenedOnce()
    {
        EchoHandler handler;
        HttpServerOptions o;
        o.idleTimeoutMs = 100;
        HttpServer server(handler, o);
        QVERIFY(server.start());
        auto c = HttpConnection::create(QUrl(server.url()));
        QCOMPARE((*c)->post("/echo", "1").status, 200);
        // The server's idle timeout closes the connection; the next request does not notice.
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().openConnections, 0, 30'000);
        const ConnectionReply r = (*c)->post("/echo", "2");
        QVERIFY2(r.status == 200, qPrintable(r.error));
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("body")).toString(), QStringLiteral("2"));
        QCOMPARE((*c)->connects(), quint64(2));
        QCOMPARE(server.stats().requests, quint64(2)); // sent once to the server, not twice

        // "Connection: close" is honoured: the next request opens a new connection.
        QCOMPARE((*c)->post("/close", "3").status, 200);
        QCOMPARE((*c)->post("/echo", "4").status, 200);
        QCOMPARE((*c)->connects(), quint64(3));
    }

    void aServerThatNeverAnswersIsCutAtTheDeadline()
    {
        EchoHandler handler;
        HttpServer server(handler);
        QVERIFY(server.start());
        auto c = HttpConnection::create(QUrl(server.url()), 300);
        const ConnectionReply r = (*c)->post("/hold", "x");
        QCOMPARE(r.status, 0);
        QVERIFY(r.timedOut);
        QVERIFY2(r.error.contains(QStringLiteral("within 300 ms")), qPrintable(r.error));
        // The connection is dropped, never reused for a late answer: the next request is fresh.
        QCOMPARE((*c)->post("/echo", "y").status, 200);
        QCOMPARE((*c)->connects(), quint64(2));
        server.stop();
    }

    void nothingListeningIsAnErrorNamingTheAddress()
    {
        QTcpServer probe; // a port that was free a moment ago and is closed now
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        auto c = HttpConnection::create(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        const ConnectionReply r = (*c)->post("/echo", "x");
        QCOMPARE(r.status, 0);
        QVERIFY(!r.timedOut);
        QVERIFY2(r.error.contains(QStringLiteral("cannot connect to 127.0.0.1:%1").arg(port)), qPrintable(r.error));
        QCOMPARE((*c)->connects(), quint64(0));
    }

    void badBaseUrlsAreRefused()
    {
        for (const char *url : {"https://127.0.0.1:8080", "127.0.0.1:8080", "http://", "ftp://host/x"}) {
            const auto c = HttpConnection::create(QUrl(QLatin1String(url)));
            QVERIFY2(!c, url);
            QVERIFY2(c.status().message().contains(QStringLiteral("http:// URL")), qPrintable(c.status().message()));
        }
        QVERIFY(HttpConnection::create(QUrl(QStringLiteral("http://localhost:8080"))));
    }
};

QTEST_GUILESS_MAIN(TstHttpConnection)
#include "tst_http_connection.moc"
