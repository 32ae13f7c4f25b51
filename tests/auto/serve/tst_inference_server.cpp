// The Open Inference Protocol server (core/serve) over real HTTP on 127.0.0.1 with a fake model:
// health, metadata, infer, dynamic batching, request ids, the prediction hook, draining, and every
// bad input of the catalogue — each answered {"error": …} with its status while the server lives.
#include "core/http/http_server.h"
#include "core/serve/inference_service.h"
#include "tests/auto/serve/fake_inference_model.h"
#include "tests/auto/http/http_test_client.h"

#include <QJsonArray>
#include <QtTest>

#include <cmath>
#include <future>
#include <mutex>
#include <thread>

using namespace orrery;
using orrery::testing::HttpReply;
using orrery::testing::HttpTestClient;

namespace {

class RecordingHook : public serve::PredictionHook {
public:
    std::mutex mutex;
    std::vector<serve::PredictionRecord> records;
    std::shared_future<void> gate; // when set, record() waits for it
    void record(const serve::PredictionRecord &r) override
    {
        if (gate.valid())
            gate.wait();
        std::lock_guard lock(mutex);
        records.push_back(r);
    }
    size_t count()
    {
        std::lock_guard lock(mutex);
        return records.size();
    }
};

struct Server {
    std::shared_ptr<orrery::testing::FakeModel> model = std::make_shared<orrery::testing::FakeModel>();
    std::unique_ptr<serve::InferenceService> service;
    std::unique_ptr<http::HttpServer> http;
    quint16 port() const { return http->port(); }
};

QByteArray row(double a, double b, double c) { return QByteArray::number(a) + ',' + QByteArray::number(b) + ',' + QByteArray::number(c); }

QByteArray inferBody(const QByteArray &data, const QByteArray &shape = "[1,3]", const QByteArray &extra = QByteArray())
{
    return "{" + extra + "\"inputs\":[{\"name\":\"x\",\"shape\":" + shape + ",\"datatype\":\"FP32\",\"data\":[" + data + "]}]}";
}

} // namespace

class TstInferenceServer : public QObject {
    Q_OBJECT

    std::unique_ptr<Server> start(serve::ServeOptions o = {}, http::HttpServerOptions h = {}, bool ready = true)
    {
        auto s = std::make_unique<Server>();
        if (o.endpoint == QLatin1String("model"))
            o.endpoint = QStringLiteral("m");
        s->service = std::make_unique<serve::InferenceService>(o);
        s->http = std::make_unique<http::HttpServer>(*s->service, h);
        const Status started = s->http->start();
        if (!started)
            qFatal("%s", qPrintable(started.message()));
        if (ready)
            s->service->setModel(s->model, QStringLiteral("7"));
        return s;
    }

    static void expectError(const HttpReply &r, int status, const char *needle = nullptr)
    {
        if (r.status != status)
            qWarning("status %d, body %s", r.status, r.body.constData());
        QCOMPARE(r.status, status);
        const QString error = r.json().value(QStringLiteral("error")).toString();
        QVERIFY2(!error.isEmpty(), r.body.constData());
        if (needle)
            QVERIFY2(error.contains(QLatin1String(needle)), qPrintable(error));
        QVERIFY(!r.headers.value("x-request-id").isEmpty());
    }

    static void expectAlive(quint16 port)
    {
        HttpTestClient c(port);
        const HttpReply r = c.post("/v2/models/m/infer", inferBody(row(1, 2, 3)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("data")).toArray(), (QJsonArray{6, 2}));
    }

private Q_SLOTS:
    void healthMetadataAndReadiness()
    {
        auto s = start({}, {}, false);
        HttpTestClient c(s->port());
        QCOMPARE(c.get("/v2/health/live").json().value(QStringLiteral("live")).toBool(), true);
        // Not ready until the model is set: 503 for ready, metadata and infer.
        expectError(c.get("/v2/health/ready"), 503, "not ready");
        expectError(c.get("/v2/models/m/ready"), 503);
        expectError(c.get("/v2/models/m"), 503);
        expectError(c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))), 503, "not ready");
        s->service->setModel(s->model, QStringLiteral("7"));
        QCOMPARE(c.get("/v2/health/ready").json().value(QStringLiteral("ready")).toBool(), true);
        QCOMPARE(c.get("/v2/models/m/ready").json(), (QJsonObject{{QStringLiteral("name"), QStringLiteral("m")}, {QStringLiteral("ready"), true}}));
        const QJsonObject server = c.get("/v2").json();
        QCOMPARE(server.value(QStringLiteral("name")).toString(), QStringLiteral("orrery"));
        QVERIFY(server.value(QStringLiteral("extensions")).isArray());
        for (const QByteArray &path : {QByteArrayLiteral("/v2/models/m"), QByteArrayLiteral("/v2/models/m/versions/7")}) {
            const QJsonObject meta = c.get(path).json();
            QCOMPARE(meta.value(QStringLiteral("name")).toString(), QStringLiteral("m"));
            QCOMPARE(meta.value(QStringLiteral("versions")).toArray(), QJsonArray{QStringLiteral("7")});
            QCOMPARE(meta.value(QStringLiteral("platform")).toString(), QStringLiteral("pytorch_torchscript"));
            QCOMPARE(meta.value(QStringLiteral("inputs")).toArray()[0].toObject(),
                     (QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("datatype"), QStringLiteral("FP32")}, {QStringLiteral("shape"), QJsonArray{-1, 3}}}));
            QCOMPARE(meta.value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("shape")).toArray(), (QJsonArray{-1, 2}));
        }
        QCOMPARE(c.get("/v2/models/m/versions/7/ready").status, 200);
    }

    void unknownModelVersionAndPathsAre404()
    {
        auto s = start();
        HttpTestClient c(s->port());
        expectError(c.get("/v2/models/other"), 404, "no model named 'other'");
        expectError(c.post("/v2/models/other/infer", inferBody(row(1, 2, 3))), 404);
        expectError(c.get("/v2/models/m/versions/8"), 404, "no version '8'");
        expectError(c.post("/v2/models/m/versions/8/infer", inferBody(row(1, 2, 3))), 404);
        QCOMPARE(c.post("/v2/models/m/versions/7/infer", inferBody(row(1, 2, 3))).status, 200);
        // Traversal in every encoding is simply no endpoint.
        for (const QByteArray &path : {QByteArrayLiteral("/v2/models/..%2f..%2fetc/infer"), QByteArrayLiteral("/v2/models/%2e%2e%2fetc%2fpasswd"),
                                      QByteArrayLiteral("/v2/models/..%252f..%252fetc"), QByteArrayLiteral("/v2/models/m;x/ready"),
                                      QByteArrayLiteral("/v2/models/m%2f..%2fm/ready"), QByteArrayLiteral("/v2/models/m/../m/ready"),
                                      QByteArrayLiteral("/etc/passwd"), QByteArrayLiteral("/v2/models/m/secret")})
            expectError(c.get(path), 404);
        expectError(c.get("/v2/models/m/infer"), 405);
        expectAlive(s->port());
    }

    void inferAnswersEachRowAndEchoesIds()
    {
        auto s = start();
        HttpTestClient c(s->port());
        // Nested data, an id, parameters ignored, a request id echoed.
        const HttpReply r = c.request("POST", "/v2/models/m/infer",
                                      "{\"id\":\"42\",\"parameters\":{\"a\":1},\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[[1,2,3],[4,5,6]]}],"
                                      "\"outputs\":[{\"name\":\"y\"}]}",
                                      {{"X-Request-Id", "req-1.a:b_c"}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-request-id"), QByteArray("req-1.a:b_c"));
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("model_name")).toString(), QStringLiteral("m"));
        QCOMPARE(o.value(QStringLiteral("model_version")).toString(), QStringLiteral("7"));
        QCOMPARE(o.value(QStringLiteral("id")).toString(), QStringLiteral("42"));
        const QJsonObject y = o.value(QStringLiteral("outputs")).toArray()[0].toObject();
        QCOMPARE(y.value(QStringLiteral("name")).toString(), QStringLiteral("y"));
        QCOMPARE(y.value(QStringLiteral("datatype")).toString(), QStringLiteral("FP32"));
        QCOMPARE(y.value(QStringLiteral("shape")).toArray(), (QJsonArray{2, 2}));
        QCOMPARE(y.value(QStringLiteral("data")).toArray(), (QJsonArray{6, 2, 15, 8}));
        // No id of its own (or an unusable one): one is generated, a different one each time.
        const QByteArray a = c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))).headers.value("x-request-id");
        const QByteArray b = c.request("POST", "/v2/models/m/infer", inferBody(row(1, 2, 3)), {{"X-Request-Id", "has space"}}).headers.value("x-request-id");
        QVERIFY(!a.isEmpty() && !b.isEmpty() && a != b && b != "has space");
        QVERIFY(!c.get("/v2/health/live").headers.value("x-request-id").isEmpty());
    }

    void badInputsAre400AndTheServerLives_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("needle");
        QTest::newRow("malformed") << QByteArray("{\"inputs\": [}") << QByteArray("not valid JSON");
        QTest::newRow("truncated") << inferBody(row(1, 2, 3)).chopped(7) << QByteArray("not valid JSON");
        QTest::newRow("trailing junk") << inferBody(row(1, 2, 3)) + "xx" << QByteArray("not valid JSON");
        QTest::newRow("invalid utf-8") << QByteArray("{\"id\":\"\xff\xfe\",") + inferBody(row(1, 2, 3)).mid(1) << QByteArray();
        QTest::newRow("deep nesting") << QByteArray(100'000, '[') << QByteArray("not valid JSON");
        QTest::newRow("deep nesting in data") << inferBody(QByteArray(100'000, '[')) << QByteArray("not valid JSON");
        QTest::newRow("not an object") << QByteArray("[1,2,3]") << QByteArray("JSON object");
        QTest::newRow("no inputs") << QByteArray("{}") << QByteArray("\"inputs\"");
        QTest::newRow("inputs object") << QByteArray("{\"inputs\":{}}") << QByteArray("\"inputs\"");
        QTest::newRow("unknown input") << QByteArray("{\"inputs\":[{\"name\":\"z\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}") << QByteArray("no input 'z'");
        QTest::newRow("input twice") << QByteArray("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
                                                   "{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}") << QByteArray("twice");
        QTest::newRow("wrong datatype") << QByteArray("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT64\",\"data\":[1,2,3]}]}") << QByteArray("expected datatype FP32, got INT64");
        QTest::newRow("wrong shape") << inferBody("1,2,3,4", "[1,4]") << QByteArray("expected shape [-1, 3], got [1, 4]");
        QTest::newRow("rank 3") << inferBody(row(1, 2, 3), "[1,1,3]") << QByteArray("expected shape");
        QTest::newRow("shape and data disagree") << inferBody(row(1, 2, 3), "[2,3]") << QByteArray("needs 6 values");
        QTest::newRow("too much data") << inferBody(row(1, 2, 3) + ",4", "[1,3]") << QByteArray("needs 3 values");
        QTest::newRow("negative dim") << inferBody(row(1, 2, 3), "[-1,3]") << QByteArray("whole number");
        QTest::newRow("fractional dim") << inferBody(row(1, 2, 3), "[1.5,3]") << QByteArray("whole number");
        QTest::newRow("2^64 dim") << inferBody(row(1, 2, 3), "[18446744073709551616,3]") << QByteArray("whole number");
        QTest::newRow("product overflows") << inferBody(row(1, 2, 3), "[4294967296,4294967296]") << QByteArray("too many elements");
        QTest::newRow("product overflows 2") << inferBody(row(1, 2, 3), "[3000000000,3]") << QByteArray("too many elements");
        QTest::newRow("batch over the maximum") << inferBody(QByteArray("1,2,3,").repeated(9).chopped(1), "[9,3]") << QByteArray("batch-size must be <= 8");
        QTest::newRow("no rows") << inferBody("", "[0,3]") << QByteArray("no rows");
        QTest::newRow("NaN") << inferBody("NaN,2,3") << QByteArray("not valid JSON");
        QTest::newRow("Infinity") << inferBody("Infinity,2,3") << QByteArray("not valid JSON");
        QTest::newRow("-Infinity") << inferBody("-Infinity,2,3") << QByteArray("not valid JSON");
        QTest::newRow("1e400") << inferBody("1e400,2,3") << QByteArray();
        QTest::newRow("beyond FP32") << inferBody("1e39,2,3") << QByteArray("not a finite FP32 value");
        QTest::newRow("string in FP32") << inferBody("\"1\",2,3") << QByteArray("not a finite FP32 value");
        QTest::newRow("id not a string") << inferBody(row(1, 2, 3), "[1,3]", "\"id\":5,") << QByteArray("\"id\"");
        QTest::newRow("unknown output") << inferBody(row(1, 2, 3), "[1,3]", "\"outputs\":[{\"name\":\"q\"}],") << QByteArray("no output 'q'");
        QTest::newRow("model refuses") << inferBody(row(-1, 2, 3)) << QByteArray("x0 must not be -1");
    }
    void badInputsAre400AndTheServerLives()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, needle);
        serve::ServeOptions o;
        o.maxBatch = 8;
        auto s = start(o);
        HttpTestClient c(s->port());
        expectError(c.post("/v2/models/m/infer", body), 400, needle.isEmpty() ? nullptr : needle.constData());
        expectAlive(s->port());
    }

    void modelFailureIs500()
    {
        auto s = start();
        HttpTestClient c(s->port());
        expectError(c.post("/v2/models/m/infer", inferBody(row(-2, 0, 0))), 500, "the model broke");
        expectAlive(s->port());
    }

    // Policy: null in FP32 data is a missing value (NaN to the model); NaN or infinite outputs are
    // written as null, counted in parameters.non_finite_outputs — the answer stays valid JSON.
    void nonFiniteOutputsAreNull()
    {
        auto s = start();
        HttpTestClient c(s->port());
        HttpReply r = c.post("/v2/models/m/infer", inferBody(row(999, 0, 0) + "," + row(1, 1, 1), "[2,3]"));
        QCOMPARE(r.status, 200);
        QJsonParseError e;
        const QJsonObject o = QJsonDocument::fromJson(r.body, &e).object();
        QCOMPARE(e.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("data")).toArray(), (QJsonArray{QJsonValue::Null, QJsonValue::Null, 3, 2}));
        QCOMPARE(o.value(QStringLiteral("parameters")).toObject().value(QStringLiteral("non_finite_outputs")).toInt(), 2);
        r = c.post("/v2/models/m/infer", inferBody("1,null,1"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("data")).toArray(), (QJsonArray{QJsonValue::Null, 2}));
    }

    void bodyOverTheLimitIs413()
    {
        serve::ServeOptions o;
        o.maxBodyBytes = 4096;
        auto s = start(o);
        HttpTestClient c(s->port());
        const QByteArray big = inferBody(QByteArray("1,2,3,").repeated(1000).chopped(1), "[1000,3]");
        QVERIFY(big.size() > 4096);
        expectError(c.post("/v2/models/m/infer", big), 413, "at most 4096");
        // Announced by Content-Length only, the body never sent: refused before it is read.
        HttpTestClient raw(s->port());
        const HttpReply r = raw.raw("POST /v2/models/m/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n");
        expectError(r, 413);
        expectAlive(s->port());
    }

    void slowClientTimesOut()
    {
        http::HttpServerOptions h;
        h.bodyTimeoutMs = 300;
        h.bodyMinBytesPerSecond = 1 << 30;
        auto s = start({}, h);
        HttpTestClient c(s->port());
        const HttpReply r = c.raw("POST /v2/models/m/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"inputs\"", 4, std::chrono::milliseconds(0));
        expectError(r, 408);
        expectAlive(s->port());
    }

    void foreignHostIs403()
    {
        auto s = start();
        HttpTestClient c(s->port());
        expectError(c.request("POST", "/v2/models/m/infer", inferBody(row(1, 2, 3)), {{"Host", "evil.example:8080"}}), 403);
        expectAlive(s->port());
    }

    // core/http's rule: with a token, a request without it is 401 before its body is read.
    void bearerTokenIsRequiredWhenSet()
    {
        http::HttpServerOptions h;
        h.bearerToken = "0123456789abcdef0123";
        auto s = start({}, h);
        HttpTestClient c(s->port());
        expectError(c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))), 401);
        expectError(c.request("POST", "/v2/models/m/infer", inferBody(row(1, 2, 3)), {{"Authorization", "Bearer wrong-token-wrong-token"}}), 401);
        QCOMPARE(c.request("POST", "/v2/models/m/infer", inferBody(row(1, 2, 3)), {{"Authorization", "Bearer 0123456789abcdef0123"}}).status, 200);
        // Off loopback, no server starts without one.
        serve::InferenceService service({});
        http::HttpServerOptions open;
        open.host = QStringLiteral("0.0.0.0");
        http::HttpServer server(service, open);
        QCOMPARE(server.start().code(), ErrorCode::FailedPrecondition);
    }

    void concurrentRequestsAreBatched()
    {
        serve::ServeOptions o;
        o.maxBatch = 8;
        o.maxDelayMs = 500; // long enough for the eight requests below to meet
        auto s = start(o, [] { http::HttpServerOptions h; h.threads = 4; return h; }());
        std::vector<std::thread> clients;
        std::vector<QJsonArray> answers(8);
        for (int i = 0; i < 8; ++i)
            clients.emplace_back([&, i] {
                HttpTestClient c(s->port());
                answers[size_t(i)] = c.post("/v2/models/m/infer", inferBody(row(i, i, i))).json().value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("data")).toArray();
            });
        for (auto &t : clients)
            t.join();
        for (int i = 0; i < 8; ++i)
            QCOMPARE(answers[size_t(i)], (QJsonArray{3 * i, 2 * i})); // each its own row
        const auto batches = s->model->batches();
        QVERIFY2(batches.size() < 8, qPrintable(QStringLiteral("%1 model calls for 8 requests").arg(batches.size())));
        QVERIFY(s->service->stats().largestBatch >= 2);
        QVERIFY(s->service->stats().largestBatch <= 8);
        QCOMPARE(s->service->stats().requests, quint64(8));
    }

    void hookSeesEveryAnswerWithoutDelayingIt()
    {
        auto s = start();
        auto hook = std::make_shared<RecordingHook>();
        std::promise<void> release;
        hook->gate = release.get_future().share();
        s->service->setHook(hook);
        HttpTestClient c(s->port());
        // The hook is blocked; the answers come anyway.
        for (int i = 0; i < 3; ++i) {
            const HttpReply r = c.request("POST", "/v2/models/m/infer", inferBody(row(i, 1, 1)), {{"X-Request-Id", "hook-" + QByteArray::number(i)}});
            QCOMPARE(r.status, 200);
        }
        QCOMPARE(hook->count(), size_t(0));
        release.set_value();
        QTRY_COMPARE(hook->count(), size_t(3));
        std::lock_guard lock(hook->mutex);
        const serve::PredictionRecord &r = hook->records[2];
        QCOMPARE(r.requestId, QStringLiteral("hook-2"));
        QCOMPARE(r.endpoint, QStringLiteral("m"));
        QCOMPARE(r.version, QStringLiteral("7"));
        QCOMPARE(r.inputs.at(0).values, (std::vector<float>{2, 1, 1}));
        QCOMPARE(r.outputs.at(0).values, (std::vector<double>{4, 4}));
        QVERIFY(r.latencyMs >= 0);
        QVERIFY(r.time.isValid());
    }

    // Backpressure: beyond maxQueuedRows waiting rows, 503 at once; the queued ones are answered.
    void fullQueueIs503()
    {
        serve::ServeOptions o;
        o.maxQueuedRows = 2;
        o.maxDelayMs = 10'000; // the batch waits for company until the drain below
        auto s = start(o, [] { http::HttpServerOptions h; h.threads = 3; return h; }());
        std::vector<std::thread> clients;
        std::atomic<int> ok{0};
        for (int i = 0; i < 2; ++i)
            clients.emplace_back([&] {
                HttpTestClient c(s->port());
                ok += c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))).status == 200 ? 1 : 0;
            });
        QTRY_VERIFY(s->http->stats().requests >= 2);
        QTest::qWait(200); // handed over, and now queued
        HttpTestClient c(s->port());
        expectError(c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))), 503, "overloaded");
        QVERIFY(s->service->drain(5000));
        for (auto &t : clients)
            t.join();
        QCOMPARE(ok.load(), 2);
    }

    void drainAnswersQueuedThenRefuses()
    {
        serve::ServeOptions o;
        o.maxDelayMs = 300;
        o.maxBatch = 64;
        auto s = start(o);
        std::thread client([&] {
            HttpTestClient c(s->port());
            QCOMPARE(c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))).status, 200);
        });
        QTRY_VERIFY(s->http->stats().requests >= 1);
        QVERIFY(s->service->drain(5000));
        client.join();
        HttpTestClient c(s->port());
        expectError(c.post("/v2/models/m/infer", inferBody(row(1, 2, 3))), 503, "shutting down");
        QCOMPARE(c.get("/v2/health/ready").status, 503);
        QCOMPARE(c.get("/v2/health/live").status, 200);
    }
};

QTEST_GUILESS_MAIN(TstInferenceServer)
#include "tst_inference_server.moc"
