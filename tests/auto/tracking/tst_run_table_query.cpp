// The queries behind the Experiments table: the in-memory metric sort (sortRunIdsByMetric) gives
// exactly the order of the SQL sort (orderedRunIds with a join), which is an independent
// implementation of the same rule: values ascending or descending, ties in the default order,
// NaN and missing values last. Over runs with ties, ±Inf, NaN, missing values, runs of another
// experiment, a filtered subset and a run id that is not ASCII.
#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_table_query.h"
#include "core/tracking/tracking_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace orrery;
using namespace orrery::tracking;

class TstRunTableQuery : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    QString m_experiment;
    QString m_other;

    RunTableQuery query(const QString &filter = QString()) const
    {
        RunTableQuery q;
        q.experimentIds = {m_experiment};
        q.filter = filter;
        return q;
    }

    QStringList sqlSorted(RunTableQuery q, const QString &key, bool descending)
    {
        q.sorted = true;
        q.sortColumn = {RunColumn::Metric, key};
        q.descending = descending;
        auto ids = orderedRunIds(*m_db, q);
        return ids ? *ids : QStringList{QStringLiteral("<error> ") + ids.status().message()};
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString path = m_dir.filePath(QStringLiteral("t.db"));
        store::OpenOptions o;
        o.create = true;
        m_db = std::move(*store::Database::open(path, o));
        TrackingStore t(*m_db);
        m_experiment = *t.createExperiment(QStringLiteral("sweep"));
        m_other = *t.createExperiment(QStringLiteral("other"));
        auto w = MetricWriter::open(path);
        QVERIFY(w.isOk());
        // Few distinct values, so that ties are common; some runs share a start time, so that the
        // default order's tie-break (the id) matters too.
        const double inf = std::numeric_limits<double>::infinity();
        const double values[] = {0.5, 0.25, 0.5, inf, -inf, std::nan(""), 0.0, -0.0, 1e300, 0.25};
        std::mt19937 rng(7);
        for (int i = 0; i < 400; ++i) {
            const bool other = i % 9 == 0;
            auto run = t.createRun(other ? m_other : m_experiment, QStringLiteral("r%1").arg(i), 1700000000000 + (i / 3) * 1000);
            QVERIFY(run.isOk());
            QVERIFY(t.logParam(run->runId, {QStringLiteral("arm"), QString::number(i % 4)}).isOk());
            const int pick = int(rng() % 12);
            if (pick < 10) // 10, 11: no value
                (*w)->log(run->runId, QStringLiteral("score"), {0, 1, values[pick]});
            (*w)->log(run->runId, QStringLiteral("loss"), {0, 1, double(rng() % 1000) / 7.0});
        }
        QVERIFY((*w)->close().isOk());
        // A run whose id is not ASCII (ids come from clients too), with a value of its own.
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO runs(id, experiment_id, name, user_id, status, start_time, heartbeat_time, artifact_uri) "
                                          "VALUES ('lauf-ü-😀', %1, 'unicode', 'u', 'FINISHED', 1700000500000, 1700000500000, '')").arg(m_experiment)).isOk());
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO latest_metrics(run_id, key, value, timestamp, step) VALUES ('lauf-ü-😀', 'score', 0.3, 1, 0)")).isOk());
    }

    void metricSortInMemoryMatchesTheSqlSort_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("descending");
        for (const bool d : {false, true}) {
            const char *dir = d ? "desc" : "asc";
            QTest::addRow("score %s", dir) << QString() << QStringLiteral("score") << d;
            QTest::addRow("loss %s", dir) << QString() << QStringLiteral("loss") << d;
            QTest::addRow("score of a filtered subset %s", dir) << QStringLiteral("params.arm = '1'") << QStringLiteral("score") << d;
            QTest::addRow("a key nobody logged %s", dir) << QString() << QStringLiteral("nope") << d;
        }
    }
    void metricSortInMemoryMatchesTheSqlSort()
    {
        QFETCH(QString, filter);
        QFETCH(QString, key);
        QFETCH(bool, descending);
        auto base = orderedRunIds(*m_db, query(filter));
        QVERIFY(base.isOk());
        QVERIFY(base->size() > 50);
        auto sorted = sortRunIdsByMetric(*m_db, *base, key, descending);
        QVERIFY(sorted.isOk());
        QCOMPARE(*sorted, sqlSorted(query(filter), key, descending));
    }

    void metricSortPutsNanAndMissingLastAndKeepsTies()
    {
        auto base = orderedRunIds(*m_db, query());
        QVERIFY(base.isOk());
        QVERIFY(base->contains(QStringLiteral("lauf-ü-😀")));
        QHash<QString, int> position;
        for (int i = 0; i < base->size(); ++i)
            position.insert((*base)[i], i);
        auto runs = runRows(*m_db, *base, {{RunColumn::Metric, QStringLiteral("score")}});
        QVERIFY(runs.isOk());
        QHash<QString, QVariant> value;
        for (const RunRow &r : *runs)
            value.insert(r.info.runId, r.values[0]);
        QCOMPARE(value.value(QStringLiteral("lauf-ü-😀")).toDouble(), 0.3);
        for (const bool descending : {false, true}) {
            auto sorted = sortRunIdsByMetric(*m_db, *base, QStringLiteral("score"), descending);
            QVERIFY(sorted.isOk());
            QCOMPARE(sorted->size(), base->size());
            bool sawMissing = false;
            for (int i = 0; i < sorted->size(); ++i) {
                const QVariant v = value.value((*sorted)[i]);
                const bool missing = !v.isValid() || std::isnan(v.toDouble());
                QVERIFY2(!sawMissing || missing, "a value after a missing one");
                sawMissing = sawMissing || missing;
                if (i == 0)
                    continue;
                const QVariant p = value.value((*sorted)[i - 1]);
                if (missing || !p.isValid() || std::isnan(p.toDouble())) {
                    if (missing && (!p.isValid() || std::isnan(p.toDouble()))) // both missing: default order
                        QVERIFY(position[(*sorted)[i - 1]] < position[(*sorted)[i]]);
                    continue;
                }
                const double a = p.toDouble(), b = v.toDouble();
                QVERIFY(descending ? a >= b : a <= b);
                if (a == b) // ties (0.0 and -0.0 too) in the default order
                    QVERIFY(position[(*sorted)[i - 1]] < position[(*sorted)[i]]);
            }
            QVERIFY(sawMissing);
        }
        // Infinities at the ends, before the missing ones.
        auto ascending = sortRunIdsByMetric(*m_db, *base, QStringLiteral("score"), false);
        QCOMPARE(value.value(ascending->first()).toDouble(), -std::numeric_limits<double>::infinity());
    }

    void idsOutsideTheListAreIgnoredAndUnknownIdsKept()
    {
        // Runs of the other experiment have the key too: they must not appear. An id of no run
        // stays, with the runs that miss the metric.
        QStringList ids = *orderedRunIds(*m_db, query(QStringLiteral("params.arm = '2'")));
        ids << QStringLiteral("no-such-run");
        auto sorted = sortRunIdsByMetric(*m_db, ids, QStringLiteral("loss"), false);
        QVERIFY(sorted.isOk());
        QCOMPARE(sorted->size(), ids.size());
        QCOMPARE(sorted->last(), QStringLiteral("no-such-run"));
        QStringList a = *sorted, b = ids;
        a.sort();
        b.sort();
        QCOMPARE(a, b);
        QVERIFY(sortRunIdsByMetric(*m_db, {}, QStringLiteral("loss"), true)->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstRunTableQuery)
#include "tst_run_table_query.moc"
