// orrery-cli train as a user runs it: the demo's fraud data end to end with tracking; bad input
// exits 2 with the reason and records no run; a run killed with SIGKILL resumes from its
// checkpoint to the same result as an uninterrupted run; two data-parallel ranks over Gloo on
// 127.0.0.1 (--nproc 2, and by hand with --rank/--world-size/--master) match one process with
// the combined batch.

#include "core/common/random.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>

namespace {

using Run = orrery::testing::ProcessResult;
using orrery::testing::git;
using orrery::testing::writeFile;

// Training (and two Gloo ranks) takes longer than the default timeout on a loaded 2-core machine.
Run cli(const QStringList &args, const QString &cwd = QString())
{
    orrery::testing::ProcessOptions options;
    options.workingDirectory = cwd;
    options.timeoutMs = 240000;
    return orrery::testing::runCli(args, options);
}

QByteArray tabularCsv(int rows, quint64 seed)
{
    orrery::common::Random rnd(seed);
    QByteArray csv = "x1,x2,colour,label\n";
    const char *colours[] = {"red", "green", "blue"};
    for (int i = 0; i < rows; ++i) {
        const double x1 = rnd.normal(), x2 = rnd.normal(5, 2);
        const int c = int(rnd.below(3));
        const int label = 1.5 * x1 + 0.8 * (x2 - 5) + (c == 0 ? 1.0 : -0.5) + rnd.normal(0, 0.7) > 0 ? 1 : 0;
        csv += QByteArray::number(x1, 'g', 10) + ',' + QByteArray::number(x2, 'g', 10) + ',' + colours[c] + ',' + QByteArray::number(label) + '\n';
    }
    return csv;
}

QJsonObject lastJson(const QString &out)
{
    const QStringList lines = out.trimmed().split(QLatin1Char('\n'));
    return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

// The number of tracked runs. Stops the test when `runs list` fails: a count of 0 from a listing
// that did not happen would make "no run was recorded" pass by accident.
int runCount(const QString &ws)
{
    const Run r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--workspace"), ws});
    QJsonParseError error;
    const QJsonDocument runs = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    if (!r.ok() || !runs.isArray())
        qFatal("cannot count the runs: %s", qPrintable(r.describe()));
    return int(runs.array().size());
}

} // namespace

class TstCliTrain : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(QFileInfo(QStringLiteral(ORRERY_CLI_PATH)).absolutePath() + QStringLiteral("/orrery-train")))
            QFAIL("orrery-train is not built next to orrery-cli");
        m_ws = m_dir.filePath(QStringLiteral("demo"));
        const Run demo = cli({QStringLiteral("demo"), m_ws});
        QVERIFY2(demo.code == 0, qPrintable(demo.err));
    }

    void trainsTheDemoFraudData()
    {
        writeFile(m_ws + QStringLiteral("/train.yaml"),
              "task: classification\n"
              "data:\n  path: data/transactions.csv\n  label: is_fraud\n  drop: [transaction_id, timestamp, customer_id]\n  slice: channel\n"
              "model:\n  hidden: [32, 16]\n  batch_norm: true\n"
              "optimizer:\n  name: adamw\n  lr: 0.003\n  schedule: cosine\n"
              "training:\n  epochs: 1\n  batch_size: 256\n  seed: 1\n  class_weights: balanced\n"
              "tracking:\n  experiment: fraud\n");
        const Run r = cli({QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--json")}, m_ws);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = lastJson(r.out);
        const QString runId = o.value(QStringLiteral("run_id")).toString();
        QCOMPARE(runId.size(), 32);
        QVERIFY(QFile::exists(o.value(QStringLiteral("model_path")).toString()));
        QVERIFY(o.value(QStringLiteral("model_artifact")).toString().endsWith(runId + QStringLiteral("/artifacts/model/model.pt")));
        // Nothing of the run is left for git to see: the working folder is under .orrery/tmp.
        QCOMPARE(git(m_ws, {QStringLiteral("status"), QStringLiteral("--porcelain"), QStringLiteral(".orrery")}), QString());
        const QJsonObject validation = o.value(QStringLiteral("validation")).toObject();
        QVERIFY(validation.value(QStringLiteral("overall")).toObject().value(QStringLiteral("roc_auc")).toDouble() > 0.9);
        QVERIFY(validation.value(QStringLiteral("slices")).toObject().contains(QStringLiteral("online")));
        const Run show = cli({QStringLiteral("runs"), QStringLiteral("show"), runId, QStringLiteral("--json")}, m_ws);
        QVERIFY2(show.code == 0, qPrintable(show.err));
        QVERIFY2(show.out.contains("FINISHED"), qPrintable(show.out));
    }

    // The pipeline's way to a TorchScript model's scores: train --export writes the model as a
    // file, `predict` scores a CSV with it (preprocessing inside), `stage evaluate --scores` turns
    // the scores into metrics. Checked against the training run's own figures and a closed form.
    void exportPredictEvaluate()
    {
        const QString dir = m_dir.filePath(QStringLiteral("scoring"));
        QVERIFY(QDir().mkpath(dir));
        writeFile(dir + QStringLiteral("/train.csv"), tabularCsv(600, 11));
        const QByteArray holdout = tabularCsv(300, 12);
        writeFile(dir + QStringLiteral("/test.csv"), holdout);
        writeFile(dir + QStringLiteral("/train.yaml"), "task: classification\ndata:\n  path: train.csv\n  label: label\n"
                                                   "model:\n  hidden: [8]\ntraining:\n  epochs: 5\n  batch_size: 32\n  seed: 5\n");
        const Run trained = cli({QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--output"), QStringLiteral("out"),
                                 QStringLiteral("--export"), QStringLiteral("models")}, dir);
        QVERIFY2(trained.code == 0, qPrintable(trained.err));
        QVERIFY(QFile::exists(dir + QStringLiteral("/models/model.pt")));

        const Run scored = cli({QStringLiteral("predict"), QStringLiteral("models/model.pt"), QStringLiteral("--input"), QStringLiteral("test.csv"),
                                QStringLiteral("--output"), QStringLiteral("scores.csv")}, dir);
        QVERIFY2(scored.code == 0, qPrintable(scored.err));
        QFile scores(dir + QStringLiteral("/scores.csv"));
        QVERIFY(scores.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = scores.readAll().trimmed().split('\n');
        QCOMPARE(lines.first(), QByteArray("p_0,p_1"));
        QCOMPARE(lines.size(), 301); // one row of scores per input row, in order
        std::vector<double> p1;
        for (int i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cells = lines[i].split(',');
            QCOMPARE(cells.size(), 2);
            QVERIFY(std::fabs(cells[0].toDouble() + cells[1].toDouble() - 1.0) < 1e-5);
            p1.push_back(cells[1].toDouble());
        }
        // ROC-AUC in closed form (the share of positive/negative pairs ranked right) against
        // what evaluate computes from the same scores.
        const QList<QByteArray> rows = holdout.trimmed().split('\n');
        double pairs = 0, right = 0;
        for (int i = 1; i < rows.size(); ++i)
            for (int j = 1; j < rows.size(); ++j)
                if (rows[i].endsWith(",1") && rows[j].endsWith(",0")) {
                    pairs += 1;
                    right += p1[size_t(i - 1)] > p1[size_t(j - 1)] ? 1.0 : p1[size_t(i - 1)] == p1[size_t(j - 1)] ? 0.5 : 0.0;
                }
        const Run evaluated = cli({QStringLiteral("stage"), QStringLiteral("evaluate"), QStringLiteral("--scores"), QStringLiteral("scores.csv"),
                                   QStringLiteral("--input"), QStringLiteral("test.csv"), QStringLiteral("--label"), QStringLiteral("label"),
                                   QStringLiteral("--metrics"), QStringLiteral("metrics.json")}, dir);
        QVERIFY2(evaluated.code == 0, qPrintable(evaluated.err));
        QFile metrics(dir + QStringLiteral("/metrics.json"));
        QVERIFY(metrics.open(QIODevice::ReadOnly));
        const double auc = QJsonDocument::fromJson(metrics.readAll()).object().value(QStringLiteral("roc_auc")).toDouble();
        QVERIFY2(std::fabs(auc - right / pairs) < 1e-9, qPrintable(QStringLiteral("%1 vs %2").arg(auc).arg(right / pairs)));
        QVERIFY(auc > 0.8);

        // Bad input: a missing column is named; a file that is no TorchScript archive is refused;
        // scores of another file are refused by evaluate. Nothing is written.
        writeFile(dir + QStringLiteral("/short.csv"), "x1,colour,label\n1,red,0\n");
        Run bad = cli({QStringLiteral("predict"), QStringLiteral("models/model.pt"), QStringLiteral("--input"), QStringLiteral("short.csv"),
                       QStringLiteral("--output"), QStringLiteral("bad.csv")}, dir);
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("x2"), qPrintable(bad.err));
        QVERIFY(!QFile::exists(dir + QStringLiteral("/bad.csv")));
        bad = cli({QStringLiteral("predict"), QStringLiteral("train.csv"), QStringLiteral("--input"), QStringLiteral("test.csv"),
                   QStringLiteral("--output"), QStringLiteral("bad.csv")}, dir);
        QCOMPARE(bad.code, 2);
        QVERIFY(!QFile::exists(dir + QStringLiteral("/bad.csv")));
        bad = cli({QStringLiteral("stage"), QStringLiteral("evaluate"), QStringLiteral("--scores"), QStringLiteral("scores.csv"),
                   QStringLiteral("--input"), QStringLiteral("train.csv"), QStringLiteral("--label"), QStringLiteral("label"),
                   QStringLiteral("--metrics"), QStringLiteral("bad.json")}, dir);
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("300 scores but the input has 600 rows"), qPrintable(bad.err));
    }

    void badInputExitsTwoAndRecordsNoRun_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("expected");
        const QByteArray good = tabularCsv(100, 1);
        const QByteArray base = "task: classification\ndata:\n  path: bad.csv\n  label: label\n";
        QTest::newRow("lr 0") << QByteArray(base + "optimizer:\n  lr: 0\n") << good << QStringList() << "optimizer.lr must be greater than 0";
        QTest::newRow("batch 0") << QByteArray(base + "training:\n  batch_size: 0\n") << good << QStringList() << "batch_size must be at least 1";
        QTest::newRow("layers") << QByteArray(base + "model:\n  hidden: [" + QByteArray("4,").repeated(100) + "4]\n") << good << QStringList() << "at most 64";
        QTest::newRow("no label column") << QByteArray(base).replace("label: label", "label: target") << good << QStringList() << "no column 'target'";
        QTest::newRow("non-numeric") << base << QByteArray(good).replace(good.split('\n')[3], "0.5,x,red,1") << QStringList() << "bad.csv:4";
        QTest::newRow("empty") << base << QByteArray("x1,x2,colour,label\n") << QStringList() << "empty";
        QTest::newRow("single class") << base << QByteArray("x1,x2,colour,label\n1,2,red,1\n2,3,blue,1\n3,4,red,1\n") << QStringList() << "single class";
        QTest::newRow("garbage checkpoint") << base << good << QStringList{QStringLiteral("--resume-from"), QStringLiteral("bad.csv")}
                                            << "not a LibTorch archive";
        QTest::newRow("unknown run") << base << good << QStringList{QStringLiteral("--resume"), QStringLiteral("0123456789abcdef0123456789abcdef")}
                                     << "no run";
        QTest::newRow("bad master") << base << good << QStringList{QStringLiteral("--rank"), QStringLiteral("0"), QStringLiteral("--world-size"),
                                                                   QStringLiteral("2"), QStringLiteral("--master"), QStringLiteral("nowhere")}
                                    << "HOST:PORT";
    }
    void badInputExitsTwoAndRecordsNoRun()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QByteArray, csv);
        QFETCH(QStringList, extra);
        QFETCH(QString, expected);
        writeFile(m_ws + QStringLiteral("/bad.yaml"), yaml);
        writeFile(m_ws + QStringLiteral("/bad.csv"), csv);
        const int before = runCount(m_ws);
        const Run r = cli(QStringList{QStringLiteral("train"), QStringLiteral("bad.yaml")} + extra, m_ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QCOMPARE(runCount(m_ws), before);
    }

    void killedRunResumesToTheSameResult()
    {
        const QString dir = m_dir.filePath(QStringLiteral("resume"));
        QVERIFY(cli({QStringLiteral("init"), dir}).code == 0);
        writeFile(dir + QStringLiteral("/data.csv"), tabularCsv(1200, 2));
        writeFile(dir + QStringLiteral("/train.yaml"),
              "task: classification\ndata:\n  path: data.csv\n  label: label\n"
              "model:\n  hidden: [16]\n  dropout: 0.2\n"
              "training:\n  epochs: 3\n  batch_size: 32\n  seed: 3\n  checkpoint_every: 10\n");
        const Run full = cli({QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--json")}, dir);
        QVERIFY2(full.code == 0, qPrintable(full.err));

        QProcessEnvironment slow = QProcessEnvironment::systemEnvironment();
        slow.insert(QStringLiteral("ORRERY_TRAIN_STEP_DELAY_MS"), QStringLiteral("50")); // 90 steps: 4.5 s to catch it
        QProcess p;
        p.setProcessEnvironment(slow);
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--json")});
        QVERIFY(p.waitForStarted());
        // Wait for the second checkpoint, then kill -9.
        QString checkpoint;
        for (int i = 0; i < 600 && checkpoint.isEmpty(); ++i) {
            QThread::msleep(50);
            QDirIterator it(dir + QStringLiteral("/.orrery/tmp/train"), {QStringLiteral("step-20.pt")}, QDir::Files, QDirIterator::Subdirectories);
            if (it.hasNext())
                checkpoint = it.next();
        }
        QVERIFY(!checkpoint.isEmpty());
        p.kill();
        p.waitForFinished();
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        const QString runId = QFileInfo(checkpoint).dir().absolutePath().section(QLatin1Char('/'), -2, -2); // …/train/<run>/checkpoints
        QCOMPARE(runId.size(), 32);
        const Run resumed = cli({QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--json"), QStringLiteral("--resume"), runId}, dir);
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        const QJsonObject a = lastJson(full.out), b = lastJson(resumed.out);
        QCOMPARE(b.value(QStringLiteral("run_id")).toString(), runId);
        QCOMPARE(b.value(QStringLiteral("steps")), a.value(QStringLiteral("steps")));
        QCOMPARE(b.value(QStringLiteral("final_train_loss")), a.value(QStringLiteral("final_train_loss")));
        QCOMPARE(b.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")),
                 a.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")));
    }

    void twoGlooRanksMatchOneProcessWithTheCombinedBatch()
    {
        const QString dir = m_dir.filePath(QStringLiteral("ddp"));
        QVERIFY(cli({QStringLiteral("init"), dir}).code == 0);
        writeFile(dir + QStringLiteral("/data.csv"), tabularCsv(1000, 4));
        const QByteArray yaml = "task: classification\ndata:\n  path: data.csv\n  label: label\n"
                                "model:\n  hidden: [16]\noptimizer:\n  lr: 0.01\n"
                                "training:\n  epochs: 3\n  batch_size: BATCH\n  seed: 9\n";
        writeFile(dir + QStringLiteral("/one.yaml"), QByteArray(yaml).replace("BATCH", "64"));
        writeFile(dir + QStringLiteral("/two.yaml"), QByteArray(yaml).replace("BATCH", "32"));
        const Run one = cli({QStringLiteral("train"), QStringLiteral("one.yaml"), QStringLiteral("--json")}, dir);
        QVERIFY2(one.code == 0, qPrintable(one.err));
        const Run two = cli({QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"), QStringLiteral("--nproc"), QStringLiteral("2")}, dir);
        QVERIFY2(two.code == 0, qPrintable(two.err));
        const QJsonObject a = lastJson(one.out), b = lastJson(two.out);
        QCOMPARE(b.value(QStringLiteral("steps")).toInt(), a.value(QStringLiteral("steps")).toInt());
        const double la = a.value(QStringLiteral("final_train_loss")).toDouble(), lb = b.value(QStringLiteral("final_train_loss")).toDouble();
        QVERIFY2(std::abs(la - lb) < 1e-4, qPrintable(QStringLiteral("%1 vs %2").arg(la).arg(lb)));
        const QJsonObject va = a.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
        const QJsonObject vb = b.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
        for (const QString &k : {QStringLiteral("log_loss"), QStringLiteral("roc_auc"), QStringLiteral("accuracy")})
            QVERIFY2(std::abs(va.value(k).toDouble() - vb.value(k).toDouble()) < 1e-4,
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(k).arg(va.value(k).toDouble()).arg(vb.value(k).toDouble())));

        // The same by hand, torchrun-style: two processes with --rank/--world-size/--master.
        const QString port = QString::number(29500 + QCoreApplication::applicationPid() % 2000);
        QProcess r1;
        r1.setWorkingDirectory(dir);
        r1.start(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--rank"), QStringLiteral("1"),
                                                   QStringLiteral("--world-size"), QStringLiteral("2"), QStringLiteral("--master"), QStringLiteral("127.0.0.1:") + port});
        const Run r0 = cli({QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"), QStringLiteral("--rank"), QStringLiteral("0"),
                            QStringLiteral("--world-size"), QStringLiteral("2"), QStringLiteral("--master"), QStringLiteral("127.0.0.1:") + port},
                           dir);
        QVERIFY(r1.waitForFinished(120000));
        QVERIFY2(r0.code == 0, qPrintable(r0.err));
        QCOMPARE(r1.exitStatus(), QProcess::NormalExit); // a crash has no meaningful exit code
        QCOMPARE(r1.exitCode(), 0);
        QCOMPARE(lastJson(r0.out).value(QStringLiteral("final_train_loss")).toDouble(), lb);
    }

    void usageErrors()
    {
        QCOMPARE(cli({QStringLiteral("train")}, m_ws).code, 2);
        QCOMPARE(cli({QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--nproc"), QStringLiteral("0")}, m_ws).code, 2);
        QCOMPARE(cli({QStringLiteral("train"), QStringLiteral("--help")}, m_ws).code, 0);
        const Run missing = cli({QStringLiteral("train"), QStringLiteral("nope.yaml")}, m_ws);
        QCOMPARE(missing.code, 2);
        QVERIFY(missing.err.contains("nope.yaml"));
    }
};

QTEST_GUILESS_MAIN(TstCliTrain)
#include "tst_cli_train.moc"
