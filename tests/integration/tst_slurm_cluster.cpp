// The test Slurm cluster (tests/support/slurm_cluster.sh, CTest fixture `slurm`) does what the
// Slurm executor's tests rely on: `sbatch --parsable` of a tiny script runs it to COMPLETED with
// its exit code, reported by `scontrol show job` (accounting_storage/none: no sacct) and by
// `squeue -t all` while slurmctld keeps the finished job; a failing script ends FAILED with its
// status; a job beyond the `small` partition's limits is refused at submission with Slurm's
// message. Requires the fixture (SLURM_CONF in the environment, set by orrery_requires_slurm).

#include "tests/support/test_support.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

namespace {

using Run = orrery::testing::ProcessResult;
using orrery::testing::readFile;
using orrery::testing::writeFile;

Run slurm(const QString &tool, const QStringList &args)
{
    return orrery::testing::run(tool, args);
}

// `scontrol -o show job ID`'s KEY=VALUE for one key ("JobState", "ExitCode", "Reason").
QString field(const QString &line, const QString &key)
{
    const QRegularExpression re(QStringLiteral("(?:^| )") + key + QStringLiteral("=(\\S*)"));
    return re.match(line).captured(1);
}

} // namespace

class TstSlurmCluster : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    // Submits `script` (written to the test's folder) with `options`; the job id.
    QString submit(const QString &name, const QByteArray &script, const QStringList &options = {})
    {
        const QString path = writeFile(m_dir.filePath(name), script);
        QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner);
        const Run r = slurm(QStringLiteral("sbatch"), QStringList{QStringLiteral("--parsable"), QStringLiteral("--chdir"), m_dir.path(),
                                                                  QStringLiteral("--output"), m_dir.filePath(QStringLiteral("slurm-%j.out"))}
                                                          + options + QStringList{path});
        if (!r.ok())
            qFatal("sbatch did not take the job: %s", qPrintable(r.describe()));
        // --parsable prints "ID" or "ID;CLUSTER".
        return r.out.trimmed().section(QLatin1Char(';'), 0, 0);
    }

    // Polls `scontrol -o show job ID` until the job has ended (no longer PENDING, RUNNING,
    // CONFIGURING or COMPLETING), for at most 60 s — a bound on a loaded machine, not a wait for
    // the job: the loop ends as soon as Slurm reports it done. Returns scontrol's line.
    QString waitForEnd(const QString &id)
    {
        QDeadlineTimer deadline(60000);
        QString line;
        while (!deadline.hasExpired()) {
            const Run r = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), id});
            if (!r.ok())
                qFatal("scontrol lost job %s: %s", qPrintable(id), qPrintable(r.describe()));
            line = r.out.trimmed();
            const QString state = field(line, QStringLiteral("JobState"));
            if (!state.isEmpty() && state != QLatin1String("PENDING") && state != QLatin1String("RUNNING") &&
                state != QLatin1String("CONFIGURING") && state != QLatin1String("COMPLETING"))
                return line;
            QThread::msleep(200);
        }
        qFatal("job %s did not end within 60 s: %s", qPrintable(id), qPrintable(line));
        return line;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QByteArray conf = qgetenv("SLURM_CONF");
        if (conf.isEmpty() || !QFile::exists(QString::fromLocal8Bit(conf)))
            QFAIL("SLURM_CONF does not name the test cluster's slurm.conf: run this test through CTest, whose fixture "
                  "`slurm` (slurm_cluster_start) starts the cluster (tests/support/CMakeLists.txt)");
        const Run sinfo = slurm(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%P %a %T")});
        QVERIFY2(sinfo.ok(), qPrintable(sinfo.describe()));
        QVERIFY2(sinfo.out.contains(QLatin1String("debug* up idle")), qPrintable(sinfo.out));
        QVERIFY2(sinfo.out.contains(QLatin1String("small up idle")), qPrintable(sinfo.out));
    }

    void aTinyJobRunsToCompleted()
    {
        const QString id = submit(QStringLiteral("ok.sh"), "#!/bin/sh\necho \"hello from job $SLURM_JOB_ID\"\n");
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d+$")).match(id).hasMatch(), qPrintable(id));
        const QString line = waitForEnd(id);
        QCOMPARE(field(line, QStringLiteral("JobState")), QStringLiteral("COMPLETED"));
        QCOMPARE(field(line, QStringLiteral("ExitCode")), QStringLiteral("0:0")); // STATUS:SIGNAL
        QCOMPARE(field(line, QStringLiteral("Partition")), QStringLiteral("debug")); // the default
        QCOMPARE(readFile(m_dir.filePath(QStringLiteral("slurm-%1.out").arg(id))), "hello from job " + id.toUtf8() + '\n');

        // squeue keeps showing it with -t all (while slurmctld keeps it, MinJobAge), not without.
        const Run all = slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("all"), QStringLiteral("-j"), id,
                                                         QStringLiteral("-o"), QStringLiteral("%i %T")});
        QVERIFY2(all.ok(), qPrintable(all.describe()));
        QCOMPARE(all.out.trimmed(), id + QStringLiteral(" COMPLETED"));
        const Run active = slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-j"), id, QStringLiteral("-o"), QStringLiteral("%i %T")});
        QVERIFY2(active.ok(), qPrintable(active.describe()));
        QCOMPARE(active.out.trimmed(), QString());
    }

    void aFailingJobEndsFailedWithItsStatus()
    {
        const QString id = submit(QStringLiteral("fail.sh"), "#!/bin/sh\nexit 3\n");
        const QString line = waitForEnd(id);
        QCOMPARE(field(line, QStringLiteral("JobState")), QStringLiteral("FAILED"));
        QCOMPARE(field(line, QStringLiteral("ExitCode")), QStringLiteral("3:0"));
        QCOMPARE(field(line, QStringLiteral("Reason")), QStringLiteral("NonZeroExitCode"));
        // jobcomp/filetxt keeps the record after slurmctld forgets the job (slurm_cluster.sh).
        const QString jobcomp = QFileInfo(QString::fromLocal8Bit(qgetenv("SLURM_CONF"))).absolutePath() + QStringLiteral("/jobcomp.txt");
        QVERIFY2(QString::fromUtf8(readFile(jobcomp)).contains(QRegularExpression(QStringLiteral("JobId=%1 .*JobState=FAILED .*ExitCode=3:0").arg(id))),
                 qPrintable(jobcomp));
    }

    void jobsBeyondTheSmallPartitionsLimitsAreRefusedWithSlurmsMessage()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("big.sh")), "#!/bin/sh\ntrue\n");
        // MaxMemPerNode=256 (MiB) on `small`.
        const Run memory = slurm(QStringLiteral("sbatch"), {QStringLiteral("--parsable"), QStringLiteral("-p"), QStringLiteral("small"),
                                                            QStringLiteral("--mem=1G"), path});
        QVERIFY2(!memory.crashed && memory.code == 1, qPrintable(memory.describe()));
        QVERIFY2(memory.err.contains(QLatin1String("sbatch: error: Batch job submission failed: Memory required by task is not available")),
                 qPrintable(memory.describe()));
        QCOMPARE(memory.out.trimmed(), QString()); // no job id: nothing was queued
        // MaxTime=1 (minute) on `small`.
        const Run time = slurm(QStringLiteral("sbatch"), {QStringLiteral("--parsable"), QStringLiteral("-p"), QStringLiteral("small"),
                                                          QStringLiteral("--time=5"), path});
        QVERIFY2(!time.crashed && time.code == 1, qPrintable(time.describe()));
        QVERIFY2(time.err.contains(QLatin1String("Requested time limit is invalid")), qPrintable(time.describe()));
        // Within the limits, the same partition takes it: asking for memory, and asking for none
        // (the partition's default per CPU, under its maximum).
        for (const QStringList &memory : {QStringList{QStringLiteral("--mem=100M")}, QStringList{}}) {
            const QString id = submit(QStringLiteral("fits.sh"), "#!/bin/sh\ntrue\n", QStringList{QStringLiteral("-p"), QStringLiteral("small")} + memory);
            const QString line = waitForEnd(id);
            QCOMPARE(field(line, QStringLiteral("JobState")), QStringLiteral("COMPLETED"));
            QCOMPARE(field(line, QStringLiteral("Partition")), QStringLiteral("small"));
        }
    }

    void anUnknownPartitionIsRefused()
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("nowhere.sh")), "#!/bin/sh\ntrue\n");
        const Run r = slurm(QStringLiteral("sbatch"), {QStringLiteral("--parsable"), QStringLiteral("-p"), QStringLiteral("nowhere"), path});
        QVERIFY2(!r.crashed && r.code == 1, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("invalid partition specified: nowhere")), qPrintable(r.describe()));
    }
};

QTEST_GUILESS_MAIN(TstSlurmCluster)
#include "tst_slurm_cluster.moc"
