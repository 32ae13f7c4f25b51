// orrery-cli run / stage / merge as a CI job and a user run them: the demo's fraud pipeline end to
// end (its register stage making the first version champion, a retrained one challenger, a failing
// one recorded with why), exit statuses (0, 1 for a failed data test or gate, 2 for errors), a
// crash mid-run that the next run recovers from, and a three-way merge of dvc.yaml and params.yaml
// between branches.
#include "tests/support/test_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <unistd.h>

using Run = orrery::testing::ProcessResult;
using orrery::testing::git;
using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {
QJsonObject stageJson(const QJsonObject &report, const QString &name)
{
    for (const auto &v : report.value(QStringLiteral("stages")).toArray())
        if (v.toObject().value(QStringLiteral("name")).toString() == name)
            return v.toObject();
    return {};
}
} // namespace

class TstCliPipeline : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_demo;

private Q_SLOTS:
    void initTestCase()
    {
        m_demo = m_dir.filePath(QStringLiteral("demo"));
        const Run r = runCli({QStringLiteral("demo"), m_demo});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(m_demo + QStringLiteral("/dvc.yaml")));
    }

    void demoPipelineRunsOutOfTheBox()
    {
        Run r = runCli({QStringLiteral("run"), QStringLiteral("--json")}, m_demo);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(report.value(QStringLiteral("passed")).toBool());
        for (const char *s : {"load", "validate", "split", "train", "predict", "evaluate", "register"})
            QCOMPARE(stageJson(report, QString::fromLatin1(s)).value(QStringLiteral("state")).toString(), QStringLiteral("ran"));
        QVERIFY(readFile(m_demo + QStringLiteral("/dvc.lock")).startsWith("schema: '2.0'\nstages:\n  load:\n    cmd: orrery-cli stage load"));
        const QJsonObject metrics = QJsonDocument::fromJson(readFile(m_demo + QStringLiteral("/reports/metrics.json"))).object();
        QVERIFY2(metrics.value(QStringLiteral("roc_auc")).toDouble() > 0.85, qPrintable(QString::number(metrics.value(QStringLiteral("roc_auc")).toDouble())));
        QVERIFY(QJsonDocument::fromJson(readFile(m_demo + QStringLiteral("/reports/roc.json"))).isArray());
        // The register stage made the model's first version, which passed its gates: the champion.
        const QJsonObject registered = QJsonDocument::fromJson(readFile(m_demo + QStringLiteral("/reports/register.json"))).object();
        QVERIFY2(registered.value(QStringLiteral("passed")).toBool(), qPrintable(QString::fromUtf8(QJsonDocument(registered).toJson())));
        QCOMPARE(registered.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(registered.value(QStringLiteral("aliases")).toArray(), QJsonArray{QStringLiteral("champion")});
        // As dvc repro: the cached outs are ignored by git, and the run names what to commit;
        // after adding those and the metrics, git sees nothing left over from the run.
        QStringList toTrack;
        for (const QJsonValue &v : report.value(QStringLiteral("to_track")).toArray())
            toTrack << v.toString();
        QVERIFY2(toTrack.contains(QStringLiteral("dvc.lock")) && toTrack.contains(QStringLiteral("work/.gitignore"))
                     && toTrack.contains(QStringLiteral("models/.gitignore")), qPrintable(toTrack.join(QLatin1Char(' '))));
        git(m_demo, QStringList{QStringLiteral("add")} + toTrack + QStringList{QStringLiteral("reports")});
        const QString leftOver = git(m_demo, {QStringLiteral("status"), QStringLiteral("--porcelain"), QStringLiteral("--untracked-files=all")});
        QVERIFY2(!leftOver.contains(QStringLiteral("?? ")), qPrintable(leftOver));

        // Nothing changed: every stage is skipped.
        r = runCli({QStringLiteral("run")}, m_demo);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("0 ran, 7 up to date")), qPrintable(r.out));
        r = runCli({QStringLiteral("run"), QStringLiteral("--dry-run")}, m_demo);
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("dry run: 0 ran, 7 up to date")));

        // The pipeline and each stage are tracked runs.
        r = runCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")}, m_demo);
        QCOMPARE(r.code, 0);
        QStringList names;
        for (const auto &v : QJsonDocument::fromJson(r.out.toUtf8()).array())
            names << v.toObject().value(QStringLiteral("run_name")).toString();
        QVERIFY2(names.contains(QStringLiteral("pipeline")) && names.contains(QStringLiteral("train")), qPrintable(names.join(QLatin1Char(','))));
        // The train stage trained the LibTorch MLP: its own tracked run, with the model it exported.
        QVERIFY2(names.contains(QStringLiteral("fraud-mlp")), qPrintable(names.join(QLatin1Char(','))));
        QVERIFY(readFile(m_demo + QStringLiteral("/models/model.pt")).startsWith("PK"));
    }

    // Retrained with another learning rate: the new version is scored against the champion on the
    // same held-out rows (both through orrery-cli predict). Allowed to be a little worse
    // (register.min_improvement -1), it passes and becomes challenger; the champion stays.
    void aSecondPassingVersionBecomesChallenger()
    {
        const QByteArray train = readFile(m_demo + QStringLiteral("/train.yaml"));
        const QByteArray params = readFile(m_demo + QStringLiteral("/params.yaml"));
        QVERIFY(train.contains("lr: 0.003"));
        writeFile(m_demo + QStringLiteral("/train.yaml"), QByteArray(train).replace("lr: 0.003", "lr: 0.01"));
        writeFile(m_demo + QStringLiteral("/params.yaml"), QByteArray(params).replace("min_improvement: 0.0", "min_improvement: -1.0"));
        const Run r = runCli({QStringLiteral("run")}, m_demo);
        // Both stay changed: the tests after this one expect nothing to retrain and the register
        // stage to pass when their own change is undone.
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const QJsonObject registered = QJsonDocument::fromJson(readFile(m_demo + QStringLiteral("/reports/register.json"))).object();
        QCOMPARE(registered.value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(registered.value(QStringLiteral("aliases")).toArray(), QJsonArray{QStringLiteral("challenger")});
        QString comparison;
        for (const QJsonValue &c : registered.value(QStringLiteral("checks")).toArray())
            if (c.toObject().value(QStringLiteral("gate")).toString().startsWith(QLatin1String("beats the champion")))
                comparison = c.toObject().value(QStringLiteral("explanation")).toString();
        QVERIFY2(comparison.contains(QLatin1String("vs champion v1's")) && comparison.contains(QLatin1String("work/test.csv")), qPrintable(comparison));

        // Its lineage reaches the dataset version although load, validate and split were skipped
        // this time (they ran in the first pipeline run), and holds nothing made after training.
        const Run shown = runCli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("2"),
                                  QStringLiteral("--json")},
                                 m_demo);
        QCOMPARE(shown.code, 0);
        QMap<QString, QString> data;
        for (const QJsonValue &d : QJsonDocument::fromJson(shown.out.toUtf8()).object().value(QStringLiteral("lineage")).toObject().value(QStringLiteral("data")).toArray())
            data.insert(d.toObject().value(QStringLiteral("path")).toString(), d.toObject().value(QStringLiteral("md5")).toString());
        const QByteArray dvcFile = readFile(m_demo + QStringLiteral("/data/transactions.csv.dvc"));
        const QString datasetMd5 = QString::fromUtf8(dvcFile.mid(dvcFile.indexOf("md5: ") + 5, 32));
        QVERIFY2(data.value(QStringLiteral("data/transactions.csv")) == datasetMd5, qPrintable(QStringList(data.keys()).join(QLatin1Char(' '))));
        QVERIFY(data.contains(QStringLiteral("work/train.csv")));
        QVERIFY(data.contains(QStringLiteral("train.yaml")));
        QVERIFY2(!data.contains(QStringLiteral("work/scores.csv")) && !data.contains(QStringLiteral("models/model.pt")), qPrintable(QStringList(data.keys()).join(QLatin1Char(' '))));
    }

    void failingGateExitsOneAndSaysWhy()
    {
        const QByteArray params = readFile(m_demo + QStringLiteral("/params.yaml"));
        writeFile(m_demo + QStringLiteral("/params.yaml"), QByteArray(params).replace("roc_auc >= 0.85", "roc_auc >= 0.9999"));
        const Run r = runCli({QStringLiteral("run")}, m_demo);
        writeFile(m_demo + QStringLiteral("/params.yaml"), params);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("stage 'register' failed its checks")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("needs >= 0.9999")), qPrintable(r.err));
        // Recorded anyway, with why, and not promoted.
        const QJsonObject registered = QJsonDocument::fromJson(readFile(m_demo + QStringLiteral("/reports/register.json"))).object();
        QCOMPARE(registered.value(QStringLiteral("validation")).toString(), QStringLiteral("failed"));
        QVERIFY(registered.value(QStringLiteral("aliases")).toArray().isEmpty());
        QVERIFY2(r.err.contains(QStringLiteral("fraud v%1 not promoted").arg(registered.value(QStringLiteral("version")).toInt())), qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("skipped   train")), qPrintable(r.out));
    }

    void failingDataTestExitsOneAndStopsTheRest()
    {
        const QString data = m_demo + QStringLiteral("/data/transactions.csv");
        const QByteArray original = readFile(data);
        QByteArray bad = original;
        bad += "T9999999,2026-02-01T00:00:00Z,C00001,-5.00,casino,pos,US,1.0,40,100,0,0\n";
        writeFile(data, bad);
        const Run r = runCli({QStringLiteral("run"), QStringLiteral("--json")}, m_demo);
        writeFile(data, original);
        QCOMPARE(r.code, 1);
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(stageJson(report, QStringLiteral("validate")).value(QStringLiteral("state")).toString(), QStringLiteral("check_failed"));
        QCOMPARE(stageJson(report, QStringLiteral("split")).value(QStringLiteral("state")).toString(), QStringLiteral("not_run"));
        QVERIFY2(r.err.contains(QStringLiteral("column 'merchant_category' breaks 'allowed_values'")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("column 'amount' breaks 'min'")), qPrintable(r.err));
        // Back to the versioned data: load's out comes from the run cache, training is not redone
        // (only the uncached reports the failed checks rewrote are made again).
        const Run again = runCli({QStringLiteral("run")}, m_demo);
        QCOMPARE(again.code, 0);
        QVERIFY2(again.out.contains(QStringLiteral("restored  load")), qPrintable(again.out));
        QVERIFY2(again.out.contains(QStringLiteral("skipped   train")), qPrintable(again.out));
    }

    void stageCommandAndErrors()
    {
        Run r = runCli({QStringLiteral("stage"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("validate")) && r.out.contains(QStringLiteral("gate")));
        r = runCli({QStringLiteral("stage"), QStringLiteral("train"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("baseline logistic regression")));
        r = runCli({QStringLiteral("stage"), QStringLiteral("nope")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("unknown stage type 'nope'")));
        r = runCli({QStringLiteral("stage"), QStringLiteral("gate"), QStringLiteral("--metrics"), QStringLiteral("reports/metrics.json"), QStringLiteral("--rules"), QStringLiteral("recall >= 1.01")}, m_demo);
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("needs >= 1.01")));

        const QString ws = m_dir.filePath(QStringLiteral("bad"));
        QVERIFY(runCli({QStringLiteral("init"), ws}).code == 0);
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  a:\n    cmd: touch a\n    deps: [b]\n    outs: [a]\n  b:\n    cmd: touch b\n    deps: [a]\n    outs: [b]\n");
        r = runCli({QStringLiteral("run")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("cycle: a -> b -> a")), qPrintable(r.err));
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  a:\n    cmd: sleep 30\n    outs: [a]\n");
        QElapsedTimer t;
        t.start();
        r = runCli({QStringLiteral("run"), QStringLiteral("--timeout"), QStringLiteral("0.5")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY(t.elapsed() < 25000); // the 0.5 s timeout ended the stage's sleep 30
        QVERIFY2(r.err.contains(QStringLiteral("stage 'a' failed: took longer than the stage timeout")), qPrintable(r.err));
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  a:\n    cmd: exit 0\n    outs: [a]\n");
        r = runCli({QStringLiteral("run")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("did not write its out 'a'")), qPrintable(r.err));
    }

    // A crash (kill -9) in the middle of a stage: what finished stays in dvc.lock, the interrupted
    // stage's half-written out is never taken for a result, and the next run resumes.
    void crashMidRunResumes()
    {
        const QString ws = m_dir.filePath(QStringLiteral("crash"));
        QVERIFY(runCli({QStringLiteral("init"), ws}).code == 0);
        writeFile(ws + QStringLiteral("/second.sh"),
              "echo $$ > second.pid\n"
              "printf partial > second.txt\n"
              "if [ ! -e crashed-once ]; then touch crashed-once; sleep 30; fi\n"
              "printf ' and complete' >> second.txt\n");
        writeFile(ws + QStringLiteral("/dvc.yaml"), R"(stages:
  first:
    cmd: echo one > first.txt
    outs: [first.txt]
  second:
    cmd: sh second.sh
    deps: [first.txt, second.sh]
    outs: [second.txt, {second.pid: {cache: false}}]
  third:
    cmd: cat second.txt > third.txt
    deps: [second.txt]
    outs: [third.txt]
)");
        QProcess p;
        p.setWorkingDirectory(ws);
        p.start(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("run"), QStringLiteral("--jobs"), QStringLiteral("1")});
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(ws + QStringLiteral("/crashed-once")), 20000);
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished(5000);
        // A power cut takes the stage's processes too.
        const pid_t stagePid = pid_t(readFile(ws + QStringLiteral("/second.pid")).trimmed().toLongLong());
        QVERIFY(stagePid > 0);
        const pid_t group = ::getpgid(stagePid);
        QVERIFY(group > 1 && group != ::getpgrp());
        ::kill(-group, SIGKILL);
        QCOMPARE(readFile(ws + QStringLiteral("/second.txt")), QByteArray("partial"));
        const QByteArray lock = readFile(ws + QStringLiteral("/dvc.lock"));
        QVERIFY2(lock.contains("  first:") && !lock.contains("  second:"), lock.constData());

        const Run r = runCli({QStringLiteral("run")}, ws);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(QStringLiteral("skipped   first")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("ran       second")), qPrintable(r.out));
        QCOMPARE(readFile(ws + QStringLiteral("/second.txt")), QByteArray("partial and complete"));
        QCOMPARE(readFile(ws + QStringLiteral("/third.txt")), QByteArray("partial and complete"));
    }

    void mergeCombinesAndListsConflicts()
    {
        const QString ws = m_dir.filePath(QStringLiteral("merge"));
        QVERIFY(runCli({QStringLiteral("init"), ws}).code == 0);
        writeFile(ws + QStringLiteral("/params.yaml"), "train:\n  lr: 0.1\n  epochs: 10\n");
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  prep:\n    cmd: prep\n  train:\n    cmd: train --lr ${train.lr}\n    params: [train.lr]\n");
        git(ws, {QStringLiteral("add"), QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml")});
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("base")});
        git(ws, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("feature")});
        writeFile(ws + QStringLiteral("/params.yaml"), "train:\n  lr: 0.2\n  epochs: 20\n");
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  prep:\n    cmd: prep --fast\n  train:\n    cmd: train --lr ${train.lr}\n    params: [train.lr]\n");
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("feature")});
        git(ws, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        writeFile(ws + QStringLiteral("/params.yaml"), "train:\n  lr: 0.05\n  epochs: 10\n");
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  prep:\n    cmd: prep\n  train:\n    cmd: train --lr ${train.lr} --verbose\n    params: [train.lr]\n");
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("main")});
        const QByteArray oursParams = readFile(ws + QStringLiteral("/params.yaml"));
        const QByteArray oursPipeline = readFile(ws + QStringLiteral("/dvc.yaml"));

        Run r = runCli({QStringLiteral("merge"), QStringLiteral("feature")}, ws);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("CONFLICT params.yaml: train.lr")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("ours:   0.05")) && r.out.contains(QStringLiteral("theirs: 0.2")), qPrintable(r.out));
        QVERIFY(r.err.contains(QStringLiteral("nothing was written")));
        QCOMPARE(readFile(ws + QStringLiteral("/params.yaml")), oursParams);
        QCOMPARE(readFile(ws + QStringLiteral("/dvc.yaml")), oursPipeline);

        r = runCli({QStringLiteral("merge"), QStringLiteral("feature"), QStringLiteral("--resolve"), QStringLiteral("train.lr=ours"), QStringLiteral("--json")}, ws);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QByteArray params = readFile(ws + QStringLiteral("/params.yaml"));
        QVERIFY2(params.contains("lr: 0.05") && params.contains("epochs: 20"), params.constData());
        const QByteArray pipeline = readFile(ws + QStringLiteral("/dvc.yaml"));
        QVERIFY2(pipeline.contains("cmd: prep --fast") && pipeline.contains("--verbose"), pipeline.constData());

        r = runCli({QStringLiteral("merge"), QStringLiteral("no-such-branch")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("uncommitted changes")) || r.err.contains(QStringLiteral("no-such-branch")));
    }
};

QTEST_GUILESS_MAIN(TstCliPipeline)
#include "tst_cli_pipeline.moc"
