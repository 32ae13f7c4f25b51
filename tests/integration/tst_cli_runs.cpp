// orrery-cli runs list | show | diff | export over runs written through the tracking core.
#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"
#include "core/workspace/workspace.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::runCli;

class TstCliRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_a, m_b;

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        QVERIFY(workspace::Workspace::init(m_ws).isOk());
        auto ws = workspace::Workspace::open(m_ws);
        tracking::TrackingStore t((*ws)->database());
        const QString exp = *t.createExperiment(QStringLiteral("fraud"));
        auto a = t.createRun(exp, QStringLiteral("baseline"));
        auto b = t.createRun(exp, QStringLiteral("=cmd|' /C calc'!A0")); // a name a spreadsheet would run
        m_a = a->runId;
        m_b = b->runId;
        QVERIFY(t.logParam(m_a, {QStringLiteral("lr"), QStringLiteral("0.01")}).isOk());
        QVERIFY(t.logParam(m_b, {QStringLiteral("lr"), QStringLiteral("0.1")}).isOk());
        auto w = tracking::MetricWriter::open((*ws)->databasePath());
        (*w)->log(m_a, QStringLiteral("auc"), {1, 1, 0.91});
        (*w)->log(m_b, QStringLiteral("auc"), {1, 1, 0.87});
        QVERIFY((*w)->close().isOk());
        const tracking::RunStatus finished = tracking::RunStatus::Finished;
        QVERIFY(t.updateRun(m_a, &finished, 1700000001000, QString()).isOk());
        auto ma = tracking::captureManifest(m_ws, {{QStringLiteral("data/x.csv"), QStringLiteral("aaaa")}}, {{QStringLiteral("torch"), 42}});
        auto mb = tracking::captureManifest(m_ws, {{QStringLiteral("data/x.csv"), QStringLiteral("bbbb")}}, {{QStringLiteral("torch"), 7}});
        QVERIFY(ma.isOk() && mb.isOk());
        QVERIFY(tracking::saveManifest((*ws)->database(), m_a, *ma).isOk());
        QVERIFY(tracking::saveManifest((*ws)->database(), m_b, *mb).isOk());
    }

    void listFiltersAndJson()
    {
        const Run r = runCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--workspace"), m_ws, QStringLiteral("--filter"),
                           QStringLiteral("metrics.auc > 0.9"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonArray runs = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().toObject().value(QStringLiteral("run_id")).toString(), m_a);
        QCOMPARE(runs.first().toObject().value(QStringLiteral("metrics")).toObject().value(QStringLiteral("auc")).toDouble(), 0.91);
        const Run bad = runCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--workspace"), m_ws, QStringLiteral("--filter"),
                             QStringLiteral("metrics.auc >")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("column")), qPrintable(bad.err));
        const Run text = runCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--workspace"), m_ws, QStringLiteral("--order-by"),
                              QStringLiteral("metrics.auc ASC")});
        QCOMPARE(text.code, 0);
        QVERIFY(text.out.indexOf(m_b.left(8)) < text.out.indexOf(m_a.left(8)));
    }

    void showPrintsTheManifestByPrefix()
    {
        const Run r = runCli({QStringLiteral("runs"), QStringLiteral("show"), m_a.left(6), QStringLiteral("--workspace"), m_ws});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("lr = 0.01")));
        QVERIFY(r.out.contains(QStringLiteral("Code     commit")));
        QVERIFY(r.out.contains(QStringLiteral("Seed     torch = 42")));
        QVERIFY(r.out.contains(QStringLiteral("SQLite")));
        const Run json = runCli({QStringLiteral("runs"), QStringLiteral("show"), m_a, QStringLiteral("--workspace"), m_ws, QStringLiteral("--json")});
        const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QVERIFY(o.value(QStringLiteral("manifest")).toObject().value(QStringLiteral("code")).toObject().value(QStringLiteral("dirty")).toBool());
        QCOMPARE(runCli({QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("ffffffff"), QStringLiteral("--workspace"), m_ws}).code, 2);
    }

    void diffShowsParamsMetricsDataAndSeeds()
    {
        const Run r = runCli({QStringLiteral("runs"), QStringLiteral("diff"), m_a, m_b, QStringLiteral("--workspace"), m_ws, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QStringList keys;
        for (const auto &d : QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("differences")).toArray())
            keys << d.toObject().value(QStringLiteral("key")).toString();
        for (const char *k : {"params.lr", "metrics.auc", "data.data/x.csv", "seeds.torch"})
            QVERIFY2(keys.contains(QLatin1String(k)), qPrintable(keys.join(QLatin1Char(' '))));
        QVERIFY(!keys.contains(QStringLiteral("code.commit"))); // same code
    }

    void exportIsSpreadsheetSafeCsv()
    {
        const QString csv = m_dir.filePath(QStringLiteral("runs.csv"));
        const Run r = runCli({QStringLiteral("runs"), QStringLiteral("export"), QStringLiteral("--workspace"), m_ws, QStringLiteral("--output"), csv});
        QCOMPARE(r.code, 0);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QVERIFY(content.startsWith("run_id,run_name,experiment_id,status,start_time,end_time,params.lr,metrics.auc\n"));
        QVERIFY2(content.contains("\"'=cmd|' /C calc'!A0\""), content.constData()); // formula kept as text
        QVERIFY(content.contains("0.91"));
    }
};

QTEST_GUILESS_MAIN(TstCliRuns)
#include "tst_cli_runs.moc"
