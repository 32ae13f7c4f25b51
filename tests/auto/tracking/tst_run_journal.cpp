// The run journal of a job on another node (core/tracking/run_journal.h) and its import into the
// workspace database (run_journal_import.h): what the node wrote is what the workspace shows —
// params, tags, every metric point (NaN and infinities included, across block boundaries), the
// artifacts byte for byte, the end state — recorded once however often it is imported; a job
// killed in the middle of a write loses only the torn record, which is reported by its line.

#include "core/data/content_cache.h"
#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/metric_history.h"
#include "core/tracking/run_journal.h"
#include "core/tracking/run_journal_import.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::tracking;

namespace {

QByteArray md5Of(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeBytes(const QString &path, const QByteArray &bytes, QIODevice::OpenMode mode = QIODevice::WriteOnly)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(mode));
    QCOMPARE(f.write(bytes), bytes.size());
}

QString tag(const Run &r, const QString &key)
{
    for (const KeyValue &t : r.tags)
        if (t.key == key)
            return t.value;
    return QStringLiteral("<none>");
}

qint64 count(store::Database &db, const QString &sql)
{
    auto s = db.prepare(sql);
    return s && s->next() ? s->int64(0) : -1;
}

// Every row an import writes, as one string: equal before and after a second import.
QString snapshot(store::Database &db)
{
    QStringList parts;
    for (const char *table : {"runs", "tags", "params", "metric_points", "metric_blocks", "metric_segments", "latest_metrics", "artifacts",
                              "cache_refs", "run_manifests", "experiments"})
        parts << QStringLiteral("%1=%2").arg(QLatin1String(table)).arg(count(db, QStringLiteral("SELECT count(*) FROM %1").arg(QLatin1String(table))));
    auto s = db.prepare(QStringLiteral("SELECT id, status, end_time, name FROM runs ORDER BY id"));
    while (s->next())
        parts << s->text(0) + s->text(1) + QString::number(s->int64(2)) + s->text(3);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TstRunJournal : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_root;
    std::unique_ptr<store::Database> m_db;
    int m_n = 0;

    QString jobDir(const QString &name) const { return m_root + QStringLiteral("/.orrery/jobs/") + name; }

private Q_SLOTS:
    void init()
    {
        m_root = m_dir.filePath(QStringLiteral("ws%1").arg(++m_n));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/.orrery/cache")));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_root + QStringLiteral("/.orrery/orrery.db"), o);
        QVERIFY2(db.isOk(), qPrintable(db.status().message()));
        m_db = std::move(*db);
    }

    void writtenOnTheNodeImportedExactlyOnce()
    {
        // The stage's run, under which the node's run hangs (as the pipeline makes it).
        TrackingStore store(*m_db);
        auto parent = store.createRun(QStringLiteral("0"), QStringLiteral("stage train"));
        QVERIFY(parent.isOk());

        const QString job = jobDir(QStringLiteral("stage-train-1"));
        const QByteArray model = QByteArray("model bytes ") + QByteArray(300000, 'x') + "end";
        writeBytes(m_dir.filePath(QStringLiteral("model.pt")), model);
        QString runId;
        QVector<MetricPoint> loss;
        {
            auto w = RunJournalWriter::open(job);
            QVERIFY2(w.isOk(), qPrintable(w.status().message()));
            JournalRunStart s;
            s.experiment = QStringLiteral("churn");
            s.runName = QStringLiteral("on the node");
            s.parentRunId = parent->runId;
            s.startTime = 1700000000000;
            s.tags = {{QStringLiteral("orrery.executor"), QStringLiteral("slurm")}, {QStringLiteral("orrery.job_id"), QStringLiteral("1234")}};
            auto id = (*w)->start(s);
            QVERIFY(id.isOk());
            runId = *id;
            QCOMPARE(runId.size(), 32);
            QVERIFY((*w)->params(runId, {{QStringLiteral("lr"), QStringLiteral("0.01")}, {QStringLiteral("model.hidden"), QStringLiteral("[16, 8]")}}).isOk());
            QVERIFY((*w)->manifest(runId, QJsonObject{{QStringLiteral("seeds"), QJsonObject{{QStringLiteral("training.seed"), 7}}}}).isOk());
            // 2,500 points: two full blocks and a part, in more than one batch of the writer.
            for (int i = 0; i < 2500; ++i) {
                const double v = i == 10 ? std::nan("") : i == 11 ? INFINITY : i == 12 ? -INFINITY : 1.0 / (i + 1);
                const MetricPoint p{i, 1700000000000 + i, v};
                loss.append(p);
                (*w)->metric(runId, QStringLiteral("train_loss"), p);
            }
            (*w)->metric(runId, QStringLiteral("val_roc_auc"), {1, 1700000005000, 0.75});
            (*w)->metric(runId, QStringLiteral("val_roc_auc"), {2, 1700000006000, 0.8125});
            auto copy = (*w)->artifact(runId, QStringLiteral("model/model.pt"), m_dir.filePath(QStringLiteral("model.pt")));
            QVERIFY2(copy.isOk(), qPrintable(copy.status().message()));
            QVERIFY(copy->startsWith(job));
            QVERIFY((*w)->tags(runId, {{QStringLiteral("orrery.model_md5"), QString::fromLatin1(md5Of(model))}}).isOk());
            QVERIFY((*w)->end(runId, RunStatus::Finished, 1700000009000).isOk());
        }
        // Nothing reached the database yet: only the job folder.
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM runs")), qint64(1));

        auto imported = importRunJournal(*m_db, m_root, job);
        QVERIFY2(imported.isOk(), qPrintable(imported.status().message()));
        QCOMPARE(imported->recorded, QStringList{runId});
        QVERIFY(imported->warnings.isEmpty());

        auto run = store.run(runId);
        QVERIFY2(run.isOk(), qPrintable(run.status().message()));
        QCOMPARE(run->info.status, RunStatus::Finished);
        QCOMPARE(run->info.runName, QStringLiteral("on the node"));
        QCOMPARE(run->info.startTime, qint64(1700000000000));
        QCOMPARE(run->info.endTime, qint64(1700000009000));
        QCOMPARE(store.experiment(run->info.experimentId)->name, QStringLiteral("churn"));
        QCOMPARE(run->params.size(), 2);
        QCOMPARE(run->params[0].key, QStringLiteral("lr"));
        QCOMPARE(run->params[0].value, QStringLiteral("0.01"));
        QCOMPARE(run->params[1].value, QStringLiteral("[16, 8]"));
        QCOMPARE(tag(*run, QStringLiteral("mlflow.parentRunId")), parent->runId);
        QCOMPARE(tag(*run, QStringLiteral("orrery.executor")), QStringLiteral("slurm"));
        QCOMPARE(tag(*run, QStringLiteral("orrery.job_id")), QStringLiteral("1234"));
        QCOMPARE(tag(*run, QStringLiteral("orrery.recorded_from")), QStringLiteral("journal"));
        QCOMPARE(tag(*run, QStringLiteral("orrery.journal")), QStringLiteral(".orrery/jobs/stage-train-1/tracking.jsonl"));
        QCOMPARE(tag(*run, QStringLiteral("orrery.model_md5")), QString::fromLatin1(md5Of(model)));
        QCOMPARE(loadManifest(*m_db, runId)->json.value(QStringLiteral("seeds")).toObject().value(QStringLiteral("training.seed")).toInt(), 7);

        // Every point, bit for bit (NaN stays NaN, the infinities stay), in order.
        auto history = metricHistory(*m_db, runId, QStringLiteral("train_loss"), 0, 100000);
        QVERIFY2(history.isOk(), qPrintable(history.status().message()));
        QCOMPARE(history->size(), loss.size());
        for (int i = 0; i < loss.size(); ++i) {
            QCOMPARE((*history)[i].step, loss[i].step);
            QCOMPARE((*history)[i].timestamp, loss[i].timestamp);
            if (std::isnan(loss[i].value))
                QVERIFY(std::isnan((*history)[i].value));
            else
                QCOMPARE((*history)[i].value, loss[i].value);
        }
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM metric_blocks WHERE run_id = '%1' AND key = 'train_loss'").arg(runId)), qint64(3));
        bool sawAuc = false;
        for (const Metric &m : run->metrics)
            if (m.key == QLatin1String("val_roc_auc")) {
                sawAuc = true;
                QCOMPARE(m.value, 0.8125);
                QCOMPARE(m.step, qint64(2));
            }
        QVERIFY(sawAuc);

        // The artifact is in the content cache, the same bytes, kept from `data gc` by the run.
        ArtifactStore artifacts(*m_db, m_root + QStringLiteral("/.orrery/cache"));
        auto file = artifacts.fileFor(QStringLiteral("%1/%2/artifacts/model/model.pt").arg(run->info.experimentId, runId));
        QVERIFY2(file.isOk(), qPrintable(file.status().message()));
        QCOMPARE(md5Of(readAll(*file)), md5Of(model));
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM cache_refs WHERE owner = 'run:%1' AND md5 = '%2'").arg(runId, QString::fromLatin1(md5Of(model)))), qint64(1));

        // Imported again (the submitter retried, or two of them looked): nothing changes.
        const QString before = snapshot(*m_db);
        auto again = importRunJournal(*m_db, m_root, job);
        QVERIFY2(again.isOk(), qPrintable(again.status().message()));
        QVERIFY(again->recorded.isEmpty());
        QCOMPARE(again->alreadyRecorded, QStringList{runId});
        QCOMPARE(snapshot(*m_db), before);
    }

    void aTornLastLineLosesOnlyThatRecord()
    {
        const QString job = jobDir(QStringLiteral("killed"));
        QString runId;
        {
            auto w = RunJournalWriter::open(job);
            QVERIFY(w.isOk());
            JournalRunStart s;
            s.experiment = QStringLiteral("killed");
            runId = *(*w)->start(s);
            QVERIFY((*w)->params(runId, {{QStringLiteral("epochs"), QStringLiteral("9")}}).isOk());
            for (int i = 0; i < 5; ++i)
                (*w)->metric(runId, QStringLiteral("train_loss"), {i, 1700000000000 + i, 0.5 - 0.01 * i});
            QVERIFY((*w)->flush().isOk());
        }
        // The job was killed while it wrote its next record: half a line, no newline.
        const QString journal = job + QStringLiteral("/tracking.jsonl");
        writeBytes(journal, QByteArray("{\"type\":\"metrics\",\"run\":\"") + runId.toLatin1() + "\",\"points\":[[\"train_lo", QIODevice::Append);
        const int tornLine = int(readAll(journal).count('\n')) + 1;

        auto imported = importRunJournal(*m_db, m_root, job);
        QVERIFY2(imported.isOk(), qPrintable(imported.status().message()));
        QCOMPARE(imported->recorded, QStringList{runId});
        const QString warnings = imported->warnings.join(QLatin1Char('\n'));
        QVERIFY2(warnings.contains(QStringLiteral("%1:%2: a record the job did not finish writing").arg(journal).arg(tornLine)), qPrintable(warnings));
        QVERIFY2(warnings.contains(QStringLiteral("has no end record")), qPrintable(warnings));
        TrackingStore store(*m_db);
        auto run = store.run(runId);
        QVERIFY(run.isOk());
        // Ended by its job, not by itself: FAILED, saying so.
        QCOMPARE(run->info.status, RunStatus::Failed);
        QVERIFY2(run->info.statusReason.contains(QLatin1String("no end record")), qPrintable(run->info.statusReason));
        QCOMPARE(run->params.size(), 1);
        QCOMPARE(*metricPointCount(*m_db, runId, QStringLiteral("train_loss")), qint64(5));

        // A second command of the same job appends after the torn line: the writer ends it, and
        // both runs' complete records are recorded.
        QString second;
        {
            auto w = RunJournalWriter::open(job);
            QVERIFY(w.isOk());
            second = *(*w)->start(JournalRunStart{});
            QVERIFY((*w)->end(second, RunStatus::Finished, 0).isOk());
        }
        auto contents = readRunJournal(journal);
        QVERIFY2(contents.isOk(), qPrintable(contents.status().message()));
        QCOMPARE(contents->tornLines, QVector<int>{tornLine});
        auto more = importRunJournal(*m_db, m_root, job);
        QVERIFY2(more.isOk(), qPrintable(more.status().message()));
        QCOMPARE(more->recorded, QStringList{second});
        QCOMPARE(more->alreadyRecorded, QStringList{runId});
        QCOMPARE(store.runInfo(second)->status, RunStatus::Finished);
    }

    void aDamagedLineIsNamedAndNothingOfItsRunIsRecorded()
    {
        const QString job = jobDir(QStringLiteral("damaged"));
        QString runId;
        {
            auto w = RunJournalWriter::open(job);
            QVERIFY(w.isOk());
            runId = *(*w)->start(JournalRunStart{});
        }
        const QString journal = job + QStringLiteral("/tracking.jsonl");
        writeBytes(journal, "not json at all\n{\"type\":\"end\",\"run\":\"" + runId.toLatin1() + "\",\"status\":\"FINISHED\",\"end_time\":5}\n",
                   QIODevice::Append);
        auto imported = importRunJournal(*m_db, m_root, job);
        QVERIFY(!imported.isOk());
        QVERIFY2(imported.status().message().startsWith(journal + QStringLiteral(":2: not a journal record")), qPrintable(imported.status().message()));
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM runs")), qint64(0));

        // An unknown status is named with its line too.
        const QString other = jobDir(QStringLiteral("bad-status"));
        {
            auto w = RunJournalWriter::open(other);
            runId = *(*w)->start(JournalRunStart{});
        }
        writeBytes(other + QStringLiteral("/tracking.jsonl"), "{\"type\":\"end\",\"run\":\"" + runId.toLatin1() + "\",\"status\":\"DONE\"}\n", QIODevice::Append);
        auto bad = importRunJournal(*m_db, m_root, other);
        QVERIFY(!bad.isOk());
        QVERIFY2(bad.status().message().contains(QStringLiteral("tracking.jsonl:2: 'DONE' is not a run status")), qPrintable(bad.status().message()));
    }

    void aChangedArtifactIsRefused()
    {
        const QString job = jobDir(QStringLiteral("tampered"));
        writeBytes(m_dir.filePath(QStringLiteral("eval.json")), "{\"auc\": 0.9}\n");
        QString copy;
        {
            auto w = RunJournalWriter::open(job);
            const QString runId = *(*w)->start(JournalRunStart{});
            copy = *(*w)->artifact(runId, QStringLiteral("evaluation.json"), m_dir.filePath(QStringLiteral("eval.json")));
            QVERIFY((*w)->end(runId, RunStatus::Finished, 0).isOk());
        }
        writeBytes(copy, "{\"auc\": 0.99}\n");
        auto imported = importRunJournal(*m_db, m_root, job);
        QVERIFY(!imported.isOk());
        QVERIFY2(imported.status().message().contains(QStringLiteral("tracking.jsonl:2: artifact 'evaluation.json'")), qPrintable(imported.status().message()));
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM runs")), qint64(0));
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM artifacts")), qint64(0));
    }

    void aResumedRunContinuesWhereItWas()
    {
        const QString first = jobDir(QStringLiteral("first"));
        QString runId;
        {
            auto w = RunJournalWriter::open(first);
            JournalRunStart s;
            s.experiment = QStringLiteral("long");
            runId = *(*w)->start(s);
            for (int i = 0; i < 3; ++i)
                (*w)->metric(runId, QStringLiteral("train_loss"), {i, 1000 + i, double(i)});
            QVERIFY((*w)->end(runId, RunStatus::Killed, 2000).isOk());
        }
        QVERIFY(importRunJournal(*m_db, m_root, first).isOk());
        const QString second = jobDir(QStringLiteral("second"));
        {
            auto w = RunJournalWriter::open(second);
            JournalRunStart s;
            s.runId = runId;
            s.resume = true;
            s.tags = {{QStringLiteral("orrery.resumed_at"), QStringLiteral("now")}};
            QCOMPARE(*(*w)->start(s), runId);
            for (int i = 3; i < 5; ++i)
                (*w)->metric(runId, QStringLiteral("train_loss"), {i, 1000 + i, double(i)});
            QVERIFY((*w)->end(runId, RunStatus::Finished, 3000).isOk());
        }
        auto imported = importRunJournal(*m_db, m_root, second);
        QVERIFY2(imported.isOk(), qPrintable(imported.status().message()));
        QCOMPARE(imported->recorded, QStringList{runId});
        auto history = metricHistory(*m_db, runId, QStringLiteral("train_loss"), 0, 100);
        QCOMPARE(history->size(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE((*history)[i].value, double(i));
        TrackingStore store(*m_db);
        QCOMPARE(store.runInfo(runId)->status, RunStatus::Finished);
        QCOMPARE(store.runInfo(runId)->endTime, qint64(3000));
        // Both journals again: nothing changes.
        const QString before = snapshot(*m_db);
        QVERIFY(importRunJournal(*m_db, m_root, first).isOk());
        QVERIFY(importRunJournal(*m_db, m_root, second).isOk());
        QCOMPARE(snapshot(*m_db), before);

        // A job folder without a journal (a command that tracks nothing): nothing to do.
        QVERIFY(QDir().mkpath(jobDir(QStringLiteral("quiet"))));
        auto none = importRunJournal(*m_db, m_root, jobDir(QStringLiteral("quiet")));
        QVERIFY(none.isOk());
        QVERIFY(none->journal.isEmpty() && none->recorded.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstRunJournal)
#include "tst_run_journal.moc"
