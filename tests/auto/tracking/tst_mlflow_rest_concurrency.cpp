// Several MLflow clients logging into one run at the same time (a training script, its
// evaluation callback and a monitoring job all call log-batch on the same run_id): each client has
// its own keep-alive connection on its own thread and waits for each answer, as MLflow's client
// does. Afterwards every point is there exactly once — through metrics/get-history and in the
// database — the latest value follows MLflow's rule (greatest step, then greatest timestamp) for a
// key all clients share, and every param and tag is stored.
#include "core/tracking/metric_history.h"
#include "core/tracking/tracking_store.h"
#include "tests/auto/tracking/mlflow_rest_fixture.h"

#include <QHash>
#include <QUrl>
#include <QtTest>

#include <mutex>
#include <thread>
#include <vector>

using namespace orrery;
using namespace orrery::testing;

namespace {

constexpr int kClients = 6;
constexpr int kBatches = 25;
constexpr int kPointsPerBatch = 40;
constexpr qint64 kTime = 1700000000000LL;

// Each client's own steps of "loss": no two clients log the same step, so every (step, value)
// pair names the client and batch that sent it.
qint64 lossStep(int client, int batch, int i)
{
    return qint64(client) * 100000 + batch * kPointsPerBatch + i;
}
double lossValue(qint64 step)
{
    return double(step) / 7.0;
}

// "acc": every client logs steps 0..kBatches-1, each with its own timestamp; MLflow's latest
// value is the greatest step, then the greatest timestamp: the last client's.
double accValue(int client, int batch)
{
    return client + batch / 1000.0;
}

} // namespace

class TstMlflowRestConcurrency : public QObject {
    Q_OBJECT
    MlflowServer m_s;
    QString m_run;

    QList<QJsonObject> fullHistory(const QString &key)
    {
        QList<QJsonObject> all;
        QByteArray token;
        for (int page = 0; page < 100; ++page) {
            const HttpReply r = m_s.get("metrics/get-history", "run_id=" + m_run.toUtf8() + "&metric_key=" + key.toUtf8() + "&max_results=1000"
                                                                  + (token.isEmpty() ? QByteArray() : "&page_token=" + QUrl::toPercentEncoding(QString::fromLatin1(token))));
            if (r.status != 200)
                qFatal("get-history answered %d: %s", r.status, r.body.constData());
            for (const QJsonValue &m : r.json().value(QStringLiteral("metrics")).toArray())
                all << m.toObject();
            token = r.json().value(QStringLiteral("next_page_token")).toString().toLatin1();
            if (token.isEmpty())
                break;
        }
        return all;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_s.start());
        m_run = m_s.createRun(m_s.createExperiment(QStringLiteral("shared")), QStringLiteral("one-run"));
        QCOMPARE(m_run.size(), 32);
    }

    void concurrentClientsLoseAndDuplicateNothing()
    {
        std::mutex mutex; // guards problems
        QStringList problems;
        std::vector<std::thread> clients;
        for (int c = 0; c < kClients; ++c) {
            clients.emplace_back([&, c] {
                HttpTestClient client(m_s.server->port());
                for (int b = 0; b < kBatches; ++b) {
                    QJsonArray metrics;
                    for (int i = 0; i < kPointsPerBatch; ++i) {
                        const qint64 step = lossStep(c, b, i);
                        metrics.append(metric(QStringLiteral("loss"), lossValue(step), kTime + step, step));
                    }
                    metrics.append(metric(QStringLiteral("acc"), accValue(c, b), kTime + b * 100 + c, b));
                    QJsonObject body{{QStringLiteral("run_id"), m_run}, {QStringLiteral("metrics"), metrics}};
                    if (b == 0)
                        body.insert(QStringLiteral("params"), QJsonArray{kv(QStringLiteral("client_%1").arg(c), QString::number(c)),
                                                                         kv(QStringLiteral("shared_param"), QStringLiteral("same"))});
                    if (b == kBatches - 1)
                        body.insert(QStringLiteral("tags"), QJsonArray{kv(QStringLiteral("done_%1").arg(c), QStringLiteral("yes"))});
                    const HttpReply r = client.post("/api/2.0/mlflow/runs/log-batch", QJsonDocument(body).toJson(QJsonDocument::Compact));
                    if (r.status != 200) {
                        std::lock_guard<std::mutex> lock(mutex);
                        problems << QStringLiteral("client %1 batch %2: %3 %4 %5").arg(c).arg(b).arg(r.status).arg(QString::fromUtf8(r.body), r.error);
                        return;
                    }
                }
            });
        }
        for (auto &t : clients)
            t.join();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));

        // Every acknowledged point of "loss" exactly once, with its value, through the API…
        QHash<qint64, int> seen;
        for (const QJsonObject &m : fullHistory(QStringLiteral("loss"))) {
            const qint64 step = m.value(QStringLiteral("step")).toInteger();
            ++seen[step];
            QCOMPARE(m.value(QStringLiteral("value")).toDouble(), lossValue(step));
            QCOMPARE(m.value(QStringLiteral("timestamp")).toInteger(), kTime + step);
        }
        QCOMPARE(seen.size(), kClients * kBatches * kPointsPerBatch);
        for (int c = 0; c < kClients; ++c)
            for (int b = 0; b < kBatches; ++b)
                for (int i = 0; i < kPointsPerBatch; ++i)
                    QVERIFY2(seen.value(lossStep(c, b, i)) == 1,
                             qPrintable(QStringLiteral("step %1 seen %2 times").arg(lossStep(c, b, i)).arg(seen.value(lossStep(c, b, i)))));
        QCOMPARE(fullHistory(QStringLiteral("acc")).size(), kClients * kBatches);

        // …and in the database, where the block summaries agree with the points.
        auto db = store::Database::open(m_s.databasePath());
        QVERIFY2(db.isOk(), qPrintable(db.status().message()));
        QCOMPARE(*tracking::metricPointCount(**db, m_run, QStringLiteral("loss")), qint64(kClients * kBatches * kPointsPerBatch));
        auto sum = (*db)->prepare(QStringLiteral("SELECT sum(count) FROM metric_blocks WHERE run_id = ? AND key = 'loss'"));
        sum->bind(1, m_run);
        QVERIFY(sum->next());
        QCOMPARE(sum->int64(0), qint64(kClients * kBatches * kPointsPerBatch));
        auto history = tracking::metricHistory(**db, m_run, QStringLiteral("loss"));
        QCOMPARE(history->size(), kClients * kBatches * kPointsPerBatch);

        // The latest values, as runs/get gives them.
        const QJsonObject run = m_s.get("runs/get", "run_id=" + m_run.toUtf8()).json().value(QStringLiteral("run")).toObject();
        QHash<QString, QJsonObject> latest;
        for (const QJsonValue &m : run.value(QStringLiteral("data")).toObject().value(QStringLiteral("metrics")).toArray())
            latest.insert(m.toObject().value(QStringLiteral("key")).toString(), m.toObject());
        const qint64 lastLossStep = lossStep(kClients - 1, kBatches - 1, kPointsPerBatch - 1);
        QCOMPARE(latest.value(QStringLiteral("loss")).value(QStringLiteral("step")).toInteger(), lastLossStep);
        QCOMPARE(latest.value(QStringLiteral("loss")).value(QStringLiteral("value")).toDouble(), lossValue(lastLossStep));
        QCOMPARE(latest.value(QStringLiteral("acc")).value(QStringLiteral("step")).toInteger(), qint64(kBatches - 1));
        QCOMPARE(latest.value(QStringLiteral("acc")).value(QStringLiteral("value")).toDouble(), accValue(kClients - 1, kBatches - 1));

        // Every client's params and tags.
        QHash<QString, QString> params, tags;
        for (const QJsonValue &p : run.value(QStringLiteral("data")).toObject().value(QStringLiteral("params")).toArray())
            params.insert(p.toObject().value(QStringLiteral("key")).toString(), p.toObject().value(QStringLiteral("value")).toString());
        for (const QJsonValue &t : run.value(QStringLiteral("data")).toObject().value(QStringLiteral("tags")).toArray())
            tags.insert(t.toObject().value(QStringLiteral("key")).toString(), t.toObject().value(QStringLiteral("value")).toString());
        QCOMPARE(params.value(QStringLiteral("shared_param")), QStringLiteral("same"));
        for (int c = 0; c < kClients; ++c) {
            QCOMPARE(params.value(QStringLiteral("client_%1").arg(c)), QString::number(c));
            QCOMPARE(tags.value(QStringLiteral("done_%1").arg(c)), QStringLiteral("yes"));
        }
    }
};

QTEST_GUILESS_MAIN(TstMlflowRestConcurrency)
#include "tst_mlflow_rest_concurrency.moc"
