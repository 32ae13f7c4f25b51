// orrery-cli merge as a user runs it between two branches of a real git repository, for the
// cases the demo pipeline's merge test (tst_cli_pipeline, which needs LibTorch) does not reach: a
// branch whose params.yaml and dvc.yaml changes are the only ones since the merge base — the most
// common merge of all — must bring those changes in and say what it wrote (--json), and a merge
// over uncommitted edits is refused without touching them.
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using Run = orrery::testing::ProcessResult;
using orrery::testing::git;
using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {
const QByteArray kParams = "train:\n  lr: 0.1\n  epochs: 10\n";
const QByteArray kPipeline = "stages:\n  train:\n    cmd: python train.py\n    params: [train.lr]\n";
} // namespace

class TstCliMerge : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    // A workspace whose `feature` branch changed train.lr and the train stage's command since the
    // base; main has not touched either file since.
    QString featureAheadOfMain()
    {
        const QString ws = m_dir.filePath(QStringLiteral("ws%1").arg(++m_n));
        const Run init = runCli({QStringLiteral("init"), ws});
        if (!init.ok())
            qFatal("%s", qPrintable(init.describe()));
        writeFile(ws + QStringLiteral("/params.yaml"), kParams);
        writeFile(ws + QStringLiteral("/dvc.yaml"), kPipeline);
        git(ws, {QStringLiteral("add"), QStringLiteral("-A")});
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("base")});
        git(ws, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("feature")});
        writeFile(ws + QStringLiteral("/params.yaml"), QByteArray(kParams).replace("lr: 0.1", "lr: 0.2"));
        writeFile(ws + QStringLiteral("/dvc.yaml"), QByteArray(kPipeline).replace("python train.py", "python train.py --fast"));
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("faster, higher lr")});
        git(ws, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        writeFile(ws + QStringLiteral("/README.md"), "main moved on, elsewhere\n");
        git(ws, {QStringLiteral("add"), QStringLiteral("README.md")});
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("docs")});
        return ws;
    }

private Q_SLOTS:
    // The most common merge: only their side changed the files since the base. (It used to print
    // "nothing to merge" and write nothing: the whole-document take was not listed.)
    void theirChangesAloneAreMergedIn()
    {
        const QString ws = featureAheadOfMain();
        const Run r = runCli({QStringLiteral("merge"), QStringLiteral("feature"), QStringLiteral("--json")}, ws);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY2(o.value(QStringLiteral("merged")).toBool(), qPrintable(r.out));
        QCOMPARE(readFile(ws + QStringLiteral("/params.yaml")), QByteArray(kParams).replace("lr: 0.1", "lr: 0.2"));
        QVERIFY(readFile(ws + QStringLiteral("/dvc.yaml")).contains("python train.py --fast"));
        QStringList written;
        for (const QJsonValue &v : o.value(QStringLiteral("written")).toArray())
            written << v.toString();
        written.sort();
        QCOMPARE(written, (QStringList{QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml")}));
    }

    void uncommittedEditsAreNeverOverwritten()
    {
        const QString ws = featureAheadOfMain();
        const QByteArray edit = QByteArray(kParams).replace("epochs: 10", "epochs: 99");
        writeFile(ws + QStringLiteral("/params.yaml"), edit);
        const Run r = runCli({QStringLiteral("merge"), QStringLiteral("feature")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("params.yaml has uncommitted changes")), qPrintable(r.describe()));
        QCOMPARE(readFile(ws + QStringLiteral("/params.yaml")), edit);
        QCOMPARE(readFile(ws + QStringLiteral("/dvc.yaml")), kPipeline);
    }

    void unknownBranchExitsTwo()
    {
        const QString ws = featureAheadOfMain();
        const Run r = runCli({QStringLiteral("merge"), QStringLiteral("no-such-branch")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("'no-such-branch' is not a branch, tag or commit")), qPrintable(r.describe()));
        QCOMPARE(readFile(ws + QStringLiteral("/params.yaml")), kParams);
    }
};

QTEST_GUILESS_MAIN(TstCliMerge)
#include "tst_cli_merge.moc"
