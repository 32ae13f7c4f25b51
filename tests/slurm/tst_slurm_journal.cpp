// "A task on another node never opens the workspace database" (DESIGN.md, "Processes"), on the
// one-node Slurm cluster (tests/support/slurm_cluster.sh, the `slurm` CTest fixture):
// - A pipeline's train stage placed on Slurm: its `orrery-cli train` journals the run into the
//   job's folder (ORRERY_JOB_DIR), and `orrery-cli run`, which submitted it, records it — the
//   run the stage's result names is in the database, tagged orrery.recorded_from = journal, under
//   the stage's run, with its params, metrics and the model the stage exported, byte for byte.
// - Training with ORRERY_JOB_DIR set beside a workspace whose database is no database succeeds
//   and leaves that file as it was (no -wal beside it): the run is in the journal only.
// - A built-in stage that needs the database (register) placed on Slurm is refused before
//   anything is submitted; run as a command inside a job, it fails at once saying to run it locally.

#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/metric_history.h"
#include "core/tracking/run_journal.h"
#include "core/tracking/tracking_store.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::writeFile;

namespace {

Run cli(const QStringList &args, const QString &cwd, const std::optional<QProcessEnvironment> &env = std::nullopt)
{
    testing::ProcessOptions options;
    options.workingDirectory = cwd;
    options.environment = env;
    options.timeoutMs = 240000; // training on a loaded 2-core machine, and Slurm's scheduling
    return testing::runCli(args, options);
}

int jobsKnown()
{
    return testing::run(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("all"), QStringLiteral("-o"), QStringLiteral("%i")})
        .out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size();
}

QByteArray linearCsv(int rows)
{
    QByteArray csv = "x1,x2,label\n";
    quint64 state = 7;
    const auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state >> 11) / double(1ULL << 53);
    };
    for (int i = 0; i < rows; ++i) {
        const double x1 = next() * 4 - 2, x2 = next() * 10, noise = next() - 0.5;
        csv += QByteArray::number(x1, 'g', 10) + ',' + QByteArray::number(x2, 'g', 10) + ',' + (x1 + 0.3 * (x2 - 5) + noise > 0 ? "1" : "0") + '\n';
    }
    return csv;
}

const QByteArray kConfig = "task: classification\ndata:\n  path: data.csv\n  label: label\nmodel:\n  hidden: [8]\noptimizer:\n  lr: 0.01\n"
                           "training:\n  epochs: 2\n  batch_size: 32\n  seed: 3\ntracking:\n  experiment: on-slurm\n";

QByteArray md5Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return "<unreadable " + path.toUtf8() + ">";
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Md5).toHex();
}

QString tagOf(const tracking::Run &r, const QString &key)
{
    for (const auto &t : r.tags)
        if (t.key == key)
            return t.value;
    return QStringLiteral("<none>");
}

// The journals under a folder (the workspace's .orrery/jobs).
QStringList journalsUnder(const QString &dir)
{
    QStringList found;
    QDirIterator it(dir, {QString::fromLatin1(tracking::kRunJournalName)}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        found << it.next();
    return found;
}

} // namespace

class TestSlurmJournal : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString workspace(const QString &name)
    {
        const QString ws = m_dir.filePath(name);
        const Run init = cli({QStringLiteral("init"), ws}, QString());
        if (!init.ok())
            qFatal("%s", qPrintable(init.describe()));
        writeFile(ws + QStringLiteral("/data.csv"), linearCsv(600));
        writeFile(ws + QStringLiteral("/train.yaml"), kConfig);
        return ws;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), "SLURM_CONF is not set: the `slurm` CTest fixture starts the test cluster");
        QVERIFY2(QFileInfo::exists(QFileInfo(testing::cliPath()).absolutePath() + QStringLiteral("/orrery-train")), "orrery-train is not built next to orrery-cli");
    }

    void aTrainStageOnSlurmIsRecordedFromItsJournal()
    {
        const QString ws = workspace(QStringLiteral("pipeline"));
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n"
                                                    "  fit:\n"
                                                    "    cmd: orrery-cli train train.yaml --json --export models > result.json\n"
                                                    "    deps:\n    - train.yaml\n    - data.csv\n"
                                                    "    outs:\n    - result.json\n    - models/model.pt\n");
        writeFile(ws + QStringLiteral("/executors.yaml"), "stages:\n  fit:\n    executor: slurm\n    cpus: 1\n    memory: 1G\n");
        const Run r = cli({QStringLiteral("run")}, ws);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("fit running · slurm job")), qPrintable(r.describe()));

        // The node wrote its run into the job's folder…
        const QStringList journals = journalsUnder(ws + QStringLiteral("/.orrery/jobs"));
        QCOMPARE(journals.size(), 1);
        const QJsonObject result = QJsonDocument::fromJson(testing::readFile(ws + QStringLiteral("/result.json")).trimmed().split('\n').last()).object();
        const QString runId = result.value(QStringLiteral("run_id")).toString();
        QCOMPARE(runId.size(), 32);
        QVERIFY2(testing::readFile(journals.first()).contains(runId.toUtf8()), qPrintable(journals.first()));

        // …and the submitting `orrery-cli run` recorded it: the run, under the stage's run.
        auto db = store::Database::open(ws + QStringLiteral("/.orrery/orrery.db"));
        QVERIFY2(db.isOk(), qPrintable(db.status().message()));
        tracking::TrackingStore store(**db);
        auto run = store.run(runId);
        QVERIFY2(run.isOk(), qPrintable(run.status().message()));
        QCOMPARE(run->info.status, tracking::RunStatus::Finished);
        QCOMPARE(store.experiment(run->info.experimentId)->name, QStringLiteral("on-slurm"));
        QCOMPARE(tagOf(*run, QStringLiteral("orrery.recorded_from")), QStringLiteral("journal"));
        QCOMPARE(tagOf(*run, QStringLiteral("orrery.journal")), QDir(ws).relativeFilePath(journals.first()));
        QCOMPARE(tagOf(*run, QStringLiteral("orrery.executor")), QStringLiteral("slurm"));
        auto parent = store.run(tagOf(*run, QStringLiteral("mlflow.parentRunId")));
        QVERIFY2(parent.isOk(), qPrintable(tagOf(*run, QStringLiteral("mlflow.parentRunId"))));
        QCOMPARE(parent->info.runName, QStringLiteral("fit"));
        bool lr = false;
        for (const auto &p : run->params)
            lr = lr || (p.key == QLatin1String("optimizer.lr") && p.value == QLatin1String("0.01"));
        QVERIFY2(lr, "the run's params came from the journal");
        QVERIFY(*tracking::metricPointCount(**db, runId, QStringLiteral("train_loss")) > 0);
        // The model the stage exported is the run's artifact, byte for byte, in the content cache.
        tracking::ArtifactStore artifacts(**db, ws + QStringLiteral("/.orrery/cache"));
        auto model = artifacts.fileFor(QStringLiteral("%1/%2/artifacts/model/model.pt").arg(run->info.experimentId, runId));
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        QCOMPARE(md5Of(*model), md5Of(ws + QStringLiteral("/models/model.pt")));
        QCOMPARE(tagOf(*run, QStringLiteral("orrery.model_md5")).toLatin1(), md5Of(*model));

        // The stage again, forced: a new job, a new run; the first one is recorded once still.
        const qint64 points = *tracking::metricPointCount(**db, runId, QStringLiteral("train_loss"));
        const Run again = cli({QStringLiteral("run"), QStringLiteral("--force")}, ws);
        QVERIFY2(again.ok(), qPrintable(again.describe()));
        QCOMPARE(journalsUnder(ws + QStringLiteral("/.orrery/jobs")).size(), 2);
        QCOMPARE(*tracking::metricPointCount(**db, runId, QStringLiteral("train_loss")), points);
        auto s = (*db)->prepare(QStringLiteral("SELECT count(*) FROM tags WHERE key = 'orrery.recorded_from' AND value = 'journal'"));
        QVERIFY(s->next());
        QCOMPARE(s->int64(0), qint64(2));
    }

    void aJobNeverOpensTheWorkspaceDatabase()
    {
        // ORRERY_JOB_DIR as a Slurm job has it, beside a workspace whose database is no SQLite
        // file: training must not need it.
        const QString ws = m_dir.filePath(QStringLiteral("nodb"));
        QVERIFY(QDir().mkpath(ws + QStringLiteral("/.orrery")));
        const QByteArray garbage = "not a database: a job on a node must not open me\n";
        writeFile(ws + QStringLiteral("/.orrery/orrery.db"), garbage);
        writeFile(ws + QStringLiteral("/data.csv"), linearCsv(600));
        writeFile(ws + QStringLiteral("/train.yaml"), kConfig);
        const QString jobDir = m_dir.filePath(QStringLiteral("nodb-job"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ORRERY_JOB_DIR"), jobDir);
        const Run r = cli({QStringLiteral("train"), QStringLiteral("train.yaml"), QStringLiteral("--json")}, ws, env);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(testing::readFile(ws + QStringLiteral("/.orrery/orrery.db")), garbage);
        QVERIFY(!QFileInfo::exists(ws + QStringLiteral("/.orrery/orrery.db-wal")));
        QVERIFY(!QFileInfo::exists(ws + QStringLiteral("/.orrery/orrery.db-shm")));
        // The run is in the journal, whole: started, the model logged, finished.
        const QString runId = QJsonDocument::fromJson(r.out.trimmed().split(QLatin1Char('\n')).last().toUtf8()).object().value(QStringLiteral("run_id")).toString();
        QCOMPARE(runId.size(), 32);
        auto journal = tracking::readRunJournal(jobDir + QStringLiteral("/tracking.jsonl"));
        QVERIFY2(journal.isOk(), qPrintable(journal.status().message()));
        QVERIFY(journal->tornLines.isEmpty());
        QStringList types;
        for (const auto &rec : journal->records) {
            QCOMPARE(rec.json.value(QStringLiteral("run")).toString(), runId);
            types << rec.json.value(QStringLiteral("type")).toString();
            if (types.last() == QLatin1String("artifact") && rec.json.value(QStringLiteral("path")).toString() == QLatin1String("model/model.pt"))
                QCOMPARE(md5Of(jobDir + QLatin1Char('/') + rec.json.value(QStringLiteral("file")).toString()), rec.json.value(QStringLiteral("md5")).toString().toLatin1());
        }
        QCOMPARE(types.first(), QStringLiteral("start"));
        QCOMPARE(types.last(), QStringLiteral("end"));
        QCOMPARE(journal->records.last().json.value(QStringLiteral("status")).toString(), QStringLiteral("FINISHED"));
        QVERIFY2(types.contains(QStringLiteral("metrics")) && types.contains(QStringLiteral("artifact")) && types.contains(QStringLiteral("params")),
                 qPrintable(types.join(QLatin1Char(' '))));

        // A command that needs the database fails at once inside a job, saying where to run it.
        const Run reg = cli({QStringLiteral("stage"), QStringLiteral("register"), QStringLiteral("--model"), QStringLiteral("m.pt"), QStringLiteral("--name"),
                             QStringLiteral("m")}, ws, env);
        QCOMPARE(reg.code, 2);
        QVERIFY2(reg.err.contains(QLatin1String("executor: local")) && reg.err.contains(QLatin1String("ORRERY_JOB_DIR")), qPrintable(reg.describe()));
        QCOMPARE(testing::readFile(ws + QStringLiteral("/.orrery/orrery.db")), garbage);
    }

    void aStageThatNeedsTheDatabaseIsNotPlacedOnSlurm()
    {
        const QString ws = workspace(QStringLiteral("register"));
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n"
                                                    "  fit:\n"
                                                    "    cmd: orrery-cli train train.yaml --export models\n"
                                                    "    deps:\n    - train.yaml\n    - data.csv\n"
                                                    "    outs:\n    - models/model.pt\n"
                                                    "  register:\n"
                                                    "    cmd: orrery-cli stage register --model models/model.pt --name churn\n"
                                                    "    deps:\n    - models/model.pt\n");
        writeFile(ws + QStringLiteral("/executors.yaml"), "default:\n  executor: slurm\n");
        const int before = jobsKnown();
        const Run r = cli({QStringLiteral("run")}, ws);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QLatin1String("stage 'register' is placed on slurm")) && r.err.contains(QLatin1String("executor: local")),
                 qPrintable(r.describe()));
        QVERIFY2(r.err.contains(ws + QStringLiteral("/executors.yaml")), qPrintable(r.describe()));
        QCOMPARE(jobsKnown(), before);
        QVERIFY(!QFileInfo::exists(ws + QStringLiteral("/models/model.pt")));
    }
};

QTEST_GUILESS_MAIN(TestSlurmJournal)
#include "tst_slurm_journal.moc"
