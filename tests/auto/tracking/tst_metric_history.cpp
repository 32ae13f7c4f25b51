#include "core/store/database.h"
#include "core/tracking/metric_history.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace orrery;
using namespace orrery::tracking;

class TstMetricHistory : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    QString m_run;
    QVector<MetricPoint> m_points; // what was logged: the oracle

private Q_SLOTS:
    void initTestCase()
    {
        const QString path = m_dir.filePath(QStringLiteral("h.db"));
        store::OpenOptions o;
        o.create = true;
        m_db = std::move(*store::Database::open(path, o));
        m_run = TrackingStore(*m_db).createRun(QStringLiteral("0"))->runId;
        auto w = MetricWriter::open(path);
        // 300,000 points of a noisy sine with a few sharp spikes that decimation must keep.
        for (int i = 0; i < 300000; ++i) {
            double v = std::sin(i / 5000.0) + 0.01 * double((qint64(i) * 7919) % 101 - 50) / 50.0;
            if (i == 123457)
                v = 50.0;
            if (i == 200001)
                v = -40.0;
            m_points.append({i, 1700000000000 + i, v});
            (*w)->log(m_run, QStringLiteral("loss"), m_points.last());
        }
        QVERIFY((*w)->close().isOk());
    }

    void minMaxKeepsExtremesAndBoundsPoints()
    {
        for (int maxPoints : {2000, 500, 64}) {
            auto d = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), maxPoints);
            QVERIFY(d.isOk());
            QVERIFY2(d->size() <= maxPoints, qPrintable(QString::number(d->size())));
            // Every bucket contributes its minimum and maximum (one point where they coincide):
            // 293 blocks of 4,688 segments fill 1,000 buckets as well as 32.
            QVERIFY2(d->size() >= maxPoints * 95 / 100, qPrintable(QString::number(d->size())));
            const auto [lo, hi] = std::minmax_element(d->begin(), d->end(), [](auto &a, auto &b) { return a.value < b.value; });
            QCOMPARE(hi->value, 50.0);
            QCOMPARE(hi->step, qint64(123457));
            QCOMPARE(lo->value, -40.0);
            QCOMPARE(lo->step, qint64(200001));
            for (int i = 1; i < d->size(); ++i)
                QVERIFY(d->at(i - 1).step <= d->at(i).step);
        }
    }

    void everyBucketsExtremesAreExact()
    {
        // Against the in-memory oracle: the decimated series' values are real points, and the
        // minimum and maximum over any range of whole buckets match the raw data.
        auto d = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), 1000);
        QVERIFY(d.isOk());
        for (const MetricPoint &p : *d) {
            QCOMPARE(p.value, m_points[int(p.step)].value);
            QCOMPARE(p.timestamp, m_points[int(p.step)].timestamp); // charts with wall time on x
        }
        const double rawMin = std::min_element(m_points.begin(), m_points.end(), [](auto &a, auto &b) { return a.value < b.value; })->value;
        const double decMin = std::min_element(d->begin(), d->end(), [](auto &a, auto &b) { return a.value < b.value; })->value;
        QCOMPARE(decMin, rawMin);
    }

    void zoomedRangeRedecimates()
    {
        StepRange r{100000, 130000};
        auto d = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), 400, Decimation::MinMax, r);
        QVERIFY(d.isOk());
        QVERIFY(d->size() <= 400);
        for (const MetricPoint &p : *d)
            QVERIFY(p.step >= 100000 && p.step <= 130000);
        QVERIFY(std::any_of(d->begin(), d->end(), [](const MetricPoint &p) { return p.step == 123457 && p.value == 50.0; }));
        // A small range returns every point.
        auto all = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), 400, Decimation::MinMax, {1000, 1099});
        QCOMPARE(all->size(), 100);
    }

    void everyRangeGetsThePointsAskedFor()
    {
        // From a few blocks (points read) through segments to whole blocks: never fewer points
        // than asked for when the range holds more, and each range's extremes exact.
        const QVector<StepRange> ranges = {{0, 15999}, {5000, 70000}, {0, 99999}, {1234, 250000}, {0, 299999}};
        for (const StepRange &r : ranges) {
            auto d = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), 2000, Decimation::MinMax, r);
            QVERIFY(d.isOk());
            const QString where = QStringLiteral("range %1..%2: %3 points").arg(r.from).arg(r.to).arg(d->size());
            QVERIFY2(d->size() <= 2000 && d->size() >= 1900, qPrintable(where));
            const auto first = m_points.begin() + r.from, last = m_points.begin() + r.to + 1;
            const auto byValue = [](const MetricPoint &a, const MetricPoint &b) { return a.value < b.value; };
            const auto [rawLo, rawHi] = std::minmax_element(first, last, byValue);
            const auto [lo, hi] = std::minmax_element(d->begin(), d->end(), byValue);
            QVERIFY2(lo->value == rawLo->value && hi->value == rawHi->value, qPrintable(where));
            for (const MetricPoint &p : *d)
                QVERIFY2(p.step >= r.from && p.step <= r.to, qPrintable(where));
        }
    }

    void blocksFromBeforeSegmentsReadTheSame()
    {
        // Workspaces from before schema 5 have no segments and no timestamps of extremes: their
        // blocks are read point by point and give the same answer.
        auto w = MetricWriter::open(m_db->path());
        for (const MetricPoint &p : m_points)
            (*w)->log(m_run, QStringLiteral("legacy"), p);
        QVERIFY((*w)->close().isOk());
        auto s = m_db->prepare(QStringLiteral("UPDATE metric_blocks SET min_time = NULL, max_time = NULL WHERE key = 'legacy'"));
        QVERIFY(s && s->run().isOk());
        auto d = m_db->prepare(QStringLiteral("DELETE FROM metric_segments WHERE key = 'legacy'"));
        QVERIFY(d && d->run().isOk());
        for (int maxPoints : {2000, 64}) {
            auto now = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), maxPoints);
            auto old = decimatedHistory(*m_db, m_run, QStringLiteral("legacy"), maxPoints);
            QVERIFY(now.isOk() && old.isOk());
            QCOMPARE(old->size(), now->size());
            for (int i = 0; i < now->size(); ++i) {
                QCOMPARE(old->at(i).step, now->at(i).step);
                QCOMPARE(old->at(i).timestamp, now->at(i).timestamp);
            }
        }
    }

    void lttbKeepsEndsAndBound()
    {
        auto d = decimatedHistory(*m_db, m_run, QStringLiteral("loss"), 300, Decimation::Lttb);
        QVERIFY(d.isOk());
        QVERIFY(d->size() <= 300);
        const QVector<MetricPoint> small = m_points.mid(0, 5000);
        const QVector<MetricPoint> l = decimateLttb(small, 100);
        QCOMPARE(l.size(), 100);
        QCOMPARE(l.first().step, qint64(0));
        QCOMPARE(l.last().step, qint64(4999));
    }

    void closedFormMinMaxCase()
    {
        // 10 points, 2 buckets → 4 points: bucket [0..4] min 0 at 0, max 4 at 4; same for [5..9].
        QVector<MetricPoint> p;
        for (int i = 0; i < 10; ++i)
            p.append({i, i, double(i % 5)});
        const QVector<MetricPoint> d = decimateMinMax(p, 4);
        QCOMPARE(d.size(), 4);
        QCOMPARE(d[0].step, qint64(0));
        QCOMPARE(d[1].step, qint64(4));
        QCOMPARE(d[2].step, qint64(5));
        QCOMPARE(d[3].step, qint64(9));
    }
};

QTEST_GUILESS_MAIN(TstMetricHistory)
#include "tst_metric_history.moc"
