// Data-parallel training on the one-node Slurm cluster (tests/support/slurm_cluster.sh, started
// by the `slurm` CTest fixture; SLURM_CONF names it), as a user runs it:
// - `orrery-cli train CONFIG --slurm --nodes 1 --ntasks-per-node 2` submits one job of two tasks
//   that meet through Gloo and end with exactly the result of `--nproc 2` on this machine (same
//   steps, loss to the bit, validation metrics, model); the terminal shows the job queued and
//   running on the node; the run is tagged with the job and its node.
// - The same as a pipeline stage: executors.yaml's `nodes:` / `tasks_per_node:`, the stage's
//   command a plain `orrery-cli train CONFIG` that takes its rank from the job's variables.
// - A rank other than 0 never opens the workspace's database (it may run on another node, where
//   SQLite over NFS is unsafe): rank 1 trains beside a workspace whose database is no database.
// - A partition the cluster does not have is named before anything is submitted.
// - SIGTERM to orrery-cli while the job runs cancels the job: Slurm reports it CANCELLED.

#include "tests/support/test_support.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::writeFile;

namespace {

// Slurm's own answer, as text (what Slurm recorded, not what Orrery says).
QString slurm(const QString &program, const QStringList &args)
{
    return testing::run(program, args).out.trimmed();
}

int jobsKnown()
{
    return slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("all"), QStringLiteral("-o"), QStringLiteral("%i")})
        .split(QLatin1Char('\n'), Qt::SkipEmptyParts).size();
}

Run cli(const QStringList &args, const QString &cwd)
{
    testing::ProcessOptions options;
    options.workingDirectory = cwd;
    options.timeoutMs = 240000; // training on a loaded 2-core machine, and Slurm's scheduling
    return testing::runCli(args, options);
}

// Two numeric features and a noisy linear label (as tst_cli_train_netns): quick, the same every run.
QByteArray linearCsv(int rows)
{
    QByteArray csv = "x1,x2,label\n";
    quint64 state = 20;
    const auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state >> 11) / double(1ULL << 53);
    };
    for (int i = 0; i < rows; ++i) {
        const double x1 = next() * 4 - 2, x2 = next() * 10, noise = next() - 0.5;
        csv += QByteArray::number(x1, 'g', 10) + ',' + QByteArray::number(x2, 'g', 10) + ',' +
               (x1 + 0.3 * (x2 - 5) + noise > 0 ? "1" : "0") + '\n';
    }
    return csv;
}

QJsonObject lastJson(const QString &out)
{
    const QStringList lines = out.trimmed().split(QLatin1Char('\n'));
    return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

// The same training: steps, the loss to the bit, the validation metrics and the model's bytes.
void compareResults(const QJsonObject &got, const QJsonObject &want)
{
    QVERIFY(want.value(QStringLiteral("steps")).toInt() > 0);
    QCOMPARE(got.value(QStringLiteral("steps")).toInt(), want.value(QStringLiteral("steps")).toInt());
    QCOMPARE(got.value(QStringLiteral("final_train_loss")).toDouble(), want.value(QStringLiteral("final_train_loss")).toDouble());
    const QJsonObject vw = want.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
    const QJsonObject vg = got.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
    for (const QString &k : {QStringLiteral("log_loss"), QStringLiteral("roc_auc"), QStringLiteral("accuracy")}) {
        QVERIFY2(vw.contains(k), qPrintable(k));
        QCOMPARE(vg.value(k).toDouble(), vw.value(k).toDouble());
    }
    QCOMPARE(got.value(QStringLiteral("model_md5")).toString(), want.value(QStringLiteral("model_md5")).toString());
}

int freePort()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

} // namespace

class TestSlurmTrain : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_ws;
    QJsonObject m_local; // --nproc 2 here: what every 2-rank training must equal

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), "SLURM_CONF is not set: the `slurm` CTest fixture starts the test cluster");
        QVERIFY2(QFileInfo::exists(qEnvironmentVariable("SLURM_CONF")), qPrintable(qEnvironmentVariable("SLURM_CONF")));
        QVERIFY2(QFileInfo::exists(QFileInfo(testing::cliPath()).absolutePath() + QStringLiteral("/orrery-train")), "orrery-train is not built next to orrery-cli");
        m_ws = m_dir.filePath(QStringLiteral("ddp"));
        const Run init = cli({QStringLiteral("init"), m_ws}, QString());
        QVERIFY2(init.ok(), qPrintable(init.describe()));
        writeFile(m_ws + QStringLiteral("/data.csv"), linearCsv(1000));
        writeFile(m_ws + QStringLiteral("/two.yaml"), "task: classification\ndata:\n  path: data.csv\n  label: label\n"
                                                      "model:\n  hidden: [16]\noptimizer:\n  lr: 0.01\n"
                                                      "training:\n  epochs: 3\n  batch_size: 32\n  seed: 9\n");
        const Run local = cli({QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"), QStringLiteral("--nproc"), QStringLiteral("2")}, m_ws);
        QVERIFY2(local.ok(), qPrintable(local.describe()));
        m_local = lastJson(local.out);
    }

    void twoTasksOnSlurmMatchTwoRanksRunHere()
    {
        const Run r = cli({QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"), QStringLiteral("--slurm"), QStringLiteral("--nodes"),
                           QStringLiteral("1"), QStringLiteral("--ntasks-per-node"), QStringLiteral("2"), QStringLiteral("--cpus-per-task"), QStringLiteral("1")},
                          m_ws);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // The terminal followed the job: queued, then running on this node.
        const auto queued = QRegularExpression(QStringLiteral("queued · slurm job (\\d+)")).match(r.err);
        QVERIFY2(queued.hasMatch(), qPrintable(r.err));
        const QString id = queued.captured(1);
        const QString node = slurm(QStringLiteral("hostname"), {QStringLiteral("-s")});
        QVERIFY2(r.err.contains(QStringLiteral("running · slurm job %1 on %2").arg(id, node)), qPrintable(r.err));
        // Slurm ran one job of two tasks, and it completed.
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), id});
        QVERIFY2(record.contains(QLatin1String("JobState=COMPLETED")) && record.contains(QLatin1String("NumTasks=2")), qPrintable(record));

        // stdout is rank 0's, as with --nproc: one JSON object, the same training.
        const QJsonObject got = lastJson(r.out);
        compareResults(got, m_local);
        QVERIFY(got.value(QStringLiteral("run_id")).toString() != m_local.value(QStringLiteral("run_id")).toString());

        // The run knows where it ran.
        const Run shown = cli({QStringLiteral("runs"), QStringLiteral("show"), got.value(QStringLiteral("run_id")).toString()}, m_ws);
        QVERIFY2(shown.ok(), qPrintable(shown.describe()));
        for (const QString &tag : {QStringLiteral("orrery.executor = slurm"), QStringLiteral("orrery.job_id = ") + id,
                                   QStringLiteral("orrery.node = ") + node, QStringLiteral("orrery.world_size = 2")})
            QVERIFY2(shown.out.contains(tag), qPrintable(tag + QStringLiteral("\n") + shown.out));
    }

    void aStageOnSlurmTrainsWithTheJobsRanks()
    {
        // The stage's command names no rank: each task takes RANK/WORLD_SIZE/MASTER_* from the job.
        const QString ws = m_dir.filePath(QStringLiteral("stage"));
        QVERIFY2(cli({QStringLiteral("init"), ws}, QString()).ok(), "init");
        QFile::copy(m_ws + QStringLiteral("/data.csv"), ws + QStringLiteral("/data.csv"));
        QFile::copy(m_ws + QStringLiteral("/two.yaml"), ws + QStringLiteral("/two.yaml"));
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n"
                                                    "  fit:\n"
                                                    "    cmd: orrery-cli train two.yaml --json > result-$RANK.json\n"
                                                    "    deps:\n    - two.yaml\n    - data.csv\n"
                                                    "    outs:\n    - result-0.json\n");
        writeFile(ws + QStringLiteral("/executors.yaml"), "stages:\n  fit:\n    executor: slurm\n    nodes: 1\n    tasks_per_node: 2\n    cpus: 1\n");
        const Run r = cli({QStringLiteral("run")}, ws);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("fit running · slurm job")), qPrintable(r.describe()));
        compareResults(lastJson(QString::fromUtf8(testing::readFile(ws + QStringLiteral("/result-0.json")))), m_local);
        // Rank 1 ran too (its stdout is empty: only rank 0 speaks for the run).
        QVERIFY(QFileInfo::exists(ws + QStringLiteral("/result-1.json")));
        QCOMPARE(QFileInfo(ws + QStringLiteral("/result-1.json")).size(), 0);
    }

    void aRankOtherThanZeroNeverOpensTheDatabase()
    {
        // Rank 1 beside a workspace whose database is no SQLite file: it must not need it.
        const QString other = m_dir.filePath(QStringLiteral("nodb"));
        QVERIFY(QDir().mkpath(other + QStringLiteral("/.orrery")));
        writeFile(other + QStringLiteral("/.orrery/orrery.db"), "not a database: rank 1 must not open me\n");
        QFile::copy(m_ws + QStringLiteral("/data.csv"), other + QStringLiteral("/data.csv"));
        QFile::copy(m_ws + QStringLiteral("/two.yaml"), other + QStringLiteral("/two.yaml"));
        const QString master = QStringLiteral("127.0.0.1:%1").arg(freePort());
        QProcess rank0, rank1;
        rank0.setWorkingDirectory(m_ws);
        rank1.setWorkingDirectory(other);
        rank1.start(testing::cliPath(), {QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--rank"), QStringLiteral("1"),
                                         QStringLiteral("--world-size"), QStringLiteral("2"), QStringLiteral("--master"), master});
        rank0.start(testing::cliPath(), {QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"), QStringLiteral("--rank"), QStringLiteral("0"),
                                         QStringLiteral("--world-size"), QStringLiteral("2"), QStringLiteral("--master"), master});
        QVERIFY(rank0.waitForFinished(240000));
        QVERIFY(rank1.waitForFinished(240000));
        const QString errors = QString::fromUtf8(rank0.readAllStandardError() + "\n--- rank 1 ---\n" + rank1.readAllStandardError());
        QVERIFY2(rank1.exitStatus() == QProcess::NormalExit && rank1.exitCode() == 0, qPrintable(errors));
        QVERIFY2(rank0.exitStatus() == QProcess::NormalExit && rank0.exitCode() == 0, qPrintable(errors));
        compareResults(lastJson(QString::fromUtf8(rank0.readAllStandardOutput())), m_local);
        QCOMPARE(testing::readFile(other + QStringLiteral("/.orrery/orrery.db")), QByteArray("not a database: rank 1 must not open me\n"));
        QVERIFY(!QFileInfo::exists(other + QStringLiteral("/.orrery/orrery.db-wal")));
    }

    void anUnknownPartitionIsNamedBeforeAnythingIsSubmitted()
    {
        const int before = jobsKnown();
        const Run r = cli({QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--slurm"), QStringLiteral("--ntasks-per-node"), QStringLiteral("2"),
                           QStringLiteral("--partition"), QStringLiteral("nowhere")},
                          m_ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QLatin1String("partition 'nowhere'")) && r.err.contains(QLatin1String("debug")) && r.err.contains(QLatin1String("small")),
                 qPrintable(r.describe()));
        QCOMPARE(jobsKnown(), before);
        // A bad config is also caught here, not on the nodes.
        writeFile(m_ws + QStringLiteral("/bad.yaml"), "task: classification\ndata:\n  path: nothere.csv\n  label: label\n");
        const Run bad = cli({QStringLiteral("train"), QStringLiteral("bad.yaml"), QStringLiteral("--slurm"), QStringLiteral("--ntasks-per-node"), QStringLiteral("2")}, m_ws);
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QLatin1String("nothere.csv")), qPrintable(bad.describe()));
        QCOMPARE(jobsKnown(), before);
    }

    void sigtermCancelsTheJob()
    {
        // Slow steps (ORRERY_TRAIN_STEP_DELAY_MS, passed to the job's tasks): it runs until cancelled.
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ORRERY_TRAIN_STEP_DELAY_MS"), QStringLiteral("1000"));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(m_ws);
        p.setReadChannel(QProcess::StandardError); // what waitForReadyRead waits for: the terminal's lines
        p.start(testing::cliPath(), {QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--slurm"), QStringLiteral("--nodes"), QStringLiteral("1"),
                                     QStringLiteral("--ntasks-per-node"), QStringLiteral("2")});
        QVERIFY2(p.waitForStarted(), qPrintable(p.errorString()));
        // Until the terminal says the job runs and a rank has printed its first step.
        QString err;
        QString id;
        QDeadlineTimer deadline(180000);
        static const QRegularExpression running(QStringLiteral("running · slurm job (\\d+)"));
        while (!deadline.hasExpired() && p.state() == QProcess::Running && !(err.contains(running) && err.contains(QLatin1String("step "))))
            if (p.waitForReadyRead(200))
                err += QString::fromUtf8(p.readAllStandardError());
        id = running.match(err).captured(1);
        QVERIFY2(!id.isEmpty() && p.state() == QProcess::Running, qPrintable(err));
        const QString runningRecord = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), id});
        QVERIFY2(runningRecord.contains(QLatin1String("JobState=RUNNING")), qPrintable(runningRecord + QStringLiteral("\n") + err));

        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY2(p.waitForFinished(120000), "orrery-cli did not end after SIGTERM");
        err += QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 2, qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("cancelled · slurm job ") + id), qPrintable(err));
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), id});
        QVERIFY2(record.contains(QLatin1String("JobState=CANCELLED")), qPrintable(record));
    }
};

QTEST_GUILESS_MAIN(TestSlurmTrain)
#include "tst_slurm_train.moc"
