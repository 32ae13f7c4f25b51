// MetricWriter: special values round-trip bit for bit; group commit and flush; MLflow's rule for
// the latest value; appends across writers keep order and block sizes; log() never waits for the
// database; a killed logger loses at most its unflushed tail. And two writers on one run at the
// same time (a trainer's in-process writer beside `tracking serve`'s): every point of both there
// once, with the block summaries and the latest value consistent.
#include "core/store/database.h"
#include "core/tracking/metric_history.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"

#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>

using namespace orrery;
using namespace orrery::tracking;

namespace {
quint64 bits(double v)
{
    quint64 b;
    std::memcpy(&b, &v, 8);
    return b;
}

// Two threads meet at the end of each round (std::barrier is C++20).
class Rendezvous {
public:
    void arriveAndWait()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        const int round = m_round;
        if (++m_arrived == 2) {
            m_arrived = 0;
            ++m_round;
            m_cv.notify_all();
        } else {
            m_cv.wait(lock, [&] { return m_round != round; });
        }
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_arrived = 0;
    int m_round = 0;
};

// Writer w's points of a shared key: interleaved steps (writer 0 the even ones, writer 1 the odd
// ones), values that name the writer and step.
MetricPoint sharedPoint(int writer, qint64 n)
{
    const qint64 step = 2 * n + writer;
    return {step, 1700000000000LL + step, double(step) + writer / 10.0};
}
} // namespace

class TstMetricWriter : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<store::Database> m_db;
    QString m_run;
    int m_n = 0;

    // Checks that the history of `key` in m_run holds exactly `expected` (step → value), that the
    // block summaries count the same points, and that the latest value is the greatest step's.
    void checkSharedHistory(const QString &key, const QHash<qint64, double> &expected)
    {
        auto h = metricHistory(*m_db, m_run, key);
        QVERIFY2(h.isOk(), qPrintable(h.status().message()));
        QHash<qint64, int> seen;
        for (const MetricPoint &p : *h) {
            ++seen[p.step];
            QVERIFY2(expected.contains(p.step) && expected.value(p.step) == p.value,
                     qPrintable(QStringLiteral("%1: unexpected point step %2 value %3").arg(key).arg(p.step).arg(p.value)));
        }
        for (auto it = expected.constBegin(); it != expected.constEnd(); ++it)
            QVERIFY2(seen.value(it.key()) == 1, qPrintable(QStringLiteral("%1: step %2 stored %3 times").arg(key).arg(it.key()).arg(seen.value(it.key()))));
        QCOMPARE(*metricPointCount(*m_db, m_run, key), qint64(expected.size()));
        auto blocks = m_db->prepare(QStringLiteral("SELECT sum(count) FROM metric_blocks WHERE run_id = ? AND key = ?"));
        blocks->bind(1, m_run).bind(2, key);
        QVERIFY(blocks->next());
        QCOMPARE(blocks->int64(0), qint64(expected.size()));
        // Step order over the whole history, as the charts read it.
        auto chart = decimatedHistory(*m_db, m_run, key, 1 << 20);
        QVERIFY(chart.isOk());
        QCOMPARE(chart->size(), expected.size());
        for (int i = 1; i < chart->size(); ++i)
            QVERIFY(chart->at(i - 1).step < chart->at(i).step);
        qint64 last = std::numeric_limits<qint64>::min();
        for (auto it = expected.constBegin(); it != expected.constEnd(); ++it)
            last = qMax(last, it.key());
        auto run = TrackingStore(*m_db).run(m_run);
        QVERIFY(run.isOk());
        bool found = false;
        for (const Metric &m : run->metrics)
            if (m.key == key) {
                found = true;
                QCOMPARE(m.step, last);
                QCOMPARE(m.value, expected.value(last));
            }
        QVERIFY2(found, qPrintable(key + QStringLiteral(" has no latest value")));
    }

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

    // Each writer remembers the newest block of a series (its "tail") and rewrites that block; a
    // second writer on the same run and key used to overwrite the other's points in it (600 of
    // 1,000 points survived). Now each commit checks the tail against the database first.
    //
    // Two writers open on one run, taking turns: each logs and flushes, five rounds.
    void twoWritersTakingTurnsOnOneRunKeepEveryPoint()
    {
        auto a = MetricWriter::open(m_path);
        auto b = MetricWriter::open(m_path);
        QVERIFY(a.isOk() && b.isOk());
        QHash<qint64, double> expected;
        qint64 n = 0;
        for (int round = 0; round < 5; ++round, n += 100) {
            for (int w = 0; w < 2; ++w) {
                MetricWriter &writer = w == 0 ? **a : **b;
                for (qint64 i = n; i < n + 100; ++i) {
                    const MetricPoint p = sharedPoint(w, i);
                    writer.log(m_run, QStringLiteral("loss"), p);
                    expected.insert(p.step, p.value);
                }
                QVERIFY(writer.flush().isOk());
            }
        }
        QVERIFY((*a)->close().isOk());
        QVERIFY((*b)->close().isOk());
        QCOMPARE(*metricPointCount(*m_db, m_run, QStringLiteral("loss")), qint64(expected.size()));
        checkSharedHistory(QStringLiteral("loss"), expected);
    }

    // Two writers on two threads logging into the same run and keys at the same time, flushing
    // every 250 points (they meet after each round so that both are writing in every round),
    // plus a key each writer has to itself.
    void twoWritersAtOnceOnOneRunKeepEveryPoint()
    {
        constexpr int kRounds = 12;
        constexpr int kPerRound = 250;
        Rendezvous rendezvous;
        Status errors[2] = {Status::ok(), Status::ok()};
        auto work = [&](int w) {
            auto writer = MetricWriter::open(m_path, 20);
            if (!writer) {
                errors[w] = writer.status();
                return;
            }
            const QString own = QStringLiteral("own_%1").arg(w);
            for (int round = 0; round < kRounds; ++round) {
                for (qint64 i = qint64(round) * kPerRound; i < qint64(round + 1) * kPerRound; ++i) {
                    (*writer)->log(m_run, QStringLiteral("loss"), sharedPoint(w, i));
                    (*writer)->log(m_run, own, {i, 1700000000000LL + i, double(i)});
                }
                if (const Status s = (*writer)->flush(); !s && errors[w].isOk())
                    errors[w] = s;
                rendezvous.arriveAndWait();
            }
            if (const Status s = (*writer)->close(); !s && errors[w].isOk())
                errors[w] = s;
        };
        std::thread first(work, 0), second(work, 1);
        first.join();
        second.join();
        QVERIFY2(errors[0].isOk(), qPrintable(errors[0].message()));
        QVERIFY2(errors[1].isOk(), qPrintable(errors[1].message()));

        QHash<qint64, double> shared, own;
        for (int w = 0; w < 2; ++w)
            for (qint64 i = 0; i < kRounds * kPerRound; ++i) {
                const MetricPoint p = sharedPoint(w, i);
                shared.insert(p.step, p.value);
                own.insert(i, double(i));
            }
        // Series only one writer writes are whole.
        checkSharedHistory(QStringLiteral("own_0"), own);
        checkSharedHistory(QStringLiteral("own_1"), own);
        QCOMPARE(*metricPointCount(*m_db, m_run, QStringLiteral("loss")), qint64(shared.size()));
        checkSharedHistory(QStringLiteral("loss"), shared);
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
