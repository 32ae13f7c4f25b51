// core/registry's ModelRegistry over a real database: versions and their numbering, the champion /
// challenger rule (first passing version is champion, later passing ones challenger, failing ones
// kept with their reasons and no alias), promote and its blockers, demote back to the previous
// champion, archive, aliases on missing or archived versions, which version held an alias at any
// moment (a pinned clock), names that cannot be part of a URI, rename carrying everything, every
// change in the audit log with an intact chain, webhook deliveries queued with their change, and
// the model gates (first version rule, a metric nobody logged named, signature compatibility).
#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/registry/model_gates.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::registry;

namespace {

QJsonObject signature(int width)
{
    return {{QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("features")},
                                                              {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                                              {QStringLiteral("shape"), QJsonArray{-1, width}}}}},
            {QStringLiteral("outputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("score")},
                                                               {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                                               {QStringLiteral("shape"), QJsonArray{-1, 1}}}}}};
}

NewVersion candidate(const QString &md5, Validation validation, const QVector<GateOutcome> &outcomes = {})
{
    NewVersion v;
    v.name = QStringLiteral("fraud");
    v.source = QStringLiteral("models/model.pt");
    v.modelMd5 = md5;
    v.modelFileName = QStringLiteral("model.pt");
    v.format = QStringLiteral("torchscript");
    v.signature = signature(12);
    v.validation = validation;
    v.gateOutcomes = outcomes;
    v.lineage = {{QStringLiteral("metrics"), QJsonObject{{QStringLiteral("roc_auc"), 0.9}}}};
    return v;
}

} // namespace

class TstModelRegistry : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    common::ManualClock m_clock{QDateTime(QDate(2026, 12, 1), QTime(9, 0), Qt::UTC)};
    std::unique_ptr<ModelRegistry> m_registry;

    int count(const QString &sql)
    {
        auto s = m_db->prepare(sql);
        if (!s || !s->next())
            qFatal("query failed: %s", qPrintable(sql));
        return int(s->int64(0));
    }

private Q_SLOTS:
    void initTestCase()
    {
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("orrery.db")), o);
        QVERIFY2(db, qPrintable(db.status().message()));
        m_db = std::move(*db);
        m_registry = std::make_unique<ModelRegistry>(*m_db, &m_clock, QStringLiteral("alice"));
        // A webhook for every event, so each change's deliveries can be counted.
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO webhooks(url, events, secret, created) VALUES ('http://127.0.0.1:9/h', '*', 's', 0)")));
    }

    void namesThatCannotBePartOfAUriAreRefused()
    {
        for (const QString &bad : {QStringLiteral("a/b"), QStringLiteral("../x"), QStringLiteral("a..b"), QStringLiteral("bad\x01name"),
                                   QStringLiteral(""), QStringLiteral(" padded"), QString(300, QLatin1Char('x'))}) {
            auto r = m_registry->createModel(bad);
            QVERIFY2(!r && r.status().code() == ErrorCode::InvalidArgument, qPrintable(bad));
            QVERIFY(r.status().message().contains(QLatin1String("model name")));
        }
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM registered_models")), 0);
        QVERIFY(!m_registry->validateAlias(QStringLiteral("latest")).isOk());
        QVERIFY(!m_registry->validateAlias(QStringLiteral("v3")).isOk());
        QVERIFY(!m_registry->validateAlias(QStringLiteral("a b")).isOk());
        QVERIFY(m_registry->validateAlias(QStringLiteral("staging-eu_1")).isOk());
    }

    void firstPassingVersionIsChampionTheNextChallenger()
    {
        auto v1 = m_registry->recordValidatedVersion(candidate(QStringLiteral("11111111111111111111111111111111"), Validation::Passed));
        QVERIFY2(v1, qPrintable(v1.status().message()));
        QCOMPARE(v1->version, 1);
        QCOMPARE(v1->aliases, QStringList{QStringLiteral("champion")});
        m_clock.advanceMs(60000);
        auto v2 = m_registry->recordValidatedVersion(candidate(QStringLiteral("22222222222222222222222222222222"), Validation::Passed));
        QVERIFY(v2);
        QCOMPARE(v2->version, 2);
        QCOMPARE(v2->aliases, QStringList{QStringLiteral("challenger")});
        auto model = m_registry->model(QStringLiteral("fraud"));
        QVERIFY(model);
        QCOMPARE(model->aliasVersion(QStringLiteral("champion")), 1);
        QCOMPARE(model->aliasVersion(QStringLiteral("challenger")), 2);
        QCOMPARE(model->versionCount, 2);
        QCOMPARE(model->latestVersion, 2);
    }

    void aFailingVersionIsKeptWithItsReasonsAndNoAlias()
    {
        m_clock.advanceMs(60000);
        const QVector<GateOutcome> failed{{QStringLiteral("roc_auc >= 0.95"), false, QStringLiteral("roc_auc = 0.9, needs >= 0.95")}};
        auto v3 = m_registry->recordValidatedVersion(candidate(QStringLiteral("33333333333333333333333333333333"), Validation::Failed, failed));
        QVERIFY(v3);
        QCOMPARE(v3->version, 3);
        QVERIFY(v3->aliases.isEmpty());
        QCOMPARE(v3->validation, Validation::Failed);
        auto model = m_registry->model(QStringLiteral("fraud"));
        QCOMPARE(model->aliasVersion(QStringLiteral("challenger")), 2); // unchanged
        auto blocker = m_registry->promotionBlocker(QStringLiteral("fraud"), 3);
        QVERIFY(blocker);
        QVERIFY2(blocker->contains(QLatin1String("roc_auc = 0.9, needs >= 0.95")), qPrintable(*blocker));
        auto promoted = m_registry->promote(QStringLiteral("fraud"), 3);
        QVERIFY(!promoted);
        QCOMPARE(promoted.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY(promoted.status().message().contains(QLatin1String("failed its gates")));
        QCOMPARE(m_registry->model(QStringLiteral("fraud"))->aliasVersion(QStringLiteral("champion")), 1);
    }

    void promoteMovesChampionAndDemoteGivesItBack()
    {
        m_clock.advanceMs(60000);
        auto promoted = m_registry->promote(QStringLiteral("fraud"), 0, QStringLiteral("better recall"));
        QVERIFY2(promoted, qPrintable(promoted.status().message()));
        QCOMPARE(promoted->version, 2);
        auto model = m_registry->model(QStringLiteral("fraud"));
        QCOMPARE(model->aliasVersion(QStringLiteral("champion")), 2);
        QCOMPARE(model->aliasVersion(QStringLiteral("challenger")), 0); // the challenger became champion
        auto again = m_registry->promote(QStringLiteral("fraud"));
        QVERIFY(!again);
        QVERIFY(again.status().message().contains(QLatin1String("no challenger")));

        m_clock.advanceMs(60000);
        auto back = m_registry->demote(QStringLiteral("fraud"), QStringLiteral("latency regression"));
        QVERIFY2(back, qPrintable(back.status().message()));
        QCOMPARE(*back, 1);
        QCOMPARE(m_registry->model(QStringLiteral("fraud"))->aliasVersion(QStringLiteral("champion")), 1);
    }

    void aliasesRefuseMissingAndArchivedVersions()
    {
        auto missing = m_registry->setAlias(QStringLiteral("fraud"), QStringLiteral("staging"), 99);
        QCOMPARE(missing.code(), ErrorCode::NotFound);
        QVERIFY(missing.message().contains(QLatin1String("no version 99")));
        QVERIFY(m_registry->setAlias(QStringLiteral("fraud"), QStringLiteral("staging"), 3).isOk());
        // The champion cannot be archived; another version can, and loses its aliases.
        const Status refused = m_registry->setArchived(QStringLiteral("fraud"), 1, true);
        QCOMPARE(refused.code(), ErrorCode::FailedPrecondition);
        QVERIFY(m_registry->setArchived(QStringLiteral("fraud"), 3, true, QStringLiteral("superseded")).isOk());
        QVERIFY(m_registry->version(QStringLiteral("fraud"), 3)->aliases.isEmpty());
        const Status archived = m_registry->setAlias(QStringLiteral("fraud"), QStringLiteral("staging"), 3);
        QCOMPARE(archived.code(), ErrorCode::FailedPrecondition);
        QVERIFY(archived.message().contains(QLatin1String("archived")));
        // `champion` by hand goes through promote's rule.
        const Status byHand = m_registry->setAlias(QStringLiteral("fraud"), QStringLiteral("champion"), 3);
        QCOMPARE(byHand.code(), ErrorCode::FailedPrecondition);
        auto blocker = m_registry->promotionBlocker(QStringLiteral("fraud"), 3);
        QVERIFY(blocker->contains(QLatin1String("archived")));
    }

    void whichVersionHeldAnAliasAtAnyMoment()
    {
        const QDateTime t0(QDate(2026, 12, 1), QTime(9, 0), Qt::UTC);
        auto at = [&](qint64 minutes) { return *m_registry->aliasAt(QStringLiteral("fraud"), QStringLiteral("champion"), t0.addSecs(minutes * 60)); };
        QCOMPARE(*m_registry->aliasAt(QStringLiteral("fraud"), QStringLiteral("champion"), t0.addSecs(-60)), 0); // before anything
        QCOMPARE(at(0), 1);  // v1 at registration
        QCOMPARE(at(2), 1);  // v2 challenged, v3 failed
        QCOMPARE(at(3), 2);  // promoted at minute 3
        QCOMPARE(at(4), 1);  // demoted at minute 4
        QCOMPARE(at(600), 1);
        auto history = m_registry->aliasHistory(QStringLiteral("fraud"), QStringLiteral("champion"));
        QVERIFY(history);
        QCOMPARE(history->size(), 3);
        QCOMPARE(history->at(1).version, 2);
        QCOMPARE(history->at(1).previous, 1);
        QCOMPARE(history->at(1).actor, QStringLiteral("alice"));
        QCOMPARE(history->at(1).reason, QStringLiteral("better recall"));
        QCOMPARE(history->at(2).reason, QStringLiteral("latency regression"));
    }

    void everyChangeIsAuditedWithAnIntactChainAndQueuesItsWebhooks()
    {
        audit::AuditLog log(*m_db);
        auto entries = log.list(200);
        QVERIFY(entries);
        QStringList actions;
        for (const auto &e : *entries)
            actions << e.action;
        for (const char *a : {"model.create", "model.version.create", "model.alias", "model.version.validation", "model.promote", "model.demote",
                              "model.version.archive"})
            QVERIFY2(actions.contains(QLatin1String(a)), qPrintable(actions.join(QLatin1Char(','))));
        auto report = log.verify();
        QVERIFY(report && report->ok);
        QVERIFY(count(QStringLiteral("SELECT count(*) FROM webhook_deliveries WHERE event = 'model_version.created'")) == 3);
        QVERIFY(count(QStringLiteral("SELECT count(*) FROM webhook_deliveries WHERE event = 'alias.moved'")) >= 5);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM webhook_deliveries WHERE state != 'pending'")), 0);
    }

    void aChangeThatFailsLeavesNothingBehind()
    {
        const int audits = count(QStringLiteral("SELECT count(*) FROM audit_log"));
        const int deliveries = count(QStringLiteral("SELECT count(*) FROM webhook_deliveries"));
        QVERIFY(!m_registry->promote(QStringLiteral("fraud"), 3).isOk());
        QVERIFY(!m_registry->setAlias(QStringLiteral("nope"), QStringLiteral("x"), 1).isOk());
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log")), audits);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM webhook_deliveries")), deliveries);
    }

    void renameCarriesVersionsAliasesAndHistory()
    {
        QVERIFY(m_registry->setModelTag(QStringLiteral("fraud"), {QStringLiteral("team"), QStringLiteral("risk")}).isOk());
        auto renamed = m_registry->renameModel(QStringLiteral("fraud"), QStringLiteral("fraud-mlp"));
        QVERIFY2(renamed, qPrintable(renamed.status().message()));
        QCOMPARE(renamed->versionCount, 3);
        QCOMPARE(renamed->aliasVersion(QStringLiteral("champion")), 1);
        QCOMPARE(renamed->tags.size(), 1);
        // champion v1, challenger v2, champion v2 and challenger removed, champion v1, staging v3 and
        // removed when v3 was archived.
        QCOMPARE(m_registry->aliasHistory(QStringLiteral("fraud-mlp"))->size(), 7);
        QCOMPARE(m_registry->model(QStringLiteral("fraud")).status().code(), ErrorCode::NotFound);
        VersionQuery query;
        query.name = QStringLiteral("fraud-mlp");
        auto all = m_registry->versions(query);
        QVERIFY(all);
        QCOMPARE(all->size(), 3);
        QCOMPARE(all->first().version, 3); // newest first
        query.includeArchived = false;
        QCOMPARE(m_registry->versions(query)->size(), 2);
    }

    void gatesFollowTheRules()
    {
        ModelGates gates;
        gates.rules = *parseGateRules(QStringLiteral("roc_auc >= 0.8, recall >= 0.5"));
        gates.championMetric = QStringLiteral("roc_auc");
        gates.minImprovement = 0.01;
        GateInputs in;
        in.metrics = {{QStringLiteral("roc_auc"), 0.91}};
        in.dataTestsPassed = true;
        in.signature = signature(12);
        // First version: no champion to beat or to be compatible with; recall was never logged.
        QVector<GateOutcome> out = evaluateModelGates(gates, in);
        QCOMPARE(out.size(), 5);
        QVERIFY(out[0].passed);
        QVERIFY(!out[1].passed);
        QVERIFY2(out[1].explanation.contains(QLatin1String("recall")), qPrintable(out[1].explanation));
        QVERIFY(out[2].passed);
        QVERIFY(out[2].explanation.contains(QLatin1String("first version")));
        QVERIFY(!allPassed(out));
        // Against a champion, on the same holdout: 0.915 vs 0.91 is better by 0.005 < 0.01.
        in.metrics.insert(QStringLiteral("recall"), 0.7);
        in.championVersion = 4;
        in.championSignature = signature(12);
        in.candidateOnHoldout = 0.915;
        in.championOnHoldout = 0.91;
        out = evaluateModelGates(gates, in);
        QVERIFY(!out[2].passed);
        QVERIFY2(out[2].explanation.contains(QLatin1String("v4")), qPrintable(out[2].explanation));
        in.candidateOnHoldout = 0.93;
        out = evaluateModelGates(gates, in);
        QVERIFY(allPassed(out));
        // Unscored on the holdout: fails, never passes by omission.
        in.championOnHoldout.reset();
        QVERIFY(!evaluateModelGates(gates, in)[2].passed);
        in.championOnHoldout = 0.91;
        // A narrower input than the champion's is not compatible; unknown data tests fail.
        in.signature = signature(11);
        in.dataTestsPassed.reset();
        out = evaluateModelGates(gates, in);
        QVERIFY(!out[3].passed);
        QVERIFY(!out[4].passed);
        QVERIFY2(out[4].explanation.contains(QLatin1String("[11]")), qPrintable(out[4].explanation));
        // Round trip through the stored form.
        auto back = ModelGates::fromJson(gates.toJson());
        QVERIFY(back);
        QCOMPARE(back->rules.size(), 2);
        QCOMPARE(back->championMetric, QStringLiteral("roc_auc"));
        QCOMPARE(back->minImprovement, 0.01);
        QVERIFY(m_registry->setGates(QStringLiteral("fraud-mlp"), gates).isOk());
        QCOMPARE(m_registry->gates(QStringLiteral("fraud-mlp"))->describe(), gates.describe());
    }
};

QTEST_GUILESS_MAIN(TstModelRegistry)
#include "tst_model_registry.moc"
