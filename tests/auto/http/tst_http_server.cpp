// The HTTP layer under every Orrery server: keep-alive, query parsing, and each bad input of
// reliability.md's catalogue (rows 1-5, 19): bodies over the limit refused before they are read,
// oversized heads, bad lengths, slow clients, foreign Host, too many connections — and after each
// the server still answers.
#include "core/http/http_handler.h"
#include "core/http/http_server.h"
#include "tests/auto/http/http_test_client.h"

#include <QJsonArray>
#include <QtTest>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <mutex>
#include <vector>

#include <atomic>
#include <thread>

using namespace orrery;
using namespace orrery::http;
using orrery::testing::HttpReply;
using orrery::testing::HttpTestClient;

namespace {

class CountingSink : public HttpBodySink {
public:
    explicit CountingSink(std::atomic<qint64> &total) : m_total(total) {}
    Status write(const char *, qint64 size) override
    {
        m_total += size;
        return Status::ok();
    }

private:
    std::atomic<qint64> &m_total;
};

// /echo answers what it saw; /upload streams into a sink (10 MB limit); /refuse answers 409 on
// the head alone; /async answers from another thread; /drop never answers.
class TestHandler : public HttpHandler {
public:
    std::atomic<qint64> sunk{0};
    std::atomic<int> bodiesRead{0};

    HttpBodyPlan planBody(const HttpRequest &head) override
    {
        HttpBodyPlan plan;
        if (head.path() == "/upload") {
            plan.limit = 10 * 1024 * 1024;
            plan.sink = std::make_unique<CountingSink>(sunk);
        } else if (head.path() == "/refuse") {
            plan.answer = HttpResponse::json(409, R"({"error":"refused on the head"})");
        }
        return plan;
    }
    // /hold keeps the responder, as a handler that answers from a thread of its own does, until
    // the server stops and asks for it (answerPending).
    std::mutex heldMutex;
    std::vector<HttpResponder> held;
    std::atomic<int> answeredAtStop{0};
    void answerPending() override
    {
        std::lock_guard<std::mutex> lock(heldMutex);
        for (const HttpResponder &r : held) {
            r.send(HttpResponse::text(200, "at stop"));
            ++answeredAtStop;
        }
        held.clear();
    }

    void handle(HttpRequest request, HttpResponder responder) override
    {
        ++bodiesRead;
        if (request.path() == "/hold") {
            std::lock_guard<std::mutex> lock(heldMutex);
            held.push_back(std::move(responder));
            return;
        }
        if (request.path() == "/async") {
            std::thread([responder] { responder.send(HttpResponse::text(200, "later")); }).detach();
            return;
        }
        if (request.path() == "/drop")
            return;
        QJsonArray query;
        for (const auto &[k, v] : request.queryItems())
            query.append(QJsonArray{k, v});
        QJsonObject o{{QStringLiteral("method"), QString::fromUtf8(request.method)},
                      {QStringLiteral("path"), QString::fromUtf8(request.path())},
                      {QStringLiteral("query"), query},
                      {QStringLiteral("body_size"), request.body.size()}};
        responder.send(HttpResponse::json(200, QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }
};

QByteArray head(const QByteArray &requestLine, const QByteArray &fields)
{
    return requestLine + "\r\nHost: 127.0.0.1\r\n" + fields + "\r\n";
}

} // namespace

class TstHttpServer : public QObject {
    Q_OBJECT
    TestHandler m_handler;
    std::unique_ptr<HttpServer> m_server;

    std::unique_ptr<HttpServer> startServer(HttpServerOptions o = {})
    {
        auto s = std::make_unique<HttpServer>(m_handler, o);
        const Status started = s->start();
        if (!started)
            qFatal("%s", qPrintable(started.message()));
        return s;
    }
    void expectAlive(quint16 port)
    {
        HttpTestClient c(port);
        const HttpReply r = c.get("/echo");
        QCOMPARE(r.status, 200);
    }

private Q_SLOTS:
    void init()
    {
        m_server = startServer();
        m_handler.bodiesRead = 0;
    }
    void cleanup() { m_server.reset(); }

    void keepAliveCarriesManyRequests()
    {
        HttpTestClient c(m_server->port());
        for (int i = 0; i < 200; ++i) {
            const HttpReply r = c.post("/echo?i=" + QByteArray::number(i), "{\"x\":1}");
            QVERIFY2(r.status == 200, qPrintable(r.error + QString::fromUtf8(r.body)));
            QVERIFY(r.keepAlive);
        }
        QCOMPARE(m_server->stats().connections, quint64(1));
        QCOMPARE(m_server->stats().requests, quint64(200));
        QVERIFY(m_server->url().startsWith(QStringLiteral("http://127.0.0.1:")));
    }

    void queryKeepsRepeatedKeysAndDecodes()
    {
        HttpTestClient c(m_server->port());
        const HttpReply r = c.get("/echo?experiment_ids=1&experiment_ids=2&name=a+b%20c&empty=&flag");
        const QJsonArray q = r.json().value(QStringLiteral("query")).toArray();
        QCOMPARE(q.size(), 5);
        QCOMPARE(q[0].toArray()[1].toString(), QStringLiteral("1"));
        QCOMPARE(q[1].toArray()[1].toString(), QStringLiteral("2"));
        QCOMPARE(q[2].toArray()[1].toString(), QStringLiteral("a b c"));
        QCOMPARE(q[4].toArray()[0].toString(), QStringLiteral("flag"));
    }

    // Row 1: only the head is sent; the 413 comes without the body ever being sent or buffered.
    void bodyOverLimitRefusedOnTheHead()
    {
        HttpTestClient c(m_server->port());
        const HttpReply r = c.raw(head("POST /echo HTTP/1.1", "Content-Length: 1048577\r\nContent-Type: application/json\r\n"));
        QCOMPARE(r.status, 413);
        QVERIFY(!r.keepAlive);
        QVERIFY(r.json().value(QStringLiteral("error")).toString().contains(QStringLiteral("1048577")));
        QCOMPARE(m_handler.bodiesRead.load(), 0);
        QCOMPARE(m_server->stats().refusedBodies, quint64(1));
        expectAlive(m_server->port());
    }

    // A client that sends its whole body anyway (Python's requests does) still reads the 413,
    // not a connection reset: the server drains before closing.
    void bodyOverLimitSentWholeStillGets413()
    {
        HttpTestClient c(m_server->port());
        const HttpReply r = c.request("POST", "/echo", QByteArray(1024 * 1024 + 1, 'x'));
        QCOMPARE(r.status, 413);
        const HttpReply exact = c.request("POST", "/echo", QByteArray(1024 * 1024, 'x'));
        QCOMPARE(exact.status, 200);
        QCOMPARE(exact.json().value(QStringLiteral("body_size")).toInt(), 1024 * 1024);
    }

    void chunkedBodyCountedAsItArrives()
    {
        HttpTestClient c(m_server->port());
        QByteArray chunked = head("POST /echo HTTP/1.1", "Transfer-Encoding: chunked\r\n");
        for (int i = 0; i < 20; ++i)
            chunked += "10000\r\n" + QByteArray(0x10000, 'y') + "\r\n"; // 20 × 64 KiB > 1 MiB
        chunked += "0\r\n\r\n";
        QCOMPARE(c.raw(chunked).status, 413);
        QByteArray small = head("POST /echo HTTP/1.1", "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n";
        const HttpReply ok = c.raw(small);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json().value(QStringLiteral("body_size")).toInt(), 5);
    }

    void expectContinueOnlyForWelcomeBodies()
    {
        HttpTestClient c(m_server->port());
        // Too large: the final answer comes at once, without 100 Continue, and no body is sent.
        const HttpReply big = c.raw(head("PUT /echo HTTP/1.1", "Content-Length: 5000000\r\nExpect: 100-continue\r\n"));
        QCOMPARE(big.status, 413);
        HttpTestClient d(m_server->port());
        const HttpReply ok = d.request("POST", "/echo", "{}", {{"Expect", "100-continue"}});
        QCOMPARE(ok.status, 200);
    }

    // Row 2.
    void badContentLengthsAre400_data()
    {
        QTest::addColumn<QByteArray>("fields");
        QTest::newRow("negative") << QByteArray("Content-Length: -1\r\n");
        QTest::newRow("letters") << QByteArray("Content-Length: abc\r\n");
        QTest::newRow("two values") << QByteArray("Content-Length: 5\r\nContent-Length: 6\r\n");
        QTest::newRow("with Transfer-Encoding") << QByteArray("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n");
    }
    void badContentLengthsAre400()
    {
        QFETCH(QByteArray, fields);
        HttpTestClient c(m_server->port());
        const HttpReply r = c.raw(head("POST /echo HTTP/1.1", fields) + "hello");
        QCOMPARE(r.status, 400);
        QVERIFY(!r.keepAlive);
        QCOMPARE(m_handler.bodiesRead.load(), 0);
        expectAlive(m_server->port());
    }

    // Row 3.
    void oversizedHeadsAre431()
    {
        HttpTestClient c(m_server->port());
        QCOMPARE(c.raw(head("GET /echo HTTP/1.1", "X-Long: " + QByteArray(16 * 1024, 'a') + "\r\n")).status, 431);
        QByteArray many;
        for (int i = 0; i < 500; ++i)
            many += "X-H" + QByteArray::number(i) + ": v\r\n"; // 500 fields in 5 KB
        QCOMPARE(c.raw(head("GET /echo HTTP/1.1", many)).status, 431);
        QCOMPARE(c.raw("GET /" + QByteArray(20000, 'a') + " HTTP/1.1\r\n\r\n").status, 431);
        expectAlive(m_server->port());
    }

    void malformedRequestLinesAre400()
    {
        HttpTestClient c(m_server->port());
        QCOMPARE(c.raw("NOT HTTP AT ALL\r\n\r\n").status, 400);
        QCOMPARE(c.raw("GET /echo HTTP/9.9\r\n\r\n").status, 400);
        QCOMPARE(c.raw("GET /echo HTTP/1.1\r\nBad Header Line\r\n\r\n").status, 400);
        expectAlive(m_server->port());
    }

    // Row 4: a client that dribbles its head is dropped at the head deadline; others are served
    // meanwhile.
    void slowHeadIsDropped()
    {
        HttpServerOptions o;
        o.headerTimeoutMs = 300;
        auto server = startServer(o);
        HttpTestClient slow(server->port());
        QVERIFY(slow.connect());
        std::thread dribble([&] {
            slow.raw(head("GET /echo HTTP/1.1", "X-Slow: 1\r\n"), 1, std::chrono::milliseconds(100));
        });
        QTest::qWait(100);
        expectAlive(server->port());
        dribble.join();
        QVERIFY(server->stats().timeouts >= 1);
        QVERIFY(slow.serverClosed());
    }

    // Row 5.
    void slowBodyIs408()
    {
        HttpServerOptions o;
        o.bodyTimeoutMs = 300;
        o.bodyMinBytesPerSecond = 1 << 30;
        auto server = startServer(o);
        HttpTestClient c(server->port());
        const HttpReply r = c.raw(head("POST /echo HTTP/1.1", "Content-Length: 100\r\n") + "0123456789", 5,
                                  std::chrono::milliseconds(0));
        QCOMPARE(r.status, 408);
        QVERIFY(server->stats().timeouts >= 1);
        expectAlive(server->port());
    }

    void idleKeepAliveIsClosed()
    {
        HttpServerOptions o;
        o.idleTimeoutMs = 200;
        auto server = startServer(o);
        HttpTestClient c(server->port());
        QCOMPARE(c.get("/echo").status, 200);
        QTest::qWait(400);
        QVERIFY(c.serverClosed());
    }

    // Row 18: DNS rebinding — a page on evil.example resolving to 127.0.0.1.
    void foreignHostIs403OnLoopback()
    {
        HttpTestClient c(m_server->port());
        const HttpReply evil = c.request("GET", "/echo", QByteArray(), {{"Host", "evil.example:5000"}});
        QCOMPARE(evil.status, 403);
        QCOMPARE(m_handler.bodiesRead.load(), 0);
        for (const char *host : {"localhost", "localhost:5000", "127.0.0.1:80", "[::1]:5000"}) {
            HttpTestClient d(m_server->port());
            QCOMPARE(d.request("GET", "/echo", QByteArray(), {{"Host", host}}).status, 200);
        }
    }

    // The rule for every server: off loopback only with a token; with a token, every request
    // carries it or is answered 401 on its head (the body is never read).
    void offLoopbackRefusedWithoutAToken()
    {
        HttpServerOptions o;
        o.host = QStringLiteral("0.0.0.0");
        HttpServer open(m_handler, o);
        const Status s = open.start();
        QCOMPARE(s.code(), ErrorCode::FailedPrecondition);
        QVERIFY2(s.message().contains(QStringLiteral("0.0.0.0")) && s.message().contains(QStringLiteral("token")), qPrintable(s.message()));
        o.bearerToken = "0123456789abcdef-token";
        HttpServer guarded(m_handler, o);
        QVERIFY(guarded.start().isOk());
        HttpTestClient c(guarded.port());
        QCOMPARE(c.get("/echo").status, 401); // no Authorization
        QCOMPARE(c.request("GET", "/echo", QByteArray(), {{"Authorization", "Bearer 0123456789abcdef-token"}}).status, 200);
        QCOMPARE(c.request("GET", "/echo", QByteArray(), {{"Authorization", "bearer 0123456789abcdef-token"}}).status, 200);
    }

    void wrongTokensAre401BeforeTheBody_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::newRow("none") << QByteArray();
        QTest::newRow("other scheme") << QByteArray("Basic MDEyMzQ1Njc4OWFiY2RlZi10b2tlbg==");
        QTest::newRow("prefix of the token") << QByteArray("Bearer 0123456789abcdef");
        QTest::newRow("token plus more") << QByteArray("Bearer 0123456789abcdef-token2");
        QTest::newRow("one character off") << QByteArray("Bearer 0123456789abcdef-tokem");
        QTest::newRow("empty bearer") << QByteArray("Bearer ");
    }
    void wrongTokensAre401BeforeTheBody()
    {
        QFETCH(QByteArray, authorization);
        HttpServerOptions o;
        o.bearerToken = "0123456789abcdef-token"; // on loopback too, once set
        auto server = startServer(o);
        HttpTestClient c(server->port());
        QList<std::pair<QByteArray, QByteArray>> headers;
        if (!authorization.isEmpty())
            headers.append({"Authorization", authorization});
        const HttpReply r = c.request("POST", "/echo", QByteArray(64 * 1024, 'x'), headers);
        QCOMPARE(r.status, 401);
        QVERIFY(!r.body.contains("0123456789abcdef-token"));
        QCOMPARE(m_handler.bodiesRead.load(), 0);
        QCOMPARE(server->stats().unauthorized, quint64(1));
    }

    // Health checks and /metrics may be public (Kubernetes probes and scrapers send no token):
    // only GET on exactly those paths; anything else still needs the token.
    void publicGetPathsNeedNoToken()
    {
        HttpServerOptions o;
        o.bearerToken = "0123456789abcdef-token";
        o.publicGetPaths = {"/echo"};
        auto server = startServer(o);
        HttpTestClient c(server->port());
        QCOMPARE(c.get("/echo").status, 200);
        QCOMPARE(c.request("HEAD", "/echo").status, 200);
        QCOMPARE(c.request("POST", "/echo", "x").status, 401);
        QCOMPARE(c.get("/echo/more").status, 401);
        QCOMPARE(c.get("/echo?x=1").status, 200); // the query is not the path
        QCOMPARE(c.get("/ech%6F").status, 401);    // compared as sent: no decoding tricks
        QCOMPARE(c.get("/refuse").status, 401);
    }

    // Row 19 (scaled down): over the connection cap, new connections get 503 and the open ones
    // are still served.
    void tooManyConnectionsAre503()
    {
        HttpServerOptions o;
        o.maxConnections = 2;
        auto server = startServer(o);
        HttpTestClient a(server->port()), b(server->port()), c(server->port());
        QCOMPARE(a.get("/echo").status, 200);
        QCOMPARE(b.get("/echo").status, 200);
        QCOMPARE(c.get("/echo").status, 503);
        QCOMPARE(a.get("/echo").status, 200);
    }

    void answersOnTheHeadSkipTheBody()
    {
        HttpTestClient c(m_server->port());
        const HttpReply r = c.request("POST", "/refuse", QByteArray(4 * 1024 * 1024, 'z'));
        QCOMPARE(r.status, 409);
        QCOMPARE(m_handler.bodiesRead.load(), 0);
        expectAlive(m_server->port());
    }

    void uploadsStreamIntoTheSink()
    {
        HttpTestClient c(m_server->port());
        const QByteArray body(8 * 1024 * 1024 + 17, 'u');
        QCOMPARE(c.request("PUT", "/upload", body).status, 200);
        QCOMPARE(m_handler.sunk.load(), qint64(body.size()));
        QCOMPARE(c.request("PUT", "/upload", QByteArray(11 * 1024 * 1024, 'u')).status, 413);
    }

    void pipelinedRequestsAnswerInOrder()
    {
        HttpTestClient c(m_server->port());
        const QByteArray two = head("GET /echo?n=1 HTTP/1.1", "") + head("GET /echo?n=2 HTTP/1.1", "");
        const HttpReply first = c.raw(two);
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value(QStringLiteral("query")).toArray()[0].toArray()[1].toString(), QStringLiteral("1"));
    }

    void answersFromAnotherThreadAndAbandonedRequests()
    {
        HttpTestClient c(m_server->port());
        const HttpReply later = c.get("/async");
        QCOMPARE(later.status, 200);
        QCOMPARE(later.body, QByteArray("later"));
        const HttpReply dropped = c.get("/drop");
        QCOMPARE(dropped.status, 500);
        QCOMPARE(c.get("/echo").status, 200);
    }

    void portInUseAndBadHostAreErrors()
    {
        HttpServerOptions o;
        o.port = m_server->port();
        HttpServer second(m_handler, o);
        const Status s = second.start();
        QCOMPARE(s.code(), ErrorCode::Io);
        QVERIFY2(s.message().contains(QString::number(o.port)), qPrintable(s.message()));
        o.host = QStringLiteral("not-an-address");
        o.port = 0;
        HttpServer third(m_handler, o);
        QCOMPARE(third.start().code(), ErrorCode::InvalidArgument);
    }

    // A responder still held by the handler when the server stops is answered through
    // answerPending(), before the connection is destroyed (under ASan, a use after free otherwise).
    void stopAsksTheHandlerForHeldAnswers()
    {
        auto server = startServer();
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
        const std::string request = "GET /hold HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        boost::asio::write(socket, boost::asio::buffer(request));
        QTRY_VERIFY_WITH_TIMEOUT([&] { std::lock_guard<std::mutex> l(m_handler.heldMutex); return m_handler.held.size() == 1; }(), 10000);
        server->stop();
        QCOMPARE(m_handler.answeredAtStop.load(), 1);
        std::lock_guard<std::mutex> l(m_handler.heldMutex);
        QVERIFY(m_handler.held.empty());
    }

    void stopWithOpenConnectionsReturns()
    {
        auto server = startServer();
        HttpTestClient a(server->port()), b(server->port());
        QCOMPARE(a.get("/echo").status, 200);
        QVERIFY(b.connect());
        QElapsedTimer t;
        t.start();
        server->stop();
        QVERIFY(t.elapsed() < 20000); // not the 60 s idle timeout of the open connections
        QVERIFY(a.serverClosed());
    }
};

QTEST_GUILESS_MAIN(TstHttpServer)
#include "tst_http_server.moc"
