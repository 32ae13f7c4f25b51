#include "core/store/database.h"
#include "core/tracking/metric_history.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

using namespace orrery;
using namespace orrery::tracking;

namespace {
quint64 bits(double v)
{
    quint64 b;
    std::memcpy(&b, &v, 8);
    return b;
}
} // namespace

class TstMetricWriter : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<store::Database> m_db;
    QString m_run;
    int m_n = 0;

private Q_SLOTS:
    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("m%1.db").arg(++m_n));
        store::OpenOptions o;
        o.create = true;
        m_db = std::move(*store::Database::open(m_path, o));
        m_run = TrackingStore(*m_db).createRun(QStringLiteral("0"))->runId;
    }

    void specialValuesRoundTripExactly()
    {
        double quietNanWithPayload;
        const quint64 payload = 0x7ff8000000000abcULL;
        std::memcpy(&quietNanWithPayload, &payload, 8);
        const QVector<double> values = {0.0, -0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                        quietNanWithPayload, std::numeric_limits<double>::denorm_min(), 1.0 / 3.0, -1e308};
        {
            auto w = MetricWriter::open(m_path);
            for (int i = 0; i < values.size(); ++i)
                (*w)->log(m_run, QStringLiteral("v"), {i, 1700000000000 + i, values[i]});
            QVERIFY((*w)->close().isOk());
        }
        auto h = metricHistory(*m_db, m_run, QStringLiteral("v"));
        QVERIFY(h.isOk());
        QCOMPARE(h->size(), values.size());
        for (int i = 0; i < values.size(); ++i) {
            QCOMPARE(bits(h->at(i).value), bits(values[i]));
            QCOMPARE(h->at(i).step, qint64(i));
        }
    }

    void groupCommitAndFlush()
    {
        auto w = MetricWriter::open(m_path, 100);
        for (int i = 0; i < 50000; ++i)
            (*w)->log(m_run, QStringLiteral("loss"), {i, 1700000000000 + i, double(i)});
        QVERIFY((*w)->flush().isOk());
        QCOMPARE((*w)->pointsCommitted(), quint64(50000));
        QVERIFY((*w)->commits() <= 5); // grouped, not one transaction per point
        QCOMPARE(*metricPointCount(*m_db, m_run, QStringLiteral("loss")), qint64(50000));
        auto page = metricHistory(*m_db, m_run, QStringLiteral("loss"), 1020, 10);
        QCOMPARE(page->size(), 10);
        QCOMPARE(page->first().step, qint64(1020)); // pages cross block boundaries correctly
        QCOMPARE(page->last().step, qint64(1029));
    }

    void latestFollowsMlflowsRule()
    {
        auto w = MetricWriter::open(m_path);
        (*w)->log(m_run, QStringLiteral("acc"), {5, 1000, 0.5});
        (*w)->log(m_run, QStringLiteral("acc"), {3, 9000, 0.9}); // later time, smaller step: not latest
        (*w)->log(m_run, QStringLiteral("acc"), {5, 1000, 0.7}); // same step and time, greater value: latest
        QVERIFY((*w)->close().isOk());
        auto run = TrackingStore(*m_db).run(m_run);
        QCOMPARE(run->metrics.size(), 1);
        QCOMPARE(run->metrics.first().value, 0.7);
        QCOMPARE(run->metrics.first().step, qint64(5));
    }

    void appendsAcrossWritersKeepOrderAndBlocks()
    {
        {
            auto w = MetricWriter::open(m_path);
            for (int i = 0; i < 1500; ++i)
                (*w)->log(m_run, QStringLiteral("x"), {i, i, double(i)});
        } // destructor closes and flushes
        {
            auto w = MetricWriter::open(m_path);
            for (int i = 1500; i < 2600; ++i)
                (*w)->log(m_run, QStringLiteral("x"), {i, i, double(i)});
        }
        auto h = metricHistory(*m_db, m_run, QStringLiteral("x"));
        QCOMPARE(h->size(), 2600);
        for (int i = 0; i < 2600; ++i)
            QCOMPARE(h->at(i).step, qint64(i));
        auto blocks = m_db->prepare(QStringLiteral("SELECT count(*), max(count) FROM metric_blocks WHERE run_id = ?"));
        blocks->bind(1, m_run);
        QVERIFY(blocks->next());
        QCOMPARE(blocks->int64(0), qint64(3));
        QCOMPARE(blocks->int64(1), qint64(1024));
    }

    void loggingNeverWaitsForTheDatabase()
    {
        // Hold the write lock from another connection: log() must still return at once.
        auto w = MetricWriter::open(m_path, 10);
        auto blocker = store::Database::open(m_path);
        QVERIFY((*blocker)->exec(QStringLiteral("BEGIN IMMEDIATE")).isOk());
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 100000; ++i)
            (*w)->log(m_run, QStringLiteral("y"), {i, i, 1.0});
        // Had log() waited for the database, each call would wait out the busy timeout (5 s): a
        // generous bound for a hang, not a speed figure (bench_tracking measures that).
        QVERIFY2(t.elapsed() < 30000, qPrintable(QString::number(t.elapsed())));
        QVERIFY((*blocker)->exec(QStringLiteral("COMMIT")).isOk());
        QVERIFY((*w)->flush().isOk());
        QCOMPARE(*metricPointCount(*m_db, m_run, QStringLiteral("y")), qint64(100000));
    }

    void killedLoggerLosesAtMostTheUnflushedTail()
    {
        QProcess logger;
        logger.start(QStringLiteral(TRACKING_HELPER_PATH), {QStringLiteral("log"), m_path, m_run});
        QVERIFY(logger.waitForStarted());
        qint64 acknowledged = 0;
        QElapsedTimer t;
        t.start();
        while (acknowledged < 20000 && t.elapsed() < 60000) {
            logger.waitForReadyRead(1000);
            while (logger.canReadLine())
                acknowledged = logger.readLine().trimmed().toLongLong();
        }
        logger.kill(); // SIGKILL, mid-stream
        QVERIFY(logger.waitForFinished());
        QVERIFY(acknowledged >= 20000);
        m_db.reset();
        auto db = store::Database::open(m_path);
        QVERIFY2(db.isOk(), qPrintable(db.status().message()));
        QVERIFY((*db)->integrityCheck()->isEmpty());
        const qint64 stored = *metricPointCount(**db, m_run, QStringLiteral("loss"));
        QVERIFY2(stored >= acknowledged, qPrintable(QStringLiteral("%1 < %2").arg(stored).arg(acknowledged)));
        // What survived is a clean prefix: steps 0, 1, 2, … without holes.
        auto h = metricHistory(**db, m_run, QStringLiteral("loss"));
        for (int i = 0; i < h->size(); ++i)
            QCOMPARE(h->at(i).step, qint64(i));
        m_db = std::move(*db);
    }
};

QTEST_GUILESS_MAIN(TstMetricWriter)
#include "tst_metric_writer.moc"
