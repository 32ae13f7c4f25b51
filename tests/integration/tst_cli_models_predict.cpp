// orrery-cli models register + predict NAME@ALIAS / NAME/VERSION / models:/… with the demo's real
// TorchScript model (the pipeline trains it with orrery-train, a few seconds): the run is found
// from the file's md5, the scores equal those of the file itself, a model whose signature was
// beside the original file is served with it, promote / demote once a version is validated.
#include "core/registry/model_registry.h"
#include "core/workspace/workspace.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

class TstCliModelsPredict : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QByteArray m_fileScores;

    Run cli(QStringList args) { return runCli(args, m_ws); }

    QJsonObject jsonObject(const Run &r)
    {
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }

    QByteArray predict(const QString &model, const QString &output)
    {
        const Run r = cli({QStringLiteral("predict"), model, QStringLiteral("--input"), QStringLiteral("work/test.csv"), QStringLiteral("--output"), output});
        if (!r.ok()) {
            qWarning("%s", qPrintable(r.describe()));
            return QByteArray();
        }
        return readFile(m_ws + QLatin1Char('/') + output);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(readFile(m_ws + QStringLiteral("/models/model.pt")).startsWith("PK"));
        m_fileScores = predict(QStringLiteral("models/model.pt"), QStringLiteral("file.csv")); // a file is a file, as before
        QVERIFY(m_fileScores.startsWith("p_0,p_1\n"));
    }

    void thePipelinesRegisteredChampionIsServed()
    {
        // The demo ends with the register stage: fraud v1 is the champion (first version rule).
        QCOMPARE(predict(QStringLiteral("fraud@champion"), QStringLiteral("pipeline.csv")), m_fileScores);
        const Run r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--json")});
        const QJsonObject v = jsonObject(r);
        QCOMPARE(v.value(QStringLiteral("validation")).toString(), QStringLiteral("passed"));
        QVERIFY(!v.value(QStringLiteral("gate_outcomes")).toArray().isEmpty());
        QVERIFY(!v.value(QStringLiteral("parent_run_id")).toString().isEmpty());
    }

    void registerFindsTheRunAndPredictResolvesAliasesAndVersions()
    {
        const QJsonObject v = jsonObject(cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("scorer"), QStringLiteral("--file"),
                                              QStringLiteral("models/model.pt"), QStringLiteral("--json")}));
        QCOMPARE(v.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(v.value(QStringLiteral("format")).toString(), QStringLiteral("torchscript"));
        QCOMPARE(v.value(QStringLiteral("servable")).toBool(), true);
        QVERIFY(!v.value(QStringLiteral("run_id")).toString().isEmpty()); // runOfModelFile(md5)
        QVERIFY(!v.value(QStringLiteral("signature")).toObject().value(QStringLiteral("inputs")).toArray().isEmpty());
        const QString run = v.value(QStringLiteral("run_id")).toString();

        // The same run, named: its logged model/model.pt is the same file.
        const QJsonObject v2 = jsonObject(cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("scorer"), QStringLiteral("--run"), run,
                                               QStringLiteral("--json")}));
        QCOMPARE(v2.value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(v2.value(QStringLiteral("model_md5")).toString(), v.value(QStringLiteral("model_md5")).toString());
        QCOMPARE(v2.value(QStringLiteral("source")).toString(), QStringLiteral("runs:/%1/model/model.pt").arg(run));

        QCOMPARE(cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("scorer"), QStringLiteral("staging"), QStringLiteral("2")}).code, 0);
        QCOMPARE(predict(QStringLiteral("scorer/1"), QStringLiteral("v1.csv")), m_fileScores);
        QCOMPARE(predict(QStringLiteral("scorer@staging"), QStringLiteral("staging.csv")), m_fileScores);
        QCOMPARE(predict(QStringLiteral("models:/scorer/2"), QStringLiteral("uri.csv")), m_fileScores);
        QCOMPARE(predict(QStringLiteral("models:/scorer@staging"), QStringLiteral("urialias.csv")), m_fileScores);
    }

    void aSignatureBesideTheOriginalFileIsServed()
    {
        // A TorchScript archive without extra/signature.json (as Python writes one without
        // _extra_files), its signature in FILE.signature.json beside it.
        const QByteArray archive = readFile(m_ws + QStringLiteral("/models/model.pt"));
        const QString dir = m_dir.filePath(QStringLiteral("python"));
        QDir().mkpath(dir);
        writeFile(dir + QStringLiteral("/model.pt"), archive);
        const Run strip = testing::run(QStringLiteral("/usr/bin/python3"),
                                       {QStringLiteral("-c"),
                                        QStringLiteral("import zipfile,sys\n"
                                                       "src,dst,sig=sys.argv[1:4]\n"
                                                       "zin=zipfile.ZipFile(src)\n"
                                                       "with zipfile.ZipFile(dst,'w',zipfile.ZIP_STORED) as z:\n"
                                                       "    for n in zin.namelist():\n"
                                                       "        if n.endswith('extra/signature.json'): open(sig,'wb').write(zin.read(n))\n"
                                                       "        else: z.writestr(n, zin.read(n))\n"),
                                        dir + QStringLiteral("/model.pt"), dir + QStringLiteral("/python.pt"), dir + QStringLiteral("/python.pt.signature.json")});
        QVERIFY2(strip.ok(), qPrintable(strip.describe()));
        const QJsonObject v = jsonObject(cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("python"), QStringLiteral("--file"),
                                              dir + QStringLiteral("/python.pt"), QStringLiteral("--json")}));
        QCOMPARE(v.value(QStringLiteral("servable")).toBool(), true);
        QCOMPARE(predict(QStringLiteral("python/1"), QStringLiteral("python.csv")), m_fileScores);
        QVERIFY(QFile::exists(m_ws + QStringLiteral("/.orrery/tmp/predict/") + v.value(QStringLiteral("model_md5")).toString() + QStringLiteral("/model.pt.signature.json")));
    }

    void promoteAndDemoteAValidatedVersion()
    {
        // The register stage validates; here the registry core records a pass for v1 and v2.
        {
            auto ws = workspace::Workspace::open(m_ws);
            QVERIFY(ws.isOk());
            registry::ModelRegistry reg((*ws)->database());
            QVERIFY(reg.setValidation(QStringLiteral("scorer"), 1, registry::Validation::Passed, {}).isOk());
            QVERIFY(reg.setValidation(QStringLiteral("scorer"), 2, registry::Validation::Passed, {}).isOk());
        }
        Run r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("scorer"), QStringLiteral("--version"), QStringLiteral("1"),
                     QStringLiteral("--reason"), QStringLiteral("first")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("scorer"), QStringLiteral("--version"), QStringLiteral("2"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(jsonObject(r).value(QStringLiteral("previous_champion")).toInt(), 1);
        r = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        QJsonObject scorer;
        for (const QJsonValue &m : QJsonDocument::fromJson(r.out.toUtf8()).array())
            if (m.toObject().value(QStringLiteral("name")).toString() == QLatin1String("scorer"))
                scorer = m.toObject();
        QCOMPARE(scorer.value(QStringLiteral("champion")).toInt(), 2);
        QCOMPARE(predict(QStringLiteral("scorer@champion"), QStringLiteral("champion.csv")), m_fileScores);
        r = cli({QStringLiteral("models"), QStringLiteral("demote"), QStringLiteral("scorer"), QStringLiteral("--reason"), QStringLiteral("rollback"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(jsonObject(r).value(QStringLiteral("champion")).toInt(), 1);
        r = cli({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("scorer"), QStringLiteral("--alias"), QStringLiteral("champion"), QStringLiteral("--json")});
        const QJsonArray moves = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(moves.size(), 3);
        QCOMPARE(moves.last().toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("rollback"));
        r = cli({QStringLiteral("models"), QStringLiteral("archive"), QStringLiteral("scorer"), QStringLiteral("1")});
        QCOMPARE(r.code, 2); // the champion is not archived
        QVERIFY2(r.err.contains(QStringLiteral("champion")), qPrintable(r.err));
    }

    // The register stage on its own, with no data test report: a model that requires data tests
    // (the default) fails that gate by name, recorded; once the model's gates say data tests are
    // not required (`models gates --no-data-tests`), the stage keeps that setting — even when given
    // a report — and the next version passes: as the first passing version, the champion.
    void registerStageKeepsTheModelsDataTestSetting()
    {
        const QStringList stage{QStringLiteral("stage"), QStringLiteral("register"), QStringLiteral("--model"), QStringLiteral("models/model.pt"),
                                QStringLiteral("--name"), QStringLiteral("nodata"), QStringLiteral("--metrics"), QStringLiteral("reports/metrics.json"),
                                QStringLiteral("--report"), QStringLiteral("nodata.json")};
        Run r = cli(stage);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no data test result")), qPrintable(r.describe()));
        QJsonObject report = QJsonDocument::fromJson(readFile(m_ws + QStringLiteral("/nodata.json"))).object();
        QCOMPARE(report.value(QStringLiteral("validation")).toString(), QStringLiteral("failed"));
        QVERIFY(report.value(QStringLiteral("aliases")).toArray().isEmpty());

        r = cli({QStringLiteral("models"), QStringLiteral("gates"), QStringLiteral("nodata"), QStringLiteral("--no-data-tests")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // With a report given now, the stage checks it but does not turn the requirement back on.
        r = cli(stage + QStringList{QStringLiteral("--validation"), QStringLiteral("reports/validation.json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        report = QJsonDocument::fromJson(readFile(m_ws + QStringLiteral("/nodata.json"))).object();
        QCOMPARE(report.value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(report.value(QStringLiteral("aliases")).toArray(), QJsonArray{QStringLiteral("champion")});
        r = cli({QStringLiteral("models"), QStringLiteral("gates"), QStringLiteral("nodata"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("\"require_data_tests\": false")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TstCliModelsPredict)
#include "tst_cli_models_predict.moc"
