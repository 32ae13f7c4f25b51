// core/exec's SlurmExecutor against a real one-node Slurm cluster (tests/support/slurm_cluster.sh,
// started by the `slurm` CTest fixture; SLURM_CONF names it): a job's states as Slurm reports them
// (pending → running on this node → how it ended, with its exit code), its output in the job's log,
// scancel on cancel, Slurm's time limit, and the bad input the issue names — an unknown partition
// and sbatch missing from PATH (both before anything is submitted), resources beyond a partition's
// limits (Slurm's refusal shown), and a job that vanishes from the queue.
#include "core/exec/slurm_executor.h"
#include "core/exec/slurm_job_array.h"

#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <csignal>
#include <thread>

using namespace orrery;
using namespace orrery::exec;

namespace {

// Slurm's own answer, as text (a test's check of what Slurm recorded, not the executor's).
QString slurm(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError()).trimmed();
}

// Job ids Slurm knows now (pending, running or recently finished).
int jobsKnown()
{
    return slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("all"), QStringLiteral("-o"), QStringLiteral("%i")})
        .split(QLatin1Char('\n'), Qt::SkipEmptyParts).size();
}

QString shortHostName()
{
    return slurm(QStringLiteral("hostname"), {QStringLiteral("-s")});
}

} // namespace

class TestSlurmExecutor : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    JobSpec job(const QString &name, const QString &command)
    {
        JobSpec j;
        j.name = name;
        j.commandLine = command;
        j.workDir = m_dir.path();
        j.logPath = m_dir.filePath(name + QStringLiteral(".log"));
        return j;
    }

    SlurmExecutor executor(int controllerSilenceMs = 60000)
    {
        SlurmOptions o;
        o.jobRoot = m_dir.filePath(QStringLiteral("jobs"));
        o.pollMs = 200;
        o.controllerSilenceMs = controllerSilenceMs;
        return SlurmExecutor(o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), "SLURM_CONF is not set: the `slurm` CTest fixture starts the test cluster");
        QVERIFY2(QFileInfo::exists(qEnvironmentVariable("SLURM_CONF")), qPrintable(qEnvironmentVariable("SLURM_CONF")));
    }

    void aJobRunsOnTheNodeAndEndsWithItsExitCodeAndLog()
    {
        JobSpec j = job(QStringLiteral("stage hello"), QStringLiteral("echo hello from $(pwd) in job $SLURM_JOB_ID; echo to-stderr >&2; test \"$ANSWER\" = 42"));
        j.env.insert(QStringLiteral("ANSWER"), QStringLiteral("42"));
        j.resources.cpus = 1;
        j.resources.memoryMb = 100;
        QVector<JobStatus> updates;
        auto ex = executor();
        auto r = ex.run(j, nullptr, [&](const JobStatus &s) { updates.push_back(s); });
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(jobStateName(r->state), QStringLiteral("succeeded"));
        QCOMPARE(r->exitCode, 0);
        QVERIFY(r->id.toInt() > 0);
        QVERIFY(!updates.isEmpty());
        QCOMPARE(updates.first().state, JobState::Pending);
        QCOMPARE(updates.first().id, r->id);
        QCOMPARE(updates.last().state, JobState::Succeeded);
        const QString log = QString::fromUtf8(testing::readFile(j.logPath));
        QVERIFY2(log.contains(QStringLiteral("hello from %1 in job %2").arg(m_dir.path(), r->id)), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("to-stderr")), qPrintable(log));
        // What Slurm itself recorded: the resources asked for, and the end.
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), r->id});
        QVERIFY2(record.contains(QStringLiteral("JobState=COMPLETED")), qPrintable(record));
        QVERIFY2(record.contains(QStringLiteral("NumCPUs=1")), qPrintable(record));
        QVERIFY2(record.contains(QStringLiteral("mem=100M")), qPrintable(record));
        QVERIFY2(record.contains(QStringLiteral("JobName=orrery-stage-hello")), qPrintable(record));
    }

    // Several tasks: the command once per task under srun, each with torchrun's variables; the
    // job's status the worst task's.
    void severalTasksEachRunTheCommandWithTheirRank()
    {
        JobSpec j = job(QStringLiteral("stage ranks"), QStringLiteral("echo \"task $RANK/$WORLD_SIZE local $LOCAL_RANK master $MASTER_ADDR:$MASTER_PORT\""));
        j.resources.nodes = 1;
        j.resources.tasksPerNode = 2;
        j.resources.cpus = 1;
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Succeeded);
        const QString log = QString::fromUtf8(testing::readFile(j.logPath));
        const QString master = QStringLiteral("%1:%2").arg(shortHostName()).arg(20000 + r->id.toInt() % 10000);
        for (int rank : {0, 1})
            QVERIFY2(log.contains(QStringLiteral("task %1/2 local %1 master %2").arg(rank).arg(master)), qPrintable(log));
        QVERIFY2(slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), r->id}).contains(QLatin1String("NumTasks=2")),
                 qPrintable(r->id));

        // Task 1 fails: srun ends task 0 (which would wait for ever) and the job fails with 3.
        JobSpec failing = job(QStringLiteral("stage one rank fails"), QStringLiteral("if [ \"$RANK\" = 1 ]; then exit 3; fi; sleep 600"));
        failing.resources.tasksPerNode = 2;
        failing.resources.cpus = 1;
        auto f = ex.run(failing, nullptr);
        QVERIFY2(f, qPrintable(f.status().message()));
        QCOMPARE(f->state, JobState::Failed);
        QCOMPARE(f->exitCode, 3);
    }

    void runningIsReportedWithItsNode()
    {
        // Long enough that a 200 ms poll sees it running.
        JobSpec j = job(QStringLiteral("stage slow"), QStringLiteral("sleep 3"));
        QVector<JobStatus> updates;
        auto ex = executor();
        auto r = ex.run(j, nullptr, [&](const JobStatus &s) { updates.push_back(s); });
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Succeeded);
        auto running = std::find_if(updates.begin(), updates.end(), [](const JobStatus &s) { return s.state == JobState::Running; });
        QVERIFY2(running != updates.end(), "no update said running");
        QCOMPARE(running->node, shortHostName());
    }

    void aFailureAndACrashAreToldApart()
    {
        auto ex = executor();
        auto failed = ex.run(job(QStringLiteral("stage fails"), QStringLiteral("echo about to fail; exit 3")), nullptr);
        QVERIFY2(failed, qPrintable(failed.status().message()));
        QCOMPARE(failed->state, JobState::Failed);
        QCOMPARE(failed->exitCode, 3);
        auto crashed = ex.run(job(QStringLiteral("stage crashes"), QStringLiteral("kill -SEGV $$")), nullptr);
        QVERIFY2(crashed, qPrintable(crashed.status().message()));
        QCOMPARE(crashed->state, JobState::Crashed);
        QVERIFY2(crashed->reason.contains(QStringLiteral("signal 11")), qPrintable(crashed->reason));
    }

    void cancelRunsScancelAndTheCommandStops()
    {
        const QString marker = m_dir.filePath(QStringLiteral("finished-anyway"));
        JobSpec j = job(QStringLiteral("stage long"), QStringLiteral("echo started; sleep 30; touch '%1'").arg(marker));
        std::atomic<bool> cancel{false};
        QString id;
        auto ex = executor();
        // Cancel once Slurm says it runs.
        auto r = ex.run(j, &cancel, [&](const JobStatus &s) {
            id = s.id;
            if (s.state == JobState::Running)
                cancel = true;
        });
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Cancelled);
        QVERIFY2(r->reason.isEmpty(), qPrintable(r->reason));
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), id});
        QVERIFY2(record.contains(QStringLiteral("JobState=CANCELLED")), qPrintable(record));
        QVERIFY(!QFileInfo::exists(marker));
    }

    void aCancelOutsideOrreryIsSaidSo()
    {
        JobSpec j = job(QStringLiteral("stage cancelled elsewhere"), QStringLiteral("sleep 30"));
        auto ex = executor();
        auto r = ex.run(j, nullptr, [&](const JobStatus &s) {
            if (s.state == JobState::Running)
                slurm(QStringLiteral("scancel"), {s.id});
        });
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Cancelled);
        QVERIFY2(r->reason.contains(QStringLiteral("outside Orrery")), qPrintable(r->reason));
    }

    void slurmStopsAJobAtItsTimeLimit()
    {
        JobSpec j = job(QStringLiteral("stage over time"), QStringLiteral("echo started; sleep 600"));
        j.timeoutMs = 1000; // Slurm's least: one minute (--time=1); it checks limits about every 30 s
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(jobStateName(r->state), QStringLiteral("timed out"));
        QVERIFY2(r->reason.contains(QStringLiteral("TIMEOUT")), qPrintable(r->reason));
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), r->id});
        QVERIFY2(record.contains(QStringLiteral("TimeLimit=00:01:00")), qPrintable(record));
    }

    void anUnknownPartitionIsNamedBeforeAnythingIsSubmitted()
    {
        const int before = jobsKnown();
        JobSpec j = job(QStringLiteral("stage train"), QStringLiteral("true"));
        j.resources.partition = QStringLiteral("gpu-large");
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY(!r);
        const QString m = r.status().message();
        QVERIFY2(m.contains(QStringLiteral("'gpu-large'")) && m.contains(QStringLiteral("debug")) && m.contains(QStringLiteral("small")), qPrintable(m));
        QCOMPARE(jobsKnown(), before);
    }

    void resourcesBeyondThePartitionShowSlurmsRefusal()
    {
        const int before = jobsKnown();
        JobSpec j = job(QStringLiteral("stage big"), QStringLiteral("true"));
        j.resources.partition = QStringLiteral("small"); // MaxMemPerNode=256
        j.resources.memoryMb = 4096;
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY(!r);
        const QString m = r.status().message();
        QVERIFY2(m.startsWith(QStringLiteral("Slurm refused stage big: ")) && m.contains(QStringLiteral("sbatch: error")), qPrintable(m));
        QCOMPARE(jobsKnown(), before);
    }

    void sbatchMissingFromPathIsNamed()
    {
        JobSpec j = job(QStringLiteral("stage train"), QStringLiteral("true"));
        j.env.insert(QStringLiteral("PATH"), m_dir.path()); // no Slurm there
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY(!r);
        const QString m = r.status().message();
        QVERIFY2(m.contains(QStringLiteral("sbatch is not on PATH")) && m.contains(QStringLiteral("executors.yaml")), qPrintable(m));
    }

    // Slurm restarted with its state cleared (`slurmctld -c`) forgets a running job: the job is lost
    // with a reason that says so, not waited on for ever, and not called a success.
    void aJobThatVanishesFromTheQueueIsLost()
    {
        const QString conf = qEnvironmentVariable("SLURM_CONF");
        const QString clusterDir = QFileInfo(conf).absolutePath();
        JobSpec j = job(QStringLiteral("stage vanishing"), QStringLiteral("sleep 60"));
        auto ex = executor();
        bool restarted = false;
        auto r = ex.run(j, nullptr, [&](const JobStatus &s) {
            if (s.state != JobState::Running || restarted)
                return;
            restarted = true;
            const qint64 pid = testing::readFile(clusterDir + QStringLiteral("/slurmctld.pid")).trimmed().toLongLong();
            QVERIFY(pid > 0);
            ::kill(pid_t(pid), SIGTERM);
            for (int i = 0; i < 200 && ::kill(pid_t(pid), 0) == 0; ++i)
                QThread::msleep(50);
            QCOMPARE(QProcess::execute(QStringLiteral("slurmctld"), {QStringLiteral("-c"), QStringLiteral("-i")}), 0);
        });
        QVERIFY2(r, qPrintable(r.status().message()));
        QVERIFY(restarted);
        QCOMPARE(jobStateName(r->state), QStringLiteral("lost"));
        QVERIFY2(r->reason.contains(QStringLiteral("vanished from Slurm's queue")), qPrintable(r->reason));
        // The cluster is back for the next test: the node is idle again.
        QTRY_COMPARE_WITH_TIMEOUT(slurm(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%T")}).section(QLatin1Char('\n'), 0, 0), QStringLiteral("idle"), 60000);
    }

    void anArrayRunsEachTaskWithItsOwnCommandEnvironmentAndLog()
    {
        QVector<JobSpec> jobs;
        for (int i = 0; i < 3; ++i) {
            JobSpec j = job(QStringLiteral("task %1").arg(i), QStringLiteral("echo task $WHICH in $(pwd); exit $((WHICH == 2 ? 4 : 0))"));
            j.env.insert(QStringLiteral("WHICH"), QString::number(i));
            j.workDir = m_dir.path();
            j.resources.cpus = 1;
            j.resources.memoryMb = 50;
            jobs.push_back(j);
        }
        auto ex = executor();
        QVERIFY(ex.runsArrays());
        auto array = ex.submitArray(QStringLiteral("three tasks"), jobs, 1);
        QVERIFY2(array, qPrintable(array.status().message()));
        QCOMPARE((*array)->size(), 3);
        QVector<JobStatus> ended(3);
        QVector<QStringList> seen(3);
        std::vector<std::thread> followers;
        for (int i = 0; i < 3; ++i)
            followers.emplace_back([&, i] {
                auto r = (*array)->follow(i, nullptr, [&, i](const JobStatus &s) { seen[i] << describeJob(QStringLiteral("slurm"), s); });
                if (r)
                    ended[i] = *r;
            });
        for (auto &t : followers)
            t.join();
        const QString id = (*array)->id();
        QCOMPARE(ended[0].state, JobState::Succeeded);
        QCOMPARE(ended[1].state, JobState::Succeeded);
        QCOMPARE(ended[2].state, JobState::Failed);
        QCOMPARE(ended[2].exitCode, 4);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(ended[i].id, QStringLiteral("%1_%2").arg(id).arg(i));
            const QString log = QString::fromUtf8(testing::readFile(jobs[i].logPath));
            QVERIFY2(log.trimmed() == QStringLiteral("task %1 in %2").arg(i).arg(m_dir.path()), qPrintable(log));
        }
        // One at a time (maxParallel 1): some task waited for the array's limit.
        bool limited = false;
        for (const QStringList &s : seen)
            limited = limited || s.join(QLatin1Char('\n')).contains(QStringLiteral("JobArrayTaskLimit"));
        QVERIFY2(limited, qPrintable(seen[2].join(QLatin1Char('\n'))));
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), id});
        QCOMPARE(record.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3);
    }

    void arrayTaskIdsAreReadAsSlurmWritesThem()
    {
        QCOMPARE(SlurmJobArray::taskIndexes(QStringLiteral("4")), (QVector<int>{4}));
        QCOMPARE(SlurmJobArray::taskIndexes(QStringLiteral("3-5")), (QVector<int>{3, 4, 5}));
        QCOMPARE(SlurmJobArray::taskIndexes(QStringLiteral("2-4%2")), (QVector<int>{2, 3, 4}));
        QCOMPARE(SlurmJobArray::taskIndexes(QStringLiteral("1,4-5")), (QVector<int>{1, 4, 5}));
        QVERIFY(SlurmJobArray::taskIndexes(QStringLiteral("N/A")).isEmpty());
    }

    void timeLimitsAreWrittenAsSlurmReadsThem()
    {
        QCOMPARE(slurmTimeLimit(1000), QStringLiteral("1"));
        QCOMPARE(slurmTimeLimit(60000), QStringLiteral("1"));
        QCOMPARE(slurmTimeLimit(60001), QStringLiteral("2"));
        QCOMPARE(slurmTimeLimit(90 * 60 * 1000), QStringLiteral("90"));
    }
};

QTEST_GUILESS_MAIN(TestSlurmExecutor)
#include "tst_slurm_executor.moc"
