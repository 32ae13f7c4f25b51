// The executor on real files and processes: order, parallelism, skipping by dvc.lock, outs
// restored from the cache and the run cache, failures that stop dependents and keep what
// finished, timeouts and cancels that kill process trees, built-in stages in-process, tracked
// runs with manifests — and the bad inputs that must stop a run before it starts.
#include "core/common/job.h"
#include "core/pipeline/executor.h"
#include "core/pipeline/lock_file.h"
#include "core/store/database.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace orrery;
using namespace orrery::pipeline;
using testing::readFile;
using testing::writeFile;

namespace {

StageState stateOf(const PipelineReport &r, const QString &name)
{
    for (const auto &s : r.stages)
        if (s.name == name)
            return s.state;
    return StageState::Pending;
}

const StageReport *reportOf(const PipelineReport &r, const QString &name)
{
    for (const auto &s : r.stages)
        if (s.name == name)
            return &s;
    return nullptr;
}

} // namespace

class TstExecutor : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::Database> m_db;
    StageRegistry m_registry;
    QString root() const { return m_dir->path(); }

    Result<PipelineReport> run(ExecutorOptions o = {})
    {
        o.registry = &m_registry;
        if (o.workers == 2)
            o.workers = 4;
        Executor e(root(), *m_db, o);
        return e.run();
    }

private Q_SLOTS:
    void initTestCase()
    {
        StageType t;
        t.name = QStringLiteral("write");
        t.summary = QStringLiteral("writes --text to --out");
        t.params = {{QStringLiteral("out"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("file")},
                    {QStringLiteral("text"), ParamKind::Setting, ParamType::String, QStringLiteral("hi"), false, {}, {}, {}, QStringLiteral("text")},
                    {QStringLiteral("times"), ParamKind::Setting, ParamType::Int, QStringLiteral("1"), false, 1.0, 5.0, {}, QStringLiteral("repeat")}};
        m_registry.add(t, [](StageContext &ctx) -> Status {
            QFile f(ctx.path(QStringLiteral("out")));
            if (!f.open(QIODevice::WriteOnly))
                return ioError(QStringLiteral("cannot write"));
            for (int i = 0; i < ctx.args.integer(QStringLiteral("times")); ++i)
                f.write(ctx.args.text(QStringLiteral("text")).toUtf8());
            ctx.log(QStringLiteral("wrote it"));
            if (ctx.args.text(QStringLiteral("text")) == QLatin1String("bad"))
                ctx.addFinding(QStringLiteral("the text is bad"));
            return Status::ok();
        });
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        store::OpenOptions o;
        o.create = true;
        QDir().mkpath(root() + QStringLiteral("/.orrery"));
        auto db = store::Database::open(root() + QStringLiteral("/.orrery/orrery.db"), o);
        QVERIFY2(db.isOk(), qPrintable(db.status().message()));
        m_db = std::move(*db);
    }

    void cleanup()
    {
        m_db.reset();
        m_dir.reset();
    }

    void runsSkipsRestoresAndUsesTheRunCache()
    {
        writeFile(root() + QStringLiteral("/in.txt"), "hello\n");
        writeFile(root() + QStringLiteral("/params.yaml"), "n: 3\n");
        writeFile(root() + QStringLiteral("/dvc.yaml"), R"(stages:
  a:
    cmd: cp in.txt mid.txt && echo ${n} >> mid.txt
    deps: [in.txt]
    params: [n]
    outs: [mid.txt]
  b:
    cmd: mkdir out && wc -c < mid.txt > out/size.txt
    deps: [mid.txt]
    outs: [out]
)");
        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Ran);
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::Ran);
        QCOMPARE(readFile(root() + QStringLiteral("/mid.txt")), QByteArray("hello\n3\n"));
        auto lock = LockFile::load(root());
        QVERIFY(lock.isOk());
        QCOMPARE(lock->stage(QStringLiteral("b"))->outs[0].nfiles, 1);
        QVERIFY(lock->stage(QStringLiteral("b"))->outs[0].md5.endsWith(QLatin1String(".dir")));
        QCOMPARE(lock->stage(QStringLiteral("a"))->params[0].second[0].second.toInt(), 3);
        QCOMPARE(readFile(root() + QStringLiteral("/.gitignore")), QByteArray("/mid.txt\n/out\n"));

        r = run();
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Skipped);
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::Skipped);

        QVERIFY(QDir(root() + QStringLiteral("/out")).removeRecursively());
        r = run();
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::Restored);
        QVERIFY(QFile::exists(root() + QStringLiteral("/out/size.txt")));

        writeFile(root() + QStringLiteral("/params.yaml"), "n: 4\n");
        ExecutorOptions dry;
        dry.dryRun = true;
        r = run(dry);
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::WouldRun);
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::WouldRun);
        QCOMPARE(readFile(root() + QStringLiteral("/mid.txt")), QByteArray("hello\n3\n")); // dry: nothing changed
        r = run();
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Ran);
        QCOMPARE(readFile(root() + QStringLiteral("/mid.txt")), QByteArray("hello\n4\n"));

        // Back to n: 3 — both stages come from the run cache, nothing runs.
        writeFile(root() + QStringLiteral("/params.yaml"), "n: 3\n");
        r = run();
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Restored);
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::Restored);
        QCOMPARE(readFile(root() + QStringLiteral("/mid.txt")), QByteArray("hello\n3\n"));

        ExecutorOptions force;
        force.force = true;
        force.targets = {QStringLiteral("a")};
        r = run(force);
        QCOMPARE(r->stages.size(), 1);
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Ran);
    }

    void frozenNeverRunsAlwaysChangedAlwaysDoes()
    {
        writeFile(root() + QStringLiteral("/in.txt"), "1");
        writeFile(root() + QStringLiteral("/dvc.yaml"), R"(stages:
  frozen:
    cmd: cp in.txt f.txt
    deps: [in.txt]
    outs: [f.txt]
    frozen: true
  always:
    cmd: date +%s%N > a.txt
    outs: [a.txt]
    always_changed: true
)");
        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(stateOf(*r, QStringLiteral("frozen")), StageState::Frozen);
        QVERIFY(!QFile::exists(root() + QStringLiteral("/f.txt")));
        QCOMPARE(stateOf(*r, QStringLiteral("always")), StageState::Ran);
        r = run();
        QCOMPARE(stateOf(*r, QStringLiteral("always")), StageState::Ran);
    }

    // A rendezvous, not a stopwatch: each stage waits until the other has started, so run one
    // after the other they could never both finish (the first times out).
    void independentStagesRunInParallel()
    {
        writeFile(root() + QStringLiteral("/dvc.yaml"),
              "stages:\n"
              "  a:\n    cmd: touch a.started; while [ ! -e b.started ]; do sleep 0.02; done; touch a\n    outs: [a]\n"
              "  b:\n    cmd: touch b.started; while [ ! -e a.started ]; do sleep 0.02; done; touch b\n    outs: [b]\n");
        ExecutorOptions o;
        o.workers = 2;
        o.track = false;
        o.registry = &m_registry;
        o.stageTimeoutMs = 60000;
        Executor e(root(), *m_db, o);
        auto r = e.run();
        QVERIFY(r.isOk());
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Ran);
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::Ran);
    }

    void failureStopsDependentsAndKeepsWhatFinished()
    {
        writeFile(root() + QStringLiteral("/dvc.yaml"), R"(stages:
  a:
    cmd: echo a > a.txt
    outs: [a.txt]
  b:
    cmd: echo to stderr >&2; exit 3
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: touch c.txt
    deps: [b.txt]
    outs: [c.txt]
  d:
    cmd: sleep 0.3; touch d.txt
    outs: [d.txt]
)");
        auto r = run();
        QVERIFY(r.isOk());
        QCOMPARE(stateOf(*r, QStringLiteral("a")), StageState::Ran);
        QCOMPARE(stateOf(*r, QStringLiteral("b")), StageState::Failed);
        QCOMPARE(stateOf(*r, QStringLiteral("c")), StageState::NotRun);
        QCOMPARE(stateOf(*r, QStringLiteral("d")), StageState::Ran);
        QVERIFY(reportOf(*r, QStringLiteral("b"))->reason.contains(QStringLiteral("exited with status 3")));
        QVERIFY2(reportOf(*r, QStringLiteral("b"))->logTail.contains(QStringLiteral("to stderr")), qPrintable(reportOf(*r, QStringLiteral("b"))->logTail));
        QVERIFY(reportOf(*r, QStringLiteral("c"))->reason.contains(QStringLiteral("'b'")));
        auto lock = LockFile::load(root());
        QVERIFY(lock->stage(QStringLiteral("a")));
        QVERIFY(lock->stage(QStringLiteral("d")));
        QVERIFY(!lock->stage(QStringLiteral("b")));
        QVERIFY(!lock->stage(QStringLiteral("c")));
    }

    void hangingCommandTimesOutAndItsTreeDies()
    {
        writeFile(root() + QStringLiteral("/dvc.yaml"), "stages:\n  hang:\n    cmd: sleep 60 & echo $! > child.pid; wait\n    outs: [never]\n");
        ExecutorOptions o;
        o.stageTimeoutMs = 500;
        QElapsedTimer t;
        t.start();
        auto r = run(o);
        QVERIFY(r.isOk());
        QCOMPARE(stateOf(*r, QStringLiteral("hang")), StageState::TimedOut);
        // Far below the 60 s the command would take: the timeout ended it (a bound for a hang, not a speed).
        QVERIFY2(t.elapsed() < 30000, qPrintable(QString::number(t.elapsed())));
        const qint64 child = readFile(root() + QStringLiteral("/child.pid")).trimmed().toLongLong();
        QVERIFY(child > 0);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(child), 0) != 0, 3000); // the background sleep is gone too
    }

    void cancelKillsRunningProcesses()
    {
        writeFile(root() + QStringLiteral("/dvc.yaml"), "stages:\n  long:\n    cmd: sleep 60\n    outs: [x]\n  after:\n    cmd: touch y\n    deps: [x]\n    outs: [y]\n");
        Result<PipelineReport> report = internalError(QStringLiteral("not run"));
        ExecutorOptions o;
        o.registry = &m_registry;
        o.track = false;
        Executor e(root(), *m_db, o);
        common::Job job(QStringLiteral("pipeline"), [&](common::JobContext &ctx) {
            report = e.run(&ctx);
            return Status::ok();
        });
        QElapsedTimer t;
        t.start();
        job.start();
        QTest::qWait(500);
        job.cancel();
        QVERIFY(job.wait(30000));
        QVERIFY2(t.elapsed() < 30000, qPrintable(QString::number(t.elapsed()))); // the stage's sleep 60 did not run out
        QVERIFY(report.isOk());
        QVERIFY(report->cancelled);
        QCOMPARE(stateOf(*report, QStringLiteral("long")), StageState::Cancelled);
        QCOMPARE(stateOf(*report, QStringLiteral("after")), StageState::NotRun);
    }

    void builtinStagesRunInProcessAndReportChecks()
    {
        writeFile(root() + QStringLiteral("/dvc.yaml"), R"(stages:
  w:
    cmd: orrery-cli stage write --out w.txt --text ok --times 2
    outs: [w.txt]
  bad:
    cmd: orrery-cli stage write --out bad.txt --text bad
    outs: [bad.txt]
)");
        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(stateOf(*r, QStringLiteral("w")), StageState::Ran);
        QVERIFY(reportOf(*r, QStringLiteral("w"))->builtin);
        QCOMPARE(readFile(root() + QStringLiteral("/w.txt")), QByteArray("okok"));
        QVERIFY(readFile(reportOf(*r, QStringLiteral("w"))->logPath).contains("built-in, in-process"));
        QCOMPARE(stateOf(*r, QStringLiteral("bad")), StageState::CheckFailed);
        QCOMPARE(reportOf(*r, QStringLiteral("bad"))->findings, QStringList{QStringLiteral("the text is bad")});
        QVERIFY(r->anyCheckFailed());
        QVERIFY(!r->anyFailed());
    }

    void stagesAreTrackedRunsWithManifests()
    {
        writeFile(root() + QStringLiteral("/m.py"), "import json\njson.dump({'auc': 0.75, 'nested': {'f1': 0.5}}, open('m.json', 'w'))\n");
        writeFile(root() + QStringLiteral("/dvc.yaml"), R"Y(stages:
  py:
    cmd: /usr/bin/python3 m.py
    deps: [m.py]
    metrics: [{m.json: {cache: false}}]
)Y");
        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(stateOf(*r, QStringLiteral("py")), StageState::Ran);
        QVERIFY(!r->runId.isEmpty());
        const QString child = reportOf(*r, QStringLiteral("py"))->runId;
        tracking::TrackingStore store(*m_db);
        auto run = store.run(child);
        QVERIFY(run.isOk());
        bool parentTag = false;
        for (const auto &t : run->tags)
            parentTag = parentTag || (t.key == QLatin1String("mlflow.parentRunId") && t.value == r->runId);
        QVERIFY(parentTag);
        QCOMPARE(run->info.status, tracking::RunStatus::Finished);
        QStringList metricKeys;
        for (const auto &m : run->metrics)
            metricKeys << m.key;
        QVERIFY2(metricKeys.contains(QStringLiteral("auc")) && metricKeys.contains(QStringLiteral("nested.f1")), qPrintable(metricKeys.join(QLatin1Char(','))));
        auto manifest = tracking::loadManifest(*m_db, child);
        QVERIFY(manifest.isOk());
        const QJsonObject interp = manifest->json.value(QStringLiteral("interpreter")).toObject();
        QVERIFY2(interp.value(QStringLiteral("version")).toString().startsWith(QStringLiteral("Python 3")), qPrintable(interp.value(QStringLiteral("version")).toString()));
        QVERIFY(!interp.value(QStringLiteral("packages")).toArray().isEmpty());
        QCOMPARE(manifest->json.value(QStringLiteral("stage")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("py"));
        QVERIFY(QFile::exists(reportOf(*r, QStringLiteral("py"))->logPath));
        auto parent = store.run(r->runId);
        QCOMPARE(parent->info.status, tracking::RunStatus::Finished);
    }

    // A DVC project as `dvc repro` left it (dvc.lock written by DVC 3, and one by DVC 2 with its
    // md5-dos2unix hashes of a CRLF text file): Orrery finds it up to date and runs nothing.
    void dvcWrittenLockIsUpToDate_data()
    {
        QTest::addColumn<bool>("legacy");
        QTest::newRow("dvc 3") << false;
        QTest::newRow("dvc 2 (md5-dos2unix)") << true;
    }

    void dvcWrittenLockIsUpToDate()
    {
        QFETCH(bool, legacy);
        const QByteArray data = "<xml>\r\n<row/>\r\n</xml>\r\n";
        const QByteArray model = "weights";
        writeFile(root() + QStringLiteral("/data/data.xml"), data);
        writeFile(root() + QStringLiteral("/model.pkl"), model);
        writeFile(root() + QStringLiteral("/params.yaml"), "train:\n  lr: 0.01\n  epochs: 10\n");
        writeFile(root() + QStringLiteral("/dvc.yaml"), "stages:\n  train:\n    cmd: python train.py data/data.xml\n    deps:\n    - data/data.xml\n"
                                                   "    params:\n    - train.lr\n    - train.epochs\n    outs:\n    - model.pkl\n");
        const QByteArray dataMd5 = QCryptographicHash::hash(legacy ? QByteArray(data).replace("\r\n", "\n") : data, QCryptographicHash::Md5).toHex();
        const QByteArray modelMd5 = QCryptographicHash::hash(model, QCryptographicHash::Md5).toHex();
        const QByteArray hashLine = legacy ? "" : "      hash: md5\n";
        writeFile(root() + QStringLiteral("/dvc.lock"), "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py data/data.xml\n    deps:\n    - path: data/data.xml\n"
                                                   + hashLine + "      md5: " + dataMd5 + "\n      size: " + QByteArray::number(data.size()) + "\n"
                                                   "    params:\n      params.yaml:\n        train.epochs: 10\n        train.lr: 0.01\n    outs:\n    - path: model.pkl\n"
                                                   + hashLine + "      md5: " + modelMd5 + "\n      size: 7\n");
        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(stateOf(*r, QStringLiteral("train")), StageState::Skipped);
        writeFile(root() + QStringLiteral("/params.yaml"), "train:\n  lr: 0.02\n  epochs: 10\n");
        ExecutorOptions dry;
        dry.dryRun = true;
        r = run(dry);
        QCOMPARE(stateOf(*r, QStringLiteral("train")), StageState::WouldRun);
        QVERIFY2(reportOf(*r, QStringLiteral("train"))->reason.contains(QStringLiteral("params changed: train.lr")), qPrintable(reportOf(*r, QStringLiteral("train"))->reason));
    }

    void badInputStopsBeforeAnythingRuns_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QByteArray>("params");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("cycle") << QByteArray("stages:\n  a:\n    cmd: touch a\n    deps: [b]\n    outs: [a]\n  b:\n    cmd: touch b\n    deps: [a]\n    outs: [b]\n")
                               << QByteArray() << int(ErrorCode::FailedPrecondition) << QStringLiteral("cycle: a -> b -> a");
        QTest::newRow("missing dep") << QByteArray("stages:\n  a:\n    cmd: touch a\n    deps: [data/nope.csv]\n    outs: [a]\n") << QByteArray()
                                     << int(ErrorCode::NotFound) << QStringLiteral("stage 'a' depends on 'data/nope.csv', which does not exist and which no stage writes");
        QTest::newRow("two writers") << QByteArray("stages:\n  a:\n    cmd: touch o\n    outs: [o]\n  b:\n    cmd: touch o\n    outs: [o]\n") << QByteArray()
                                     << int(ErrorCode::AlreadyExists) << QStringLiteral("two stages write 'o': 'a' and 'b'");
        QTest::newRow("unknown stage type") << QByteArray("stages:\n  a:\n    cmd: orrery-cli stage frobnicate --x 1\n") << QByteArray()
                                            << int(ErrorCode::InvalidArgument) << QStringLiteral("stage 'a': unknown stage type 'frobnicate' in its cmd (known: write)");
        QTest::newRow("bad builtin arg") << QByteArray("stages:\n  a:\n    cmd: orrery-cli stage write --out x --times 9\n") << QByteArray()
                                         << int(ErrorCode::InvalidArgument) << QStringLiteral("--times must be within 1..5, not 9");
        QTest::newRow("param missing") << QByteArray("stages:\n  a:\n    cmd: touch a\n    params: [train.lr]\n    outs: [a]\n") << QByteArray("train:\n  epochs: 3\n")
                                       << int(ErrorCode::InvalidArgument) << QStringLiteral("stage 'a' reads the param 'train.lr', which params.yaml does not have");
        QTest::newRow("invalid yaml") << QByteArray("stages:\n  a:\n    cmd: [x\n") << QByteArray() << int(ErrorCode::InvalidArgument)
                                      << QStringLiteral("dvc.yaml:");
    }

    void badInputStopsBeforeAnythingRuns()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QByteArray, params);
        QFETCH(int, code);
        QFETCH(QString, message);
        writeFile(root() + QStringLiteral("/dvc.yaml"), yaml);
        if (!params.isEmpty())
            writeFile(root() + QStringLiteral("/params.yaml"), params);
        auto r = run();
        QVERIFY(!r.isOk());
        QCOMPARE(int(r.status().code()), code);
        QVERIFY2(r.status().message().contains(message), qPrintable(r.status().message()));
        QVERIFY(!QFile::exists(root() + QStringLiteral("/a")));
        QVERIFY(!QFile::exists(root() + QStringLiteral("/dvc.lock")));
    }
};

QTEST_GUILESS_MAIN(TstExecutor)
#include "tst_executor.moc"
