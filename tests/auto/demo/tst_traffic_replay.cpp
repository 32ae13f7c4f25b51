// `demo replay`'s core (core/demo/traffic_replay.h and its parts) against the real serving stack
// in this process — HttpServer, InferenceService with a fraud-shaped fake model built from the
// same signature the registry stores, the PredictionLog and FeedbackStore on a real workspace
// database — over HTTP on 127.0.0.1: every request answered and logged under the id the labels
// name, the labels' values the generator's truth and sent no sooner than their delay, the shift
// exactly from its request on and visible in the logged inputs, stop() sending the labels still
// due at once, failures counted with the first error, the bearer token, the endpoint and server
// found from the workspace, and what must be refused.
#include "core/common/clock.h"
#include "core/data/fraud_generator.h"
#include "core/demo/replay_request.h"
#include "core/demo/replay_stream.h"
#include "core/demo/replay_target.h"
#include "core/demo/traffic_replay.h"
#include "core/deploy/deployment_store.h"
#include "core/deploy/server_record.h"
#include "core/http/http_server.h"
#include "core/monitor/feedback_store.h"
#include "core/monitor/prediction_log.h"
#include "core/registry/model_file.h"
#include "core/registry/model_registry.h"
#include "core/serve/inference_service.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <future>
#include <map>

using namespace orrery;

namespace {

const QStringList kNumeric = {QStringLiteral("amount"), QStringLiteral("distance_from_home_km"), QStringLiteral("customer_age"),
                              QStringLiteral("account_age_days"), QStringLiteral("transactions_last_24h")};
const QStringList kCategorical = {QStringLiteral("merchant_category"), QStringLiteral("channel"), QStringLiteral("country")};

// The signature orrery-train exports for the demo's MLP (core/train/torch_models.cpp).
QJsonObject demoSignature()
{
    return QJsonObject{
        {QStringLiteral("inputs"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("numeric")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                {QStringLiteral("shape"), QJsonArray{-1, kNumeric.size()}}, {QStringLiteral("columns"), QJsonArray::fromStringList(kNumeric)},
                                {QStringLiteral("missing"), QStringLiteral("NaN")}},
                    QJsonObject{{QStringLiteral("name"), QStringLiteral("categorical")}, {QStringLiteral("dtype"), QStringLiteral("BYTES")},
                                {QStringLiteral("shape"), QJsonArray{-1, kCategorical.size()}},
                                {QStringLiteral("columns"), QJsonArray::fromStringList(kCategorical)}}}},
        {QStringLiteral("outputs"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("probabilities")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                {QStringLiteral("shape"), QJsonArray{-1, 2}}}}}};
}

// A model of the demo's shape: the fraud score grows with the amount and is higher online. It
// checks what it is given, so a malformed replay request fails the test rather than passing.
class FraudShapedModel : public serve::InferenceModel {
public:
    FraudShapedModel() : m_metadata(*serve::metadataFromSignature(demoSignature())) {}
    const serve::ModelMetadata &metadata() const override { return m_metadata; }
    Result<std::vector<serve::OutputTensor>> run(const std::vector<serve::InputTensor> &batch, int rows) const override
    {
        serve::OutputTensor y;
        y.name = QStringLiteral("probabilities");
        y.rows = rows;
        y.width = 2;
        for (int r = 0; r < rows; ++r) {
            const float amount = batch[0].values[size_t(r) * 5];
            const QString &channel = batch[1].texts[size_t(r) * 3 + 1];
            if (!(amount > 0) || (channel != QLatin1String("pos") && channel != QLatin1String("online") && channel != QLatin1String("atm")))
                return invalidArgument(QStringLiteral("row %1 is no demo transaction").arg(r));
            const double p = 1.0 / (1.0 + std::exp(-(std::log(amount) - 5.0 + (channel == QLatin1String("online") ? 1.0 : 0.0))));
            y.values.push_back(1.0 - p);
            y.values.push_back(p);
        }
        return std::vector<serve::OutputTensor>{y};
    }

private:
    serve::ModelMetadata m_metadata;
};

// The workspace's serving process, in this test: the inference service with the prediction log
// (every request's inputs kept) and the feedback store on one database.
struct Server {
    std::shared_ptr<monitor::PredictionLog> log;
    std::shared_ptr<monitor::FeedbackStore> feedback;
    std::unique_ptr<serve::InferenceService> service;
    std::unique_ptr<http::HttpServer> http;

    Server(const QString &database, const QByteArray &token = QByteArray())
    {
        monitor::PredictionLogOptions o;
        o.inputRate = 1.0;
        log = std::shared_ptr<monitor::PredictionLog>(std::move(*monitor::PredictionLog::open(database, o)));
        feedback = std::shared_ptr<monitor::FeedbackStore>(std::move(*monitor::FeedbackStore::open(database, log)));
        service = std::make_unique<serve::InferenceService>(serve::ServeOptions{});
        service->setHook(log);
        service->setFeedbackSink(feedback);
        Status routed = service->setRoutes({{QStringLiteral("fraud"), {serve::RouteVersion{QStringLiteral("3"), QStringLiteral("md5"), std::make_shared<FraudShapedModel>(), 100}}, {}}});
        if (!routed)
            qFatal("%s", qPrintable(routed.message()));
        http::HttpServerOptions h;
        h.bearerToken = token;
        http = std::make_unique<http::HttpServer>(*service, h);
        if (const Status s = http->start(); !s)
            qFatal("%s", qPrintable(s.message()));
    }
    ~Server()
    {
        http->stop();
        service.reset();
    }
    QString url() const { return http->url(); }
};

// One logged prediction's inputs: per row, the numeric values and the categories.
struct Logged {
    QString requestId;
    QList<QJsonArray> numeric, categorical;
};

} // namespace

class TstTrafficReplay : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    QString freshDatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(path, o);
        if (!db)
            qFatal("%s", qPrintable(db.status().message()));
        return path;
    }
    static std::unique_ptr<store::Database> open(const QString &path) { return std::move(*store::Database::open(path)); }
    static qint64 scalar(const QString &path, const QString &sql)
    {
        auto db = open(path);
        auto s = db->prepare(sql);
        if (!s || !s->next())
            qFatal("%s", qPrintable(sql));
        return s->int64(0);
    }
    static QVector<Logged> logged(const QString &path, const QString &prefix)
    {
        QVector<Logged> out;
        auto db = open(path);
        auto s = db->prepare(QStringLiteral("SELECT request_id, inputs FROM predictions WHERE request_id LIKE ? ORDER BY id"));
        s->bind(1, prefix + QStringLiteral("-%"));
        while (s->next()) {
            Logged l;
            l.requestId = s->text(0);
            const QJsonObject inputs = QJsonDocument::fromJson(s->text(1).toUtf8()).object();
            for (const auto &row : inputs.value(QStringLiteral("numeric")).toArray())
                l.numeric << row.toArray();
            for (const auto &row : inputs.value(QStringLiteral("categorical")).toArray())
                l.categorical << row.toArray();
            out.append(l);
        }
        return out;
    }
    static qint64 indexOf(const QString &requestId) { return requestId.section(QLatin1Char('-'), -1).toLongLong(); }

    demo::ReplayOptions options(const QString &url, const QString &prefix)
    {
        demo::ReplayOptions o;
        o.url = url;
        o.endpoint = QStringLiteral("fraud");
        o.signature = demoSignature();
        o.seed = 7;
        o.idPrefix = prefix;
        return o;
    }

private Q_SLOTS:
    void everyRequestIsAnsweredLoggedAndLabelledAfterTheDelay()
    {
        const QString db = freshDatabase();
        Server server(db);
        demo::ReplayOptions o = options(server.url(), QStringLiteral("first"));
        o.rate = 200;
        o.requests = 200;
        o.rowsPerRequest = 2;
        o.labelsAfterMs = 1000;
        auto replay = demo::TrafficReplay::create(o);
        QVERIFY2(replay, qPrintable(replay.status().message()));
        QVERIFY((*replay)->checkServer());
        const demo::ReplayCounts c = (*replay)->run();
        QCOMPARE(c.sent, 200);
        QCOMPARE(c.answered, 200);
        QCOMPARE(c.failed, 0);
        QCOMPARE(c.rows, 400);
        QCOMPARE(c.statuses, (QMap<int, qint64>{{200, 200}}));
        QCOMPARE(c.labelsSent, 400);
        QCOMPARE(c.labelsMatched, 400);
        QCOMPARE(c.labelsUnknown, 0);
        QCOMPARE(c.labelsFailed, 0);
        QCOMPARE(c.labelsPending, 0);
        QVERIFY2(c.firstError.isEmpty(), qPrintable(c.firstError));
        QVERIFY(!c.stopped);
        // Keep-alive: the senders' connections, the labeller's and checkServer's, not one per request.
        QVERIFY2(server.http->stats().connections <= quint64(o.connections + 2), qPrintable(QString::number(server.http->stats().connections)));

        // Every request is in the prediction log under the id the replay sent.
        QVERIFY(server.log->flush());
        QSet<QString> ids;
        for (const Logged &l : logged(db, QStringLiteral("first")))
            ids.insert(l.requestId);
        QSet<QString> expected;
        for (int k = 0; k < 200; ++k)
            expected.insert((*replay)->requestId(k));
        QCOMPARE(ids, expected);
        // Every label matched its prediction, carries the generator's truth for its row, and
        // was stored well after the prediction was logged (a second after the client had the
        // answer; the server logs it just after answering).
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM feedback WHERE request_id LIKE 'first-%' AND prediction_id IS NOT NULL")), 400);
        demo::ReplayStream truth(o.seed, demo::timelineAfter(QString()));
        std::map<std::pair<qint64, int>, int> fraud;
        for (int k = 0; k < 200; ++k) {
            const auto rows = truth.next(2);
            for (int r = 0; r < 2; ++r)
                fraud[{k, r}] = rows[size_t(r)].isFraud ? 1 : 0;
        }
        auto conn = open(db);
        auto s = conn->prepare(QStringLiteral("SELECT f.request_id, f.row, f.label_number, f.time - p.time FROM feedback f JOIN predictions p ON p.id = f.prediction_id "
                                              "WHERE f.request_id LIKE 'first-%'"));
        int checked = 0, frauds = 0;
        while (s->next()) {
            QCOMPARE(int(s->real(2)), fraud.at({indexOf(s->text(0)), int(s->int64(1))}));
            frauds += int(s->real(2));
            QVERIFY2(s->int64(3) >= 500, qPrintable(QStringLiteral("%1 row %2: label %3 ms after its answer").arg(s->text(0)).arg(s->int64(1)).arg(s->int64(3))));
            ++checked;
        }
        QCOMPARE(checked, 400);
        QVERIFY2(frauds < 40, "about 1 % of the demo's transactions are fraud");
    }

    void theShiftStartsAtItsRequestAndShowsInTheLoggedInputs()
    {
        const QString db = freshDatabase();
        Server server(db);
        demo::ReplayOptions o = options(server.url(), QStringLiteral("shifted"));
        o.rate = 100;
        o.requests = 400;
        o.rowsPerRequest = 5;
        o.shiftAtMs = 2000; // request 200 is due at 2 s
        auto replay = demo::TrafficReplay::create(o);
        QVERIFY2(replay, qPrintable(replay.status().message()));
        const demo::ReplayCounts c = (*replay)->run();
        QCOMPARE(c.answered, 400);
        QCOMPARE(c.shiftRequest, 200);
        QVERIFY2(c.shiftStartedMs >= 2000, qPrintable(QString::number(c.shiftStartedMs))); // not before its time
        QVERIFY(server.log->flush());
        const QVector<Logged> rows = logged(db, QStringLiteral("shifted"));
        QCOMPARE(rows.size(), 400);
        // Before the shift the rows are exactly the unshifted stream's.
        demo::ReplayStream unshifted(o.seed, demo::timelineAfter(QString()));
        double before = 0, after = 0;
        int onlineBefore = 0, onlineAfter = 0, n = 0;
        std::vector<Logged> byIndex(400);
        for (const Logged &l : rows)
            byIndex[size_t(indexOf(l.requestId))] = l;
        for (int k = 0; k < 400; ++k) {
            const Logged &l = byIndex[size_t(k)];
            QCOMPARE(l.numeric.size(), 5);
            const auto expected = unshifted.next(5);
            for (int r = 0; r < 5; ++r) {
                const double amount = l.numeric[r][0].toDouble();
                const bool online = l.categorical[r][1].toString() == QLatin1String("online");
                if (k < 200) {
                    QVERIFY2(std::abs(amount - expected[size_t(r)].amount) <= 1e-6 * expected[size_t(r)].amount,
                             qPrintable(QStringLiteral("request %1 row %2: %3, unshifted %4").arg(k).arg(r).arg(amount).arg(expected[size_t(r)].amount)));
                    QCOMPARE(l.categorical[r][1].toString(), expected[size_t(r)].channel);
                    before += amount;
                    onlineBefore += online;
                } else {
                    after += amount;
                    onlineAfter += online;
                }
                ++n;
            }
        }
        QCOMPARE(n, 2000);
        const double ratio = (after / 1000) / (before / 1000);
        QVERIFY2(ratio > 2.0 && ratio < 3.5, qPrintable(QStringLiteral("mean amount after / before the shift: %1").arg(ratio))); // x2.5, and more fraud
        QVERIFY2(onlineBefore < 400 && onlineAfter > 700, qPrintable(QStringLiteral("online rows: %1 before, %2 after").arg(onlineBefore).arg(onlineAfter)));
    }

    void onACompressedClockTheDurationsAreClockTimeAndTheRateReal()
    {
        // 10× (core/common/clock.h): --duration 10s and --labels-after 10s are a real second each,
        // --shift-at 4s 400 real ms; 50 requests per real second.
        const QString db = freshDatabase();
        Server server(db);
        const common::ScaledClock clock(common::ClockScale::startingNow(10));
        demo::ReplayOptions o = options(server.url(), QStringLiteral("compressed"));
        o.clock = &clock;
        o.rate = 50;
        o.durationMs = 10'000;
        o.shiftAtMs = 4'000;
        o.labelsAfterMs = 10'000;
        auto replay = demo::TrafficReplay::create(o);
        QVERIFY2(replay, qPrintable(replay.status().message()));
        QCOMPARE((*replay)->counts().shiftRequest, 20); // due at 400 real ms: 4 s of the clock
        const demo::ReplayCounts c = (*replay)->run();
        QVERIFY2(c.sent >= 21 && c.sent <= 50, qPrintable(QString::number(c.sent))); // a real second at 50/s at most
        QCOMPARE(c.failed, 0);
        QCOMPARE(c.labelsMatched, c.answered);
        QVERIFY2(c.shiftStartedMs >= 4'000, qPrintable(QString::number(c.shiftStartedMs))); // clock time
        QVERIFY2(c.elapsedMs >= 10'000 + 10'000, qPrintable(QString::number(c.elapsedMs)));  // the last labels' delay, in clock time
        // The labels waited a real second (this process's own clock is real time), not 10.
        QVERIFY(server.log->flush());
        auto conn = open(db);
        auto s = conn->prepare(QStringLiteral("SELECT min(f.time - p.time), max(f.time - p.time), count(*) FROM feedback f JOIN predictions p ON p.id = f.prediction_id "
                                              "WHERE f.request_id LIKE 'compressed-%'"));
        QVERIFY(s && s->next());
        QCOMPARE(s->int64(2), c.answered);
        QVERIFY2(s->int64(0) >= 500 && s->int64(1) < 10'000, qPrintable(QStringLiteral("%1 … %2 ms").arg(s->int64(0)).arg(s->int64(1))));
    }

    void stopSendsTheLabelsStillDueAtOnce()
    {
        const QString db = freshDatabase();
        Server server(db);
        demo::ReplayOptions o = options(server.url(), QStringLiteral("stopped"));
        o.rate = 50;
        o.labelsAfterMs = 3'600'000; // an hour: only stop() can send them
        auto replay = demo::TrafficReplay::create(o);
        QVERIFY2(replay, qPrintable(replay.status().message()));
        demo::TrafficReplay *r = replay->get();
        auto running = std::async(std::launch::async, [r] { return r->run(); });
        QTRY_VERIFY_WITH_TIMEOUT(r->counts().answered >= 20, 60'000);
        QCOMPARE(r->counts().labelsSent, 0);
        r->stop();
        QVERIFY2(running.wait_for(std::chrono::seconds(60)) == std::future_status::ready, "stop() ends the replay without waiting for the labels' time");
        const demo::ReplayCounts c = running.get();
        QVERIFY(c.stopped);
        QCOMPARE(c.failed, 0);
        QCOMPARE(c.answered, c.sent);
        QCOMPARE(c.labelsPending, 0);
        QCOMPARE(c.labelsSent, c.answered);
        QCOMPARE(c.labelsMatched, c.answered);
        QCOMPARE(c.labelsUnknown, 0);
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM feedback WHERE request_id LIKE 'stopped-%' AND prediction_id IS NOT NULL")), c.answered);
    }

    void aLabelShareLabelsThatShareOfTheRows()
    {
        const QString db = freshDatabase();
        Server server(db);
        demo::ReplayOptions o = options(server.url(), QStringLiteral("share"));
        o.rate = 500;
        o.requests = 300;
        o.rowsPerRequest = 2;
        o.labelsAfterMs = 500; // see theBearerTokenIsSent
        o.labelShare = 0.5;
        auto replay = demo::TrafficReplay::create(o);
        QVERIFY2(replay, qPrintable(replay.status().message()));
        const demo::ReplayCounts c = (*replay)->run();
        QCOMPARE(c.answered, 300);
        QVERIFY2(c.labelsSent > 240 && c.labelsSent < 360, qPrintable(QString::number(c.labelsSent))); // 600 rows, half
        QCOMPARE(c.labelsMatched, c.labelsSent);
        QCOMPARE(c.labelsUnknown, 0);
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM feedback WHERE request_id LIKE 'share-%'")), c.labelsSent);
    }

    void failuresAreCountedWithTheFirstError()
    {
        const QString db = freshDatabase();
        Server server(db);
        demo::ReplayOptions o = options(server.url(), QStringLiteral("wrong"));
        o.endpoint = QStringLiteral("nope");
        o.requests = 5;
        o.rate = 100;
        auto replay = demo::TrafficReplay::create(o);
        QVERIFY(replay);
        const Status check = (*replay)->checkServer();
        QCOMPARE(check.code(), ErrorCode::NotFound);
        QVERIFY2(check.message().contains(QStringLiteral("does not serve endpoint 'nope'")), qPrintable(check.message()));
        demo::ReplayCounts c = (*replay)->run();
        QCOMPARE(c.sent, 5);
        QCOMPARE(c.failed, 5);
        QCOMPARE(c.answered, 0);
        QCOMPARE(c.statuses, (QMap<int, qint64>{{404, 5}}));
        QVERIFY2(c.firstError.contains(QStringLiteral("HTTP 404")) && c.firstError.contains(QStringLiteral("no model named 'nope'")), qPrintable(c.firstError));

        // No server at all: the check says so and what starts one; requests fail with no answer.
        const quint16 port = server.http->port();
        server.http->stop();
        o.endpoint = QStringLiteral("fraud");
        o.url = QStringLiteral("http://127.0.0.1:%1").arg(port);
        o.requests = 3;
        o.labelsAfterMs = 0;
        replay = demo::TrafficReplay::create(o);
        QVERIFY(replay);
        const Status down = (*replay)->checkServer();
        QVERIFY(!down);
        QVERIFY2(down.message().contains(QStringLiteral("cannot reach the server")) && down.message().contains(QStringLiteral("orrery-cli serve")), qPrintable(down.message()));
        c = (*replay)->run();
        QCOMPARE(c.failed, 3);
        QCOMPARE(c.statuses, (QMap<int, qint64>{{0, 3}}));
        QCOMPARE(c.labelsSent, 0);
        QVERIFY2(c.firstError.contains(QStringLiteral("cannot connect")), qPrintable(c.firstError));
    }

    void theBearerTokenIsSent()
    {
        const QString db = freshDatabase();
        const QByteArray token = "0123456789abcdef0123456789abcdef";
        Server server(db, token);
        demo::ReplayOptions o = options(server.url(), QStringLiteral("token"));
        o.requests = 10;
        o.rate = 100;
        // Not 0: the server hands a prediction to the log through its hook queue after answering,
        // and a label that overtakes it is (rightly) unknown.
        o.labelsAfterMs = 500;
        auto without = demo::TrafficReplay::create(o);
        QVERIFY(without);
        const Status refused = (*without)->checkServer();
        QVERIFY2(refused.message().contains(QStringLiteral("--token-file")), qPrintable(refused.message()));
        o.token = token;
        auto with = demo::TrafficReplay::create(o);
        QVERIFY((*with)->checkServer());
        const demo::ReplayCounts c = (*with)->run();
        QCOMPARE(c.answered, 10);
        QCOMPARE(c.labelsMatched, 10);
    }

    void theWorkspaceNamesTheVersionTheServerAndTheTimeline()
    {
        // A workspace database with the demo's dataset, a registered version with the demo's
        // signature deployed on "fraud", and a server record.
        QTemporaryDir root;
        QVERIFY(QDir(root.path()).mkpath(QStringLiteral(".orrery/cache")) && QDir(root.path()).mkpath(QStringLiteral("data")));
        data::FraudDataOptions dataOptions;
        dataOptions.rows = 1000;
        QVERIFY(data::writeFraudCsv(root.filePath(QStringLiteral("data/transactions.csv")), dataOptions));
        store::OpenOptions create;
        create.create = true;
        auto db = std::move(*store::Database::open(root.filePath(QStringLiteral(".orrery/orrery.db")), create));
        const QString cache = root.filePath(QStringLiteral(".orrery/cache"));

        auto missing = demo::resolveReplayTarget(*db, root.path(), QStringLiteral("fraud"));
        QCOMPARE(missing.status().code(), ErrorCode::NotFound);
        QVERIFY2(missing.status().message().contains(QStringLiteral("no endpoint named 'fraud'")) && missing.status().message().contains(QStringLiteral("deploy start")),
                 qPrintable(missing.status().message()));

        const QString file = root.filePath(QStringLiteral("model.pt"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write("not really torchscript") > 0);
        f.close();
        auto stored = registry::storeModelFile(cache, file);
        QVERIFY(stored);
        registry::NewVersion v;
        v.name = QStringLiteral("fraud");
        v.source = file;
        v.modelMd5 = stored->md5;
        v.modelSize = stored->size;
        v.modelFileName = QStringLiteral("model.pt");
        v.format = QStringLiteral("torchscript");
        v.signature = demoSignature();
        v.validation = registry::Validation::Passed;
        QVERIFY(registry::ModelRegistry(*db).createVersion(v));
        deploy::DeploymentStore deployments(*db, cache);
        deploy::StartRequest start;
        start.model = QStringLiteral("fraud");
        start.version = 1;
        start.endpoint = QStringLiteral("fraud");
        QVERIFY(deployments.start(start));

        auto target = demo::resolveReplayTarget(*db, root.path(), QStringLiteral("fraud"));
        QVERIFY2(target, qPrintable(target.status().message()));
        QCOMPARE(target->model, QStringLiteral("fraud"));
        QCOMPARE(target->version, 1);
        QCOMPARE(target->signature, demoSignature());
        QVERIFY(target->serverUrl.isEmpty()); // no server recorded
        // The timeline continues the dataset: 1,000 rows over 90 days, one every 7,776 s.
        QCOMPARE(target->timeline.stepSeconds, 7776);
        QVERIFY2(target->timeline.start > dataOptions.start.addDays(89) && target->timeline.start <= dataOptions.start.addDays(90).addSecs(7776),
                 qPrintable(target->timeline.start.toString(Qt::ISODate)));
        QCOMPARE(target->timeline.source, root.filePath(QStringLiteral("data/transactions.csv")));

        auto other = demo::resolveReplayTarget(*db, root.path(), QStringLiteral("other"));
        QVERIFY2(other.status().message().contains(QStringLiteral("it has fraud")), qPrintable(other.status().message()));

        QVERIFY(deploy::recordServer(*db, QStringLiteral("127.0.0.1"), 4567, QDateTime::currentMSecsSinceEpoch()));
        target = demo::resolveReplayTarget(*db, root.path(), QStringLiteral("fraud"));
        QCOMPARE(target->serverUrl, QStringLiteral("http://127.0.0.1:4567"));
    }

    void theStreamIsTheSeedsAndTheShiftBeginsAtItsRow()
    {
        const demo::ReplayTimeline timeline = demo::timelineAfter(m_dir.filePath(QStringLiteral("no-such.csv")));
        QCOMPARE(timeline.start, QDateTime(QDate(2026, 4, 1), QTime(0, 0), Qt::UTC)); // right after the default 90 days
        QCOMPARE(timeline.stepSeconds, 156);
        auto amounts = [&](quint64 seed, qint64 shiftRow) {
            demo::ReplayStream s(seed, timeline, shiftRow, demo::ReplayShift{10.0, 0.0, 1.0});
            QList<double> out;
            for (const auto &t : s.next(100))
                out << t.amount;
            return out;
        };
        QCOMPARE(amounts(3, -1), amounts(3, -1));
        QVERIFY(amounts(3, -1) != amounts(4, -1));
        const QList<double> plain = amounts(3, -1), shifted = amounts(3, 50);
        QCOMPARE(plain.mid(0, 50), shifted.mid(0, 50));
        for (int i = 50; i < 100; ++i)
            QVERIFY2(shifted[i] != plain[i], qPrintable(QString::number(i))); // amount x10, no online rows: every row differs
    }

    void badOptionsAndSignaturesAreRefused()
    {
        auto refused = [](demo::ReplayOptions o, const QString &needle) {
            auto r = demo::TrafficReplay::create(o);
            QVERIFY(!r);
            QVERIFY2(r.status().message().contains(needle), qPrintable(r.status().message()));
        };
        demo::ReplayOptions o = options(QStringLiteral("http://127.0.0.1:1"), QStringLiteral("x"));
        QVERIFY(demo::TrafficReplay::create(o));
        demo::ReplayOptions bad = o;
        bad.rate = 0;
        refused(bad, QStringLiteral("--rate"));
        bad = o;
        bad.labelShare = 1.5;
        refused(bad, QStringLiteral("--label-share"));
        bad = o;
        bad.url = QStringLiteral("https://example.org");
        refused(bad, QStringLiteral("--url"));
        bad = o;
        bad.idPrefix = QStringLiteral("has space");
        refused(bad, QStringLiteral("has space"));

        auto withInput = [&](QJsonObject input) {
            demo::ReplayOptions s = o;
            s.signature = QJsonObject{{QStringLiteral("inputs"), QJsonArray{input}}};
            return s;
        };
        QJsonObject input{{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("dtype"), QStringLiteral("FP32")}, {QStringLiteral("shape"), QJsonArray{-1, 1}}};
        refused(withInput(input), QStringLiteral("input 'x' of the signature names no columns"));
        input.insert(QStringLiteral("columns"), QJsonArray{QStringLiteral("zip_code")});
        refused(withInput(input), QStringLiteral("column 'zip_code'"));
        input.insert(QStringLiteral("columns"), QJsonArray{QStringLiteral("channel")});
        refused(withInput(input), QStringLiteral("FP32 but takes column 'channel'"));
        input.insert(QStringLiteral("columns"), QJsonArray{QStringLiteral("amount"), QStringLiteral("customer_age")});
        refused(withInput(input), QStringLiteral("1 wide but names 2 columns"));
        demo::ReplayOptions none = o;
        none.signature = QJsonObject();
        refused(none, QStringLiteral("names no inputs"));

        // A missing customer_age is sent as null, a missing value.
        auto request = demo::ReplayRequest::fromSignature(demoSignature());
        QVERIFY(request);
        data::FraudTransaction t;
        t.amount = 12.5;
        t.merchantCategory = QStringLiteral("fuel");
        t.channel = QStringLiteral("pos");
        t.country = QStringLiteral("US");
        t.customerAge = 0;
        const QJsonObject body = QJsonDocument::fromJson(request->body(QStringLiteral("r-1"), {t})).object();
        QCOMPARE(body.value(QStringLiteral("id")).toString(), QStringLiteral("r-1"));
        const QJsonObject numeric = body.value(QStringLiteral("inputs")).toArray()[0].toObject();
        QCOMPARE(numeric.value(QStringLiteral("shape")).toArray(), (QJsonArray{1, 5}));
        QCOMPARE(numeric.value(QStringLiteral("data")).toArray()[0].toDouble(), 12.5);
        QVERIFY(numeric.value(QStringLiteral("data")).toArray()[2].isNull());
        QCOMPARE(body.value(QStringLiteral("inputs")).toArray()[1].toObject().value(QStringLiteral("data")).toArray(),
                 (QJsonArray{QStringLiteral("fuel"), QStringLiteral("pos"), QStringLiteral("US")}));

        QCOMPARE(demo::parseReplayShift(QStringLiteral("fraud=5, amount=1.5"))->amountScale, 1.5);
        QCOMPARE(demo::parseReplayShift(QStringLiteral("fraud=5"))->onlineShare, 0.8); // the others keep their defaults
        for (const char *badShift : {"", "amount", "amount=x", "speed=2", "online=1.5", "amount=-1"}) {
            const auto parsed = demo::parseReplayShift(QLatin1String(badShift));
            QVERIFY2(!parsed, badShift);
            QVERIFY2(parsed.status().message().startsWith(QStringLiteral("--shift")), qPrintable(parsed.status().message()));
        }
    }
};

QTEST_GUILESS_MAIN(TstTrafficReplay)
#include "tst_traffic_replay.moc"
