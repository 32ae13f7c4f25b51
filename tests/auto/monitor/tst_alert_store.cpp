// Alerts in the workspace database (core/monitor/alert_store.h) on a real SQLite file and a
// manual clock: each state change's row, audit entry (in a chain that still verifies) and
// alert.firing / alert.resolved webhook rows; nothing written when nothing changed; acknowledge
// and silence (with their refusals, and a silence that covers the same alert firing again); and
// a restart that continues the alerts without firing them twice.
#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/monitor/alert_store.h"
#include "core/monitor/metrics_samples.h"
#include "core/registry/webhooks.h"
#include "core/store/database.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::monitor;

namespace {

const QDateTime kStart = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000LL, Qt::UTC);

AlertRule errorRule(qint64 forMs = 0)
{
    AlertRule r;
    r.name = QStringLiteral("HighErrorRatio");
    r.metric = QStringLiteral("orrery_window_error_ratio");
    r.op = CompareOp::Greater;
    r.threshold = 0.05;
    r.forMs = forMs;
    r.summary = QStringLiteral("{{ $labels.endpoint }} fails {{ humanizePercentage $value }}");
    return r;
}

QVector<MetricSample> ratio(double fraud) { return {{QStringLiteral("orrery_window_error_ratio"), {{QStringLiteral("endpoint"), QStringLiteral("fraud")}}, fraud}}; }

} // namespace

class TstAlertStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    std::unique_ptr<store::Database> freshDatabase()
    {
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n)), o);
        if (!db)
            qFatal("%s", qPrintable(db.status().toString()));
        return std::move(db).value();
    }
    qint64 count(store::Database &db, const QString &sql)
    {
        auto s = db.prepare(sql);
        if (!s || !s->next())
            qFatal("%s", qPrintable(sql));
        return s->int64(0);
    }
    QStringList auditActions(store::Database &db)
    {
        audit::AuditLog log(db);
        QStringList out;
        const auto entries = log.list(1000);
        for (auto it = entries->crbegin(); it != entries->crend(); ++it)
            out << it->action;
        return out;
    }
    QStringList deliveries(store::Database &db)
    {
        auto s = db.prepare(QStringLiteral("SELECT webhook_id, event, payload FROM webhook_deliveries ORDER BY id"));
        QStringList out;
        while (s->next()) {
            const QJsonObject alert = QJsonDocument::fromJson(s->text(2).toUtf8()).object()[QStringLiteral("data")].toObject()[QStringLiteral("alert")].toObject();
            out << QStringLiteral("%1 %2 %3 %4").arg(s->int64(0)).arg(s->text(1), alert[QStringLiteral("state")].toString(),
                                                     alert[QStringLiteral("labels")].toObject()[QStringLiteral("endpoint")].toString());
        }
        return out;
    }
    qint64 addHook(store::Database &db, const QStringList &events, const QString &model = {})
    {
        registry::NewWebhook h;
        h.url = QStringLiteral("http://127.0.0.1:9/hook");
        h.events = events;
        h.model = model;
        h.secret = QStringLiteral("s");
        auto added = registry::Webhooks(db).add(h);
        if (!added)
            qFatal("%s", qPrintable(added.status().toString()));
        return added->webhook.id;
    }

private Q_SLOTS:
    void everyStateChangeIsARowAnAuditEntryAndItsWebhooks()
    {
        auto db = freshDatabase();
        common::ManualClock clock(kStart);
        const qint64 alertsHook = addHook(*db, {QStringLiteral("alert.firing"), QStringLiteral("alert.resolved")});
        const qint64 allHook = addHook(*db, {QStringLiteral("*")});
        addHook(*db, {QStringLiteral("deployment.changed")});              // wants no alert
        addHook(*db, {QStringLiteral("*")}, QStringLiteral("other-model")); // alerts without a model label are not its
        AlertStore store(*db, &clock, QStringLiteral("orrery-serve"));
        AlertEvaluator e({errorRule(60'000)});
        auto step = [&](double value, qint64 afterMs) {
            clock.advanceMs(afterMs);
            const qint64 now = clock.now().toMSecsSinceEpoch();
            auto recorded = store.record(e.evaluate(ratio(value), now), now);
            if (!recorded)
                qFatal("%s", qPrintable(recorded.status().toString()));
            return *recorded;
        };

        RecordedEvaluation r = step(0.01, 0);
        QCOMPARE(r.rowsWritten, 0);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM alerts")), 0);
        r = step(0.1, 1000); // pending
        QCOMPARE(r.rowsWritten, 1);
        QCOMPARE(r.auditEntries, 1);
        QCOMPARE(r.webhooksQueued, 0);
        auto list = store.list(false);
        QCOMPARE(list->size(), 1);
        const qint64 id = list->first().id;
        QCOMPARE(list->first().state, QStringLiteral("pending"));
        QCOMPARE(list->first().activeSince, kStart.toMSecsSinceEpoch() + 1000);
        QCOMPARE(list->first().firedAt, 0);
        QCOMPARE(list->first().value, 0.1);
        QCOMPARE(list->first().annotations.value(QStringLiteral("summary")), QStringLiteral("fraud fails 10%"));
        QCOMPARE(list->first().fingerprint, alertFingerprint(list->first().labels));
        QCOMPARE(list->first().title(), QStringLiteral("HighErrorRatio{endpoint=\"fraud\",severity=\"warning\"}"));

        r = step(0.1, 30'000); // nothing changed: nothing written
        QCOMPARE(r.rowsWritten, 0);
        QCOMPARE(r.auditEntries, 0);
        r = step(0.2, 10'000); // the value changed: the row follows, no audit entry
        QCOMPARE(r.rowsWritten, 1);
        QCOMPARE(r.auditEntries, 0);
        QCOMPARE(store.get(id)->value, 0.2);
        QCOMPARE(store.get(id)->annotations.value(QStringLiteral("summary")), QStringLiteral("fraud fails 20%"));
        QCOMPARE(store.get(id)->lastEvaluated, clock.now().toMSecsSinceEpoch());

        r = step(0.2, 20'000); // for 60 s elapsed: firing
        QCOMPARE(r.auditEntries, 1);
        QCOMPARE(r.webhooksQueued, 2);
        QCOMPARE(store.get(id)->state, QStringLiteral("firing"));
        QCOMPARE(store.get(id)->firedAt, clock.now().toMSecsSinceEpoch());
        r = step(0.0, 5000); // resolved
        QCOMPARE(r.webhooksQueued, 2);
        const AlertRecord resolved = *store.get(id);
        QCOMPARE(resolved.state, QStringLiteral("resolved"));
        QCOMPARE(resolved.resolvedAt, clock.now().toMSecsSinceEpoch());
        QVERIFY(!resolved.active());
        QCOMPARE(store.list(false)->size(), 0);
        QCOMPARE(store.list(true)->size(), 1);

        QCOMPARE(auditActions(*db), (QStringList{QStringLiteral("alert.pending"), QStringLiteral("alert.firing"), QStringLiteral("alert.resolved")}));
        audit::AuditLog log(*db);
        const auto newest = log.list(1)->first();
        QCOMPARE(newest.actor, QStringLiteral("orrery-serve"));
        QCOMPARE(newest.target, QStringLiteral("alert %1 HighErrorRatio{endpoint=\"fraud\",severity=\"warning\"}").arg(id));
        QCOMPARE(QJsonDocument::fromJson(newest.details.toUtf8()).object()[QStringLiteral("state")].toString(), QStringLiteral("resolved"));
        QVERIFY(log.verify()->ok);
        QCOMPARE(deliveries(*db), (QStringList{QStringLiteral("%1 alert.firing firing fraud").arg(alertsHook), QStringLiteral("%1 alert.firing firing fraud").arg(allHook),
                                               QStringLiteral("%1 alert.resolved resolved fraud").arg(alertsHook),
                                               QStringLiteral("%1 alert.resolved resolved fraud").arg(allHook)}));

        // Pending that clears: the row ends resolved without fired_at, audited as cleared, no webhook.
        step(0.3, 1000);
        r = step(0.0, 1000);
        QCOMPARE(r.webhooksQueued, 0);
        const AlertRecord cleared = store.list(true)->first();
        QCOMPARE(cleared.state, QStringLiteral("resolved"));
        QCOMPARE(cleared.firedAt, 0);
        QCOMPARE(auditActions(*db).mid(3), (QStringList{QStringLiteral("alert.pending"), QStringLiteral("alert.cleared")}));
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM webhook_deliveries")), 4);
    }

    void acknowledgeAndSilence()
    {
        auto db = freshDatabase();
        common::ManualClock clock(kStart);
        addHook(*db, {QStringLiteral("*")});
        AlertStore store(*db, &clock, QStringLiteral("orrery-serve"));
        AlertEvaluator e({errorRule()});
        auto step = [&](double value, qint64 afterMs) {
            clock.advanceMs(afterMs);
            const qint64 now = clock.now().toMSecsSinceEpoch();
            return *store.record(e.evaluate(ratio(value), now), now);
        };
        QCOMPARE(step(0.1, 0).webhooksQueued, 1); // fires at once
        const qint64 id = store.list(false)->first().id;

        AlertStore cli(*db, &clock, QStringLiteral("ana")); // another connection's view: the CLI
        auto acked = cli.acknowledge(id, QStringLiteral("ana"));
        QVERIFY2(acked, qPrintable(acked.status().toString()));
        QCOMPARE(store.get(id)->acknowledgedBy, QStringLiteral("ana"));
        QCOMPARE(store.get(id)->acknowledgedAt, kStart.toMSecsSinceEpoch());
        auto unknown = cli.acknowledge(id + 100, QStringLiteral("ana"));
        QCOMPARE(unknown.status().code(), ErrorCode::NotFound);
        QVERIFY(unknown.status().message().contains(QLatin1String("monitor alerts --all")));

        // Silenced for 10 minutes: resolving and firing again inside it send nothing …
        clock.advanceMs(1000);
        QCOMPARE(cli.silence(id, clock.now().toMSecsSinceEpoch() - 1).status().code(), ErrorCode::InvalidArgument);
        const qint64 until = clock.now().toMSecsSinceEpoch() + 600'000;
        QVERIFY(cli.silence(id, until, QStringLiteral("ana")));
        QCOMPARE(store.get(id)->silencedUntil, until);
        QCOMPARE(step(0.0, 1000).webhooksQueued, 0);
        auto again = cli.acknowledge(id, QStringLiteral("ana"));
        QCOMPARE(again.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY2(again.status().message().contains(QLatin1String("resolved at")), qPrintable(again.status().message()));
        QCOMPARE(step(0.2, 1000).webhooksQueued, 0);
        const AlertRecord refired = store.list(false)->first();
        QVERIFY(refired.id != id);
        QCOMPARE(refired.silencedUntil, until); // the silence covers the label set
        QVERIFY(refired.acknowledgedBy.isEmpty());
        QCOMPARE(step(0.0, 1000).webhooksQueued, 0);
        // … and after it ends, notifications flow again.
        clock.advanceMs(600'000);
        QCOMPARE(step(0.2, 0).webhooksQueued, 1);
        QCOMPARE(store.list(false)->first().silencedUntil, 0);
        const QStringList actions = auditActions(*db);
        QVERIFY(actions.contains(QStringLiteral("alert.acknowledged")));
        QVERIFY(actions.contains(QStringLiteral("alert.silenced")));
        audit::AuditLog log(*db);
        QVERIFY(log.verify()->ok);
    }

    void aRestartContinuesTheAlertsWithoutNotifyingTwice()
    {
        auto db = freshDatabase();
        common::ManualClock clock(kStart);
        addHook(*db, {QStringLiteral("*")});
        const QVector<AlertRule> rules{errorRule(), [] {
                                           AlertRule slow = errorRule(120'000);
                                           slow.name = QStringLiteral("Slow");
                                           return slow;
                                       }()};
        qint64 now = clock.now().toMSecsSinceEpoch();
        {
            AlertStore store(*db, &clock);
            AlertEvaluator e(rules);
            QCOMPARE(store.record(e.evaluate(ratio(0.1), now), now)->webhooksQueued, 1);
        }
        // The server restarts a minute later: the store gives back both alerts as they were.
        clock.advanceMs(60'000);
        AlertStore store(*db, &clock);
        auto loaded = store.loadActive();
        QVERIFY(loaded);
        QCOMPARE(loaded->size(), 2);
        AlertEvaluator e(rules);
        e.restore(*loaded);
        now = clock.now().toMSecsSinceEpoch();
        auto recorded = store.record(e.evaluate(ratio(0.1), now), now);
        QCOMPARE(recorded->rowsWritten, 0);
        QCOMPARE(recorded->webhooksQueued, 0);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM alerts")), 2);
        // Slow fires 120 s after it became pending before the restart, in its own row.
        clock.advanceMs(60'000);
        now = clock.now().toMSecsSinceEpoch();
        recorded = store.record(e.evaluate(ratio(0.1), now), now);
        QCOMPARE(recorded->webhooksQueued, 1);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM alerts")), 2);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM alerts WHERE state = 'firing'")), 2);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM webhook_deliveries WHERE event = 'alert.firing'")), 2);
    }

    void aNaNValueIsStoredAndReadBack()
    {
        auto db = freshDatabase();
        common::ManualClock clock(kStart);
        AlertRule r = errorRule();
        r.op = CompareOp::NotEqual;
        r.threshold = 0;
        AlertStore store(*db, &clock);
        AlertEvaluator e({r});
        const qint64 now = clock.now().toMSecsSinceEpoch();
        QVERIFY(store.record(e.evaluate(ratio(std::nan("")), now), now));
        const AlertRecord row = store.list(false)->first();
        QVERIFY(std::isnan(row.value));
        QCOMPARE(row.annotations.value(QStringLiteral("summary")), QStringLiteral("fraud fails NaN%"));
        QVERIFY(std::isnan(store.loadActive()->first().value));
    }
};

QTEST_GUILESS_MAIN(TstAlertStore)
#include "tst_alert_store.moc"
