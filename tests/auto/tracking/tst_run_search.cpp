#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_search.h"
#include "core/tracking/tracking_store.h"

#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::tracking;

class TstRunSearch : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    QStringList m_ids; // runs r0…r5 in creation order
    QString m_experiment;

    QStringList names(const QString &filter, const QStringList &orderBy = {}, ViewType view = ViewType::ActiveOnly)
    {
        RunQuery q;
        q.filter = filter;
        q.orderBy = orderBy;
        q.view = view;
        auto page = searchRuns(*m_db, q);
        if (!page) {
            qWarning("%s", qPrintable(page.status().message()));
            return {QStringLiteral("<error>")};
        }
        QStringList n;
        for (const Run &r : page->runs)
            n << r.info.runName;
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString path = m_dir.filePath(QStringLiteral("s.db"));
        store::OpenOptions o;
        o.create = true;
        m_db = std::move(*store::Database::open(path, o));
        TrackingStore t(*m_db);
        m_experiment = *t.createExperiment(QStringLiteral("search"));
        auto w = MetricWriter::open(path);
        // r0..r5: auc 0.80 … 0.95 (r5 has none), lr alternating, statuses mixed, start times increasing.
        const double aucs[] = {0.80, 0.85, 0.90, 0.91, 0.95};
        for (int i = 0; i < 6; ++i) {
            auto run = t.createRun(m_experiment, QStringLiteral("r%1").arg(i), 1700000000000 + i * 1000,
                                   {{QStringLiteral("team"), i % 2 ? QStringLiteral("Risk") : QStringLiteral("risk")}});
            m_ids << run->runId;
            QVERIFY(t.logParam(run->runId, {QStringLiteral("lr"), i % 2 ? QStringLiteral("0.1") : QStringLiteral("0.01")}).isOk());
            QVERIFY(t.logParam(run->runId, {QStringLiteral("my-key"), QStringLiteral("v%1").arg(i)}).isOk());
            if (i < 5)
                (*w)->log(run->runId, QStringLiteral("auc"), {1, 1, aucs[i]});
            if (i >= 3) {
                const RunStatus finished = RunStatus::Finished;
                QVERIFY(t.updateRun(run->runId, &finished, 1700000100000, QString()).isOk());
            }
        }
        QVERIFY((*w)->close().isOk());
        QVERIFY(t.setRunLifecycle(m_ids[0], true).isOk()); // r0 deleted
    }

    void defaultOrderIsNewestFirstAndDeletedHidden()
    {
        QCOMPARE(names(QString()), (QStringList{QStringLiteral("r5"), QStringLiteral("r4"), QStringLiteral("r3"), QStringLiteral("r2"), QStringLiteral("r1")}));
        QCOMPARE(names(QString(), {}, ViewType::DeletedOnly), QStringList{QStringLiteral("r0")});
        QCOMPARE(names(QString(), {}, ViewType::All).size(), 6);
    }

    void filters_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("expected");
        const auto l = [](std::initializer_list<const char *> names) {
            QStringList out;
            for (const char *n : names)
                out << QString::fromLatin1(n);
            return out;
        };
        QTest::newRow("metric >") << "metrics.auc > 0.9" << l({"r4", "r3"});
        QTest::newRow("metric >=") << "metrics.auc >= 0.9" << l({"r4", "r3", "r2"});
        QTest::newRow("metric = and !=") << "metric.auc != 0.85 and metrics.auc <= 0.9" << l({"r2"});
        QTest::newRow("param =") << "params.lr = '0.01'" << l({"r4", "r2"});
        QTest::newRow("and status") << "metrics.auc > 0.9 and params.lr = '0.1' and attributes.status = 'FINISHED'" << l({"r3"});
        QTest::newRow("LIKE is case-sensitive") << "tags.team LIKE 'R%'" << l({"r5", "r3", "r1"});
        QTest::newRow("ILIKE is not") << "tags.team ILIKE 'r%'" << l({"r5", "r4", "r3", "r2", "r1"});
        QTest::newRow("quoted key") << "params.`my-key` = 'v2'" << l({"r2"});
        QTest::newRow("double-quoted tag key") << "tags.\"mlflow.runName\" = 'r1'" << l({"r1"});
        QTest::newRow("IN") << "attributes.run_name IN ('r1', 'r4', 'nope')" << l({"r4", "r1"});
        QTest::newRow("NOT IN") << "run.status NOT IN ('FINISHED')" << l({"r2", "r1"});
        QTest::newRow("start_time") << "attributes.start_time < 1700000002500" << l({"r2", "r1"});
        QTest::newRow("missing metric never matches") << "metrics.auc < 2" << l({"r4", "r3", "r2", "r1"});
    }
    void filters()
    {
        QFETCH(QString, filter);
        QFETCH(QStringList, expected);
        QCOMPARE(names(filter), expected);
    }

    void orderByMetricPutsMissingLast()
    {
        QCOMPARE(names(QString(), {QStringLiteral("metrics.auc ASC")}),
                 (QStringList{QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("r3"), QStringLiteral("r4"), QStringLiteral("r5")}));
        QCOMPARE(names(QString(), {QStringLiteral("metrics.auc DESC")}),
                 (QStringList{QStringLiteral("r4"), QStringLiteral("r3"), QStringLiteral("r2"), QStringLiteral("r1"), QStringLiteral("r5")}));
        QCOMPARE(names(QString(), {QStringLiteral("params.`my-key` ASC")}).first(), QStringLiteral("r1"));
    }

    void pagesCoverEverythingOnce()
    {
        RunQuery q;
        q.view = ViewType::All;
        q.maxResults = 4;
        QSet<QString> seen;
        int pages = 0;
        for (;;) {
            auto page = searchRuns(*m_db, q);
            QVERIFY(page.isOk());
            ++pages;
            for (const Run &r : page->runs) {
                QVERIFY(!seen.contains(r.info.runId));
                seen.insert(r.info.runId);
            }
            if (page->nextPageToken.isEmpty())
                break;
            q.pageToken = page->nextPageToken;
        }
        QCOMPARE(pages, 2);
        QCOMPARE(seen.size(), 6);
        q.pageToken = QStringLiteral("garbage");
        QCOMPARE(searchRuns(*m_db, q).status().code(), ErrorCode::InvalidArgument);
    }

    void errorsNameTheColumn_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("message");
        QTest::newRow("OR") << "metrics.a > 1 or metrics.b > 2" << "column 15";
        QTest::newRow("no operator") << "metrics.auc 0.9" << "expected a comparison operator";
        QTest::newRow("string for metric") << "metrics.auc > 'high'" << "compares with a number";
        QTest::newRow("unquoted param") << "params.lr = 0.01" << "quoted string";
        QTest::newRow("unknown prefix") << "foo.bar = 'x'" << "must start with";
        QTest::newRow("unknown attribute") << "attributes.color = 'red'" << "not a run attribute";
        QTest::newRow("unclosed quote") << "params.lr = '0.01" << "never closed";
        QTest::newRow("LIKE on metric") << "metrics.auc LIKE '1%'" << "does not apply";
    }
    void errorsNameTheColumn()
    {
        QFETCH(QString, filter);
        QFETCH(QString, message);
        QVector<QVariant> b;
        auto sql = filterToSql(filter, &b);
        QVERIFY(!sql.isOk());
        QVERIFY2(sql.status().message().contains(message), qPrintable(sql.status().message()));
        QVERIFY(sql.status().message().contains(QStringLiteral("column")));
    }
};

QTEST_GUILESS_MAIN(TstRunSearch)
#include "tst_run_search.moc"
