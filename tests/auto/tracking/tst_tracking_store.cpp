#include "core/store/database.h"
#include "core/tracking/tracking_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

using namespace orrery;
using namespace orrery::tracking;

class TstTrackingStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    int m_n = 0;

private Q_SLOTS:
    void init()
    {
        store::OpenOptions o;
        o.create = true;
        m_db = std::move(*store::Database::open(m_dir.filePath(QStringLiteral("t%1.db").arg(++m_n)), o));
    }

    void defaultExperimentExists()
    {
        TrackingStore t(*m_db);
        auto e = t.experiment(QStringLiteral("0"));
        QVERIFY(e.isOk());
        QCOMPARE(e->name, QStringLiteral("Default"));
        QCOMPARE(t.setExperimentLifecycle(QStringLiteral("0"), true).code(), ErrorCode::InvalidArgument);
    }

    void experimentsCreateGetAndDuplicate()
    {
        TrackingStore t(*m_db);
        auto id = t.createExperiment(QStringLiteral("fraud"), QString(), {{QStringLiteral("team"), QStringLiteral("risk")}});
        QVERIFY(id.isOk());
        QCOMPARE(*id, QStringLiteral("1"));
        auto e = t.experimentByName(QStringLiteral("fraud"));
        QCOMPARE(e->id, *id);
        QCOMPARE(e->artifactLocation, QStringLiteral("mlflow-artifacts:/1"));
        QCOMPARE(e->tags.size(), 1);
        auto dup = t.createExperiment(QStringLiteral("fraud"));
        QCOMPARE(dup.status().code(), ErrorCode::AlreadyExists);
        QCOMPARE(t.experimentByName(QStringLiteral("nope")).status().code(), ErrorCode::NotFound);
        QCOMPARE(t.experiment(QStringLiteral("abc")).status().code(), ErrorCode::NotFound);
        QVERIFY(t.setExperimentLifecycle(*id, true).isOk());
        QCOMPARE(t.experiments(ViewType::ActiveOnly)->size(), 1);
        QCOMPARE(t.experiments(ViewType::DeletedOnly)->size(), 1);
        QCOMPARE(t.experiments(ViewType::All)->size(), 2);
        QCOMPARE(t.createRun(*id).status().code(), ErrorCode::InvalidArgument); // deleted experiment
    }

    // The C++ API has MLflow's rules too: runs follow their experiment's delete and restore, a
    // deleted experiment keeps its name, and a failed rename changes nothing.
    void experimentRenameAndCascade()
    {
        TrackingStore t(*m_db);
        auto id = t.createExperiment(QStringLiteral("old"));
        QVERIFY(t.createExperiment(QStringLiteral("taken")).isOk());
        auto a = t.createRun(*id);
        auto b = t.createRun(*id);
        auto elsewhere = t.createRun(QStringLiteral("0"));
        QVERIFY(a.isOk() && b.isOk() && elsewhere.isOk());
        QVERIFY(t.renameExperiment(*id, QStringLiteral("new")).isOk());
        QCOMPARE(t.experiment(*id)->name, QStringLiteral("new"));
        QCOMPARE(t.renameExperiment(*id, QStringLiteral("taken")).code(), ErrorCode::AlreadyExists);
        QCOMPARE(t.renameExperiment(*id, QString()).code(), ErrorCode::InvalidArgument);
        QCOMPARE(t.renameExperiment(QStringLiteral("42"), QStringLiteral("x")).code(), ErrorCode::NotFound);
        QCOMPARE(t.experiment(*id)->name, QStringLiteral("new"));

        QVERIFY(t.setExperimentLifecycle(*id, true).isOk());
        QCOMPARE(t.runInfo(a->runId)->lifecycleStage, QStringLiteral("deleted"));
        QCOMPARE(t.runInfo(b->runId)->lifecycleStage, QStringLiteral("deleted"));
        QCOMPARE(t.runInfo(elsewhere->runId)->lifecycleStage, QStringLiteral("active"));
        QCOMPARE(t.renameExperiment(*id, QStringLiteral("newer")).code(), ErrorCode::FailedPrecondition);
        QVERIFY(t.setExperimentLifecycle(*id, false).isOk());
        QCOMPARE(t.runInfo(a->runId)->lifecycleStage, QStringLiteral("active"));
        QCOMPARE(t.runInfo(b->runId)->lifecycleStage, QStringLiteral("active"));
    }

    void datasetInputs()
    {
        TrackingStore t(*m_db);
        auto run = t.createRun(QStringLiteral("0"));
        QVERIFY(run.isOk());
        DatasetInput in{{QStringLiteral("train"), QStringLiteral("abc"), QStringLiteral("local"), QStringLiteral("train.csv"), QStringLiteral(""), std::nullopt},
                        {{QStringLiteral("mlflow.data.context"), QStringLiteral("training")}}};
        DatasetInput bad = in;
        bad.dataset.digest = QString(37, QLatin1Char('d'));
        const Status refused = t.logInputs(run->runId, {in, bad});
        QCOMPARE(refused.code(), ErrorCode::InvalidArgument);
        QVERIFY2(refused.message().contains(QLatin1String("datasets[1].dataset.digest")), qPrintable(refused.message()));
        QVERIFY(t.run(run->runId)->datasetInputs.isEmpty());
        QVERIFY(t.logInputs(run->runId, {in, in}).isOk());
        auto r = t.run(run->runId);
        QCOMPARE(r->datasetInputs.size(), 1);
        QCOMPARE(r->datasetInputs[0].dataset.schema, std::optional<QString>(QString())); // sent empty: kept, not absent
        QVERIFY(!r->datasetInputs[0].dataset.profile);
        QCOMPARE(r->datasetInputs[0].tags.size(), 1);
    }

    void runLifecycleParamsTags()
    {
        TrackingStore t(*m_db);
        auto run = t.createRun(QStringLiteral("0"), QStringLiteral("baseline"), 1700000000000, {{QStringLiteral("k"), QStringLiteral("v")}});
        QVERIFY(run.isOk());
        QCOMPARE(run->runId.size(), 32);
        QCOMPARE(run->status, RunStatus::Running);
        QCOMPARE(run->artifactUri, QStringLiteral("mlflow-artifacts:/0/%1/artifacts").arg(run->runId));
        QVERIFY(t.logParam(run->runId, {QStringLiteral("lr"), QStringLiteral("0.01")}).isOk());
        QVERIFY(t.logParam(run->runId, {QStringLiteral("lr"), QStringLiteral("0.01")}).isOk()); // same value: fine
        auto changed = t.logParam(run->runId, {QStringLiteral("lr"), QStringLiteral("0.1")});
        QCOMPARE(changed.code(), ErrorCode::InvalidArgument);
        QVERIFY(changed.message().contains(QStringLiteral("Changing param values is not allowed")));
        QVERIFY(t.setTag(run->runId, {QStringLiteral("k"), QStringLiteral("v2")}).isOk());
        const RunStatus finished = RunStatus::Finished;
        auto updated = t.updateRun(run->runId, &finished, 1700000005000, QString());
        QCOMPARE(updated->status, RunStatus::Finished);
        QCOMPARE(updated->endTime, qint64(1700000005000));
        auto full = t.run(run->runId);
        QCOMPARE(full->params.size(), 1);
        QCOMPARE(full->params.first().value, QStringLiteral("0.01"));
        QStringList tags;
        for (const auto &kv : full->tags)
            tags << kv.key + QLatin1Char('=') + kv.value;
        QCOMPARE(tags, (QStringList{QStringLiteral("k=v2"), QStringLiteral("mlflow.runName=baseline")}));

        QVERIFY(t.setRunLifecycle(run->runId, true).isOk());
        QCOMPARE(t.logParam(run->runId, {QStringLiteral("x"), QStringLiteral("1")}).code(), ErrorCode::InvalidArgument);
        QVERIFY(t.setRunLifecycle(run->runId, false).isOk());
        QVERIFY(t.logParam(run->runId, {QStringLiteral("x"), QStringLiteral("1")}).isOk());
        QCOMPARE(t.runInfo(QStringLiteral("0123456789abcdef0123456789abcdef")).status().code(), ErrorCode::NotFound);
    }

    void runNameAndTagMustAgree()
    {
        TrackingStore t(*m_db);
        auto bad = t.createRun(QStringLiteral("0"), QStringLiteral("a"), 0, {{QStringLiteral("mlflow.runName"), QStringLiteral("b")}});
        QCOMPARE(bad.status().code(), ErrorCode::InvalidArgument);
        auto fromTag = t.createRun(QStringLiteral("0"), QString(), 0, {{QStringLiteral("mlflow.runName"), QStringLiteral("b")}});
        QCOMPARE(fromTag->runName, QStringLiteral("b"));
        auto generated = t.createRun(QStringLiteral("0"));
        QVERIFY(generated->runName.count(QLatin1Char('-')) == 2);
    }

    void badKeysAndValuesChangeNothing_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("valueLength");
        QTest::newRow("dotdot") << "../../etc" << 1;
        QTest::newRow("leading slash") << "/abs" << 1;
        QTest::newRow("too long") << QString(251, QLatin1Char('k')) << 1;
        QTest::newRow("empty") << "" << 1;
        QTest::newRow("bad char") << "a;b" << 1;
        QTest::newRow("value too long") << "ok" << 6001;
    }
    void badKeysAndValuesChangeNothing()
    {
        QFETCH(QString, key);
        QFETCH(int, valueLength);
        TrackingStore t(*m_db);
        auto run = t.createRun(QStringLiteral("0"));
        const Status s = t.logBatchParamsAndTags(run->runId, {{QStringLiteral("good"), QStringLiteral("1")}, {key, QString(valueLength, QLatin1Char('v'))}}, {});
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY(t.run(run->runId)->params.isEmpty()); // all or nothing
    }

    void deadProcessesAndSilentRunsAreMarkedFailed()
    {
        TrackingStore t(*m_db);
        auto owned = t.createRun(QStringLiteral("0"));
        auto silent = t.createRun(QStringLiteral("0"));
        auto alive = t.createRun(QStringLiteral("0"));
        // A child that exits at once: its PID is certainly dead afterwards.
        const pid_t child = fork();
        if (child == 0)
            _exit(0);
        waitpid(child, nullptr, 0);
        QVERIFY(m_db->exec(QStringLiteral("UPDATE runs SET pid = %1 WHERE id = '%2'").arg(child).arg(owned->runId)).isOk());
        QVERIFY(m_db->exec(QStringLiteral("UPDATE runs SET pid = %1 WHERE id = '%2'").arg(getpid()).arg(alive->runId)).isOk());
        QVERIFY(m_db->exec(QStringLiteral("UPDATE runs SET heartbeat_time = 1000 WHERE id = '%1'").arg(silent->runId)).isOk());
        auto marked = t.markDeadRuns();
        QCOMPARE(*marked, 2);
        QCOMPARE(t.runInfo(owned->runId)->status, RunStatus::Failed);
        QVERIFY(t.runInfo(owned->runId)->statusReason.contains(QStringLiteral("PID %1").arg(child)));
        QCOMPARE(t.runInfo(silent->runId)->status, RunStatus::Failed);
        QVERIFY(t.runInfo(silent->runId)->endTime > 0);
        QCOMPARE(t.runInfo(alive->runId)->status, RunStatus::Running);
    }
};

QTEST_GUILESS_MAIN(TstTrackingStore)
#include "tst_tracking_store.moc"
