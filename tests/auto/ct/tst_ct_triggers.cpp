// The loop's triggers and policies (core/ct/trigger_evaluator.h) on a real database, a real
// folder and a manual clock: the first look is a baseline; the schedule (missed runs coalesce),
// new data (a .dvc file's md5, new files in a folder), alerts the serving process's store wrote
// (for this endpoint, after the watermark, of the named rules) and manual requests fire; pending
// triggers wait through a cool-down, the daily maximum (still counted after a restart: a new
// connection, a new evaluator), a pause and an active iteration, and start once allowed.
#include "core/common/clock.h"
#include "core/ct/ct_config.h"
#include "core/ct/iteration_store.h"
#include "core/ct/loop_state_store.h"
#include "core/ct/trigger_evaluator.h"
#include "core/monitor/alert_evaluator.h"
#include "core/monitor/alert_store.h"
#include "core/monitor/metrics_samples.h"
#include "core/store/database.h"

#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::ct;
using orrery::testing::writeFile;

namespace {

// Tuesday 2026-03-10 10:00 UTC.
const QDateTime kStart(QDate(2026, 3, 10), QTime(10, 0), Qt::UTC);
constexpr qint64 kMinute = 60'000;

const char *kDvc = "outs:\n- md5: %1\n  size: 10\n  hash: md5\n  path: transactions.csv\n";

QByteArray dvcWith(const char *md5) { return QString::fromLatin1(kDvc).arg(QLatin1String(md5)).toUtf8(); }

} // namespace

class TstCtTriggers : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<common::ManualClock> m_clock;
    CtConfig m_config;

    QString root() const { return m_dir.path(); }

    void reopen()
    {
        m_db.reset();
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("orrery.db")), o);
        if (!db)
            qFatal("%s", qPrintable(db.status().toString()));
        m_db = std::move(db).value();
    }

    void configure(const QByteArray &extra)
    {
        CtCheckContext context;
        context.root = root();
        const CtConfigCheck c = checkCtConfig("model: fraud\nendpoint: fraud\ndataset: {path: data/transactions.csv, label: is_fraud}\n" + extra,
                                              QStringLiteral("ct.yaml"), context);
        if (!c.errors.isEmpty())
            qFatal("%s", qPrintable(c.errors.join(QLatin1Char('\n'))));
        m_config = c.config;
    }

    TriggerDecision evaluate()
    {
        TriggerEvaluator evaluator(m_config, *m_db, root(), *m_clock);
        auto d = evaluator.evaluate();
        if (!d)
            qFatal("%s", qPrintable(d.status().toString()));
        return *d;
    }

    // Starts an iteration for `decision` as the loop does, and ends it at once.
    qint64 startAndFinish(const TriggerDecision &decision)
    {
        IterationStore store(*m_db, m_clock.get());
        NewIteration request;
        request.triggerKind = decision.kind;
        request.triggerDetail = decision.reason;
        request.model = m_config.model;
        request.endpoint = m_config.endpoint;
        request.watched = decision.watched;
        auto i = store.create(request);
        if (!i)
            qFatal("%s", qPrintable(i.status().toString()));
        if (auto done = store.finish(i->id, outcome::kStopped, QStringLiteral("test")); !done)
            qFatal("%s", qPrintable(done.status().toString()));
        return i->id;
    }

    // The serving process's alert evaluation and store, as its AlertEngine runs them: one
    // evaluator across evaluations, the drift gauge of each endpoint as given.
    std::unique_ptr<monitor::AlertEvaluator> m_alerts;
    void drift(const QMap<QString, double> &byEndpoint, qint64 nowMs)
    {
        QVector<monitor::MetricSample> samples;
        for (auto it = byEndpoint.begin(); it != byEndpoint.end(); ++it)
            samples.append({QStringLiteral("orrery_feature_drift"), {{QStringLiteral("endpoint"), it.key()}, {QStringLiteral("feature"), QStringLiteral("amount")}}, it.value()});
        monitor::AlertStore store(*m_db, m_clock.get(), QStringLiteral("orrery-serve"));
        if (auto r = store.record(m_alerts->evaluate(samples, nowMs), nowMs); !r)
            qFatal("%s", qPrintable(r.status().toString()));
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_db.reset();
        m_alerts.reset();
        QDir(root()).removeRecursively();
        QDir().mkpath(root());
        writeFile(m_dir, QStringLiteral("data/transactions.csv.dvc"), dvcWith("11111111111111111111111111111111"));
        m_clock = std::make_unique<common::ManualClock>(kStart);
        reopen();
    }

    void firstLookIsABaselineThenNewDataFires()
    {
        writeFile(m_dir, QStringLiteral("data/incoming/old.csv"), "a\n1\n");
        configure("triggers:\n  data: [data/transactions.csv.dvc, data/incoming/]\n  schedule: \"*/30 * * * *\"\n");
        TriggerDecision d = evaluate();
        QVERIFY2(!d.start, qPrintable(d.reason));
        QVERIFY(d.firing.isEmpty());
        QCOMPARE(d.reason, QStringLiteral("no trigger fires; the schedule's next run is at 2026-03-10T10:30:00.000Z"));
        QCOMPARE(d.nextSchedule, QDateTime(QDate(2026, 3, 10), QTime(10, 30), Qt::UTC).toMSecsSinceEpoch());

        // A new file in the watched folder.
        writeFile(m_dir, QStringLiteral("data/incoming/new.csv"), "a\n2\n");
        m_clock->advanceMs(kMinute);
        d = evaluate();
        QVERIFY(d.start);
        QCOMPARE(d.kind, QStringLiteral("data"));
        QCOMPARE(d.reason, QStringLiteral("data (new data: data/incoming/: 1 new file (new.csv))"));
        startAndFinish(d);
        // Taken in: it does not fire again; a new version of the dataset does.
        m_config.policies.cooldownMs = 0;
        QVERIFY(!evaluate().start);
        writeFile(m_dir, QStringLiteral("data/transactions.csv.dvc"), dvcWith("22222222222222222222222222222222"));
        d = evaluate();
        QVERIFY(d.start);
        QCOMPARE(d.reason, QStringLiteral("data (new data: data/transactions.csv.dvc: md5 11111111… → 22222222…)"));
    }

    void scheduleRunsCoalesce()
    {
        configure("triggers:\n  schedule: \"*/30 * * * *\"\n");
        QVERIFY(!evaluate().start); // 10:00: the baseline
        m_clock->advanceMs(29 * kMinute);
        QVERIFY(!evaluate().start); // 10:29
        m_clock->advanceMs(2 * kMinute + 5000);
        TriggerDecision d = evaluate(); // 10:31:05
        QVERIFY(d.start);
        QCOMPARE(d.kind, QStringLiteral("schedule"));
        QCOMPARE(d.firing.first().reason, QStringLiteral("schedule \"*/30 * * * *\": the run due at 2026-03-10T10:30:00.000Z"));
        // Nobody ran it for hours: still one run due (the first missed), and one iteration takes them all in.
        m_clock->set(QDateTime(QDate(2026, 3, 10), QTime(13, 5), Qt::UTC));
        d = evaluate();
        QCOMPARE(d.firing.size(), 1);
        QCOMPARE(d.firing.first().reason, QStringLiteral("schedule \"*/30 * * * *\": the run due at 2026-03-10T10:30:00.000Z"));
        startAndFinish(d);
        m_config.policies.cooldownMs = 0;
        QVERIFY(!evaluate().start); // 13:05: nothing due since
        m_clock->advanceMs(25 * kMinute);
        QCOMPARE(evaluate().firing.first().reason, QStringLiteral("schedule \"*/30 * * * *\": the run due at 2026-03-10T13:30:00.000Z"));
    }

    void coolDown()
    {
        configure("policies:\n  cooldown: 1h\n");
        LoopStateStore states(*m_db, m_clock.get());
        QVERIFY(states.requestManual(QStringLiteral("first")));
        TriggerDecision d = evaluate();
        QVERIFY(d.start);
        QCOMPARE(d.kind, QStringLiteral("manual"));
        QVERIFY2(d.reason.contains(QStringLiteral(": first")), qPrintable(d.reason));
        startAndFinish(d); // 10:00
        m_clock->advanceMs(10 * kMinute);
        QVERIFY(states.requestManual(QStringLiteral("again")));
        d = evaluate();
        QVERIFY(!d.start);
        QCOMPARE(d.blocked, Blocked::Cooldown);
        QCOMPARE(d.blockedUntil, kStart.addSecs(3600).toMSecsSinceEpoch());
        QVERIFY2(d.reason.startsWith(QStringLiteral("cool-down: the last iteration started at 2026-03-10T10:00:00.000Z and the cool-down is 1h, "
                                                    "so nothing starts before 2026-03-10T11:00:00.000Z; pending: manual")),
                 qPrintable(d.reason));
        // The request waits; at the cool-down's end it starts.
        m_clock->set(kStart.addSecs(3600));
        d = evaluate();
        QVERIFY(d.start);
        QVERIFY(d.reason.contains(QStringLiteral(": again")));
    }

    void dailyMaximumHoldsAcrossARestart()
    {
        configure("policies:\n  cooldown: 0s\n  max_per_day: 2\n");
        LoopStateStore states(*m_db, m_clock.get());
        for (int i = 0; i < 2; ++i) {
            QVERIFY(states.requestManual());
            const TriggerDecision d = evaluate();
            QVERIFY2(d.start, qPrintable(d.reason));
            startAndFinish(d);
            m_clock->advanceMs(kMinute);
        }
        QVERIFY(states.requestManual());
        TriggerDecision d = evaluate();
        QVERIFY(!d.start);
        QCOMPARE(d.blocked, Blocked::DailyMax);
        QCOMPARE(d.blockedUntil, QDateTime(QDate(2026, 3, 11), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch());
        QVERIFY2(d.reason.startsWith(QStringLiteral("daily maximum: 2 iterations started today (UTC), max_per_day is 2, so nothing starts before 2026-03-11T00:00:00.000Z")),
                 qPrintable(d.reason));
        // A restart: a new connection, new stores, a new evaluator — the count is in the database.
        reopen();
        m_clock->set(QDateTime(QDate(2026, 3, 10), QTime(23, 59), Qt::UTC));
        d = evaluate();
        QCOMPARE(d.blocked, Blocked::DailyMax);
        // The next UTC day starts a new count; the request waited for it.
        m_clock->set(QDateTime(QDate(2026, 3, 11), QTime(0, 0), Qt::UTC));
        d = evaluate();
        QVERIFY2(d.start, qPrintable(d.reason));
        QCOMPARE(d.kind, QStringLiteral("manual"));
        startAndFinish(d);
        auto state = LoopStateStore(*m_db, m_clock.get()).read();
        QVERIFY(state);
        QCOMPARE(state->day, QStringLiteral("2026-03-11"));
        QCOMPARE(state->dayCount, 1);
    }

    void pausedAndOneAtATime()
    {
        configure(QByteArray());
        LoopStateStore states(*m_db, m_clock.get());
        QCOMPARE(*states.pause(QStringLiteral("holiday")), true);
        QCOMPARE(*states.pause(), false); // already paused: nothing changes
        QVERIFY(states.requestManual());
        TriggerDecision d = evaluate();
        QVERIFY(!d.start);
        QCOMPARE(d.blocked, Blocked::Paused);
        QVERIFY2(d.reason.contains(QStringLiteral("the loop is paused (by ")) && d.reason.contains(QStringLiteral(": holiday), so nothing starts; pending: manual")),
                 qPrintable(d.reason));
        // The store refuses too, whatever the caller decided.
        IterationStore iterations(*m_db, m_clock.get());
        NewIteration request;
        request.triggerKind = QStringLiteral("manual");
        auto refused = iterations.create(request);
        QCOMPARE(refused.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY(refused.status().message().contains(QStringLiteral("paused")));

        QCOMPARE(*states.resume(), true);
        d = evaluate();
        QVERIFY(d.start);
        // One at a time: while it is active nothing else starts, and the store refuses a second.
        auto first = iterations.create(request);
        QVERIFY(first);
        QVERIFY(states.requestManual());
        d = evaluate();
        QVERIFY(!d.start);
        QCOMPARE(d.blocked, Blocked::Active);
        QVERIFY2(d.reason.startsWith(QStringLiteral("ct iteration 1 is running (one iteration at a time)")), qPrintable(d.reason));
        auto second = iterations.create(request);
        QCOMPARE(second.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY(second.status().message().contains(QStringLiteral("one iteration runs at a time")));
        QVERIFY(iterations.finish(first->id, outcome::kFailed, QStringLiteral("test")));
        m_config.policies.cooldownMs = 0;
        QVERIFY(evaluate().start);
    }

    void alertsOfThisEndpointAfterTheWatermark()
    {
        m_alerts = std::make_unique<monitor::AlertEvaluator>(monitor::defaultAlertRules());
        const qint64 t0 = kStart.toMSecsSinceEpoch();
        // Drift that fired and resolved before the loop first looked is history, not a trigger.
        drift({{QStringLiteral("fraud"), 1}}, t0 - 10 * kMinute);
        drift({{QStringLiteral("fraud"), 0}}, t0 - 8 * kMinute);
        drift({{QStringLiteral("fraud"), 0}}, t0 - 6 * kMinute); // keep_firing_for 1m is over: resolved
        configure("triggers:\n  alert: [FeatureDrift]\n");
        QVERIFY(!evaluate().start);
        // Another endpoint's drift is not this loop's business.
        m_clock->advanceMs(kMinute);
        drift({{QStringLiteral("other"), 1}}, m_clock->now().toMSecsSinceEpoch());
        QVERIFY(!evaluate().start);
        // A rule the loop does not name fires no iteration.
        configure("triggers:\n  alert: [ModelAccuracyLow]\n");
        m_clock->advanceMs(kMinute);
        drift({{QStringLiteral("other"), 1}, {QStringLiteral("fraud"), 1}}, m_clock->now().toMSecsSinceEpoch());
        QVERIFY(!evaluate().start);
        // Named, for this endpoint, after the watermark: it fires.
        configure("triggers:\n  alert: [FeatureDrift, ModelAccuracyLow]\n");
        TriggerDecision d = evaluate();
        QVERIFY2(d.start, qPrintable(d.reason));
        QCOMPARE(d.kind, QStringLiteral("alert"));
        QCOMPARE(d.reason, QStringLiteral("alert (1 alert fired: FeatureDrift{endpoint=\"fraud\",feature=\"amount\",severity=\"warning\"} at 2026-03-10T10:02:00.000Z)"));
        startAndFinish(d);
        // Taken in by the iteration: still firing, but not again.
        m_config.policies.cooldownMs = 0;
        m_clock->advanceMs(kMinute);
        drift({{QStringLiteral("other"), 1}, {QStringLiteral("fraud"), 1}}, m_clock->now().toMSecsSinceEpoch());
        QVERIFY(!evaluate().start);
    }

    void manualOffAndPriorities()
    {
        configure("triggers:\n  manual: false\n  schedule: \"*/30 * * * *\"\n");
        QVERIFY(!evaluate().start);
        LoopStateStore states(*m_db, m_clock.get());
        QVERIFY(states.requestManual());
        QVERIFY(!evaluate().start); // manual triggers are off
        configure("triggers:\n  schedule: \"*/30 * * * *\"\n");
        m_clock->advanceMs(31 * kMinute);
        const TriggerDecision d = evaluate();
        QVERIFY(d.start);
        QCOMPARE(d.firing.size(), 2);
        QCOMPARE(d.kind, QStringLiteral("manual")); // manual before schedule
        QVERIFY2(d.reason.contains(QStringLiteral("), schedule (schedule \"*/30 * * * *\"")), qPrintable(d.reason));
    }
};

QTEST_GUILESS_MAIN(TstCtTriggers)
#include "tst_ct_triggers.moc"
