// The loop's iteration records (core/ct/iteration_store.h) on a real database: an iteration and
// its steps, each change with its audit entry in a chain that still verifies; waiting for
// approval, approve and reject (and their refusals); pause and resume audited; an iteration whose
// process was killed mid-step failed cleanly on the next start — by its pid when another process
// looks, and every orphan when the loop's lock is held — while a live owner's stays running.
#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/ct/iteration_store.h"
#include "core/ct/loop_state_store.h"
#include "core/store/database.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::ct;

namespace {

const QDateTime kStart(QDate(2026, 3, 10), QTime(10, 0), Qt::UTC);

} // namespace

class TstIterationStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<common::ManualClock> m_clock;

    QVector<audit::AuditEntry> auditEntries()
    {
        audit::AuditLog log(*m_db);
        auto entries = log.list(1000);
        if (!entries)
            qFatal("%s", qPrintable(entries.status().toString()));
        std::reverse(entries->begin(), entries->end());
        return *entries;
    }
    QStringList auditActions()
    {
        QStringList out;
        for (const auto &e : auditEntries())
            out << e.action;
        return out;
    }

    Iteration create(IterationStore &store, const IterationOwner &owner = IterationOwner::thisProcess())
    {
        NewIteration request;
        request.triggerKind = QStringLiteral("manual");
        request.triggerDetail = QStringLiteral("asked for by a test");
        request.model = QStringLiteral("fraud");
        request.endpoint = QStringLiteral("fraud");
        request.owner = owner;
        auto i = store.create(request);
        if (!i)
            qFatal("%s", qPrintable(i.status().toString()));
        return *i;
    }

private Q_SLOTS:
    void init()
    {
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n)), o);
        QVERIFY2(db, qPrintable(db.status().toString()));
        m_db = std::move(db).value();
        m_clock = std::make_unique<common::ManualClock>(kStart);
    }

    void stepsAndOutcomeAudited()
    {
        IterationStore store(*m_db, m_clock.get(), QStringLiteral("tester"));
        Iteration i = create(store);
        QCOMPARE(i.id, 1);
        QCOMPARE(i.state, IterationState::Running);
        QCOMPARE(i.triggerKind, QStringLiteral("manual"));
        QCOMPARE(i.ownerPid, qint64(QCoreApplication::applicationPid()));
        QCOMPARE(i.ownerHost, QSysInfo::machineHostName());
        QCOMPARE(i.created, kStart.toMSecsSinceEpoch());
        // The loop's state moved with it.
        auto state = LoopStateStore(*m_db, m_clock.get()).read();
        QCOMPARE(state->lastRetrain, kStart.toMSecsSinceEpoch());
        QCOMPARE(state->day, QStringLiteral("2026-03-10"));
        QCOMPARE(state->dayCount, 1);
        QCOMPARE(state->triggersFrom, kStart.toMSecsSinceEpoch());

        m_clock->advanceMs(1000);
        auto step = store.startStep(i.id, step::kData, {{QStringLiteral("dataset"), QStringLiteral("data/transactions.csv")}});
        QVERIFY(step);
        QCOMPARE(store.get(i.id)->step, step::kData);
        i.dataVersion = QStringLiteral("0123456789abcdef0123456789abcdef");
        i.dataCommit = QStringLiteral("c0ffee");
        i.rowsThrough = 42;
        i.branch = QStringLiteral("orrery/ct/1");
        QVERIFY(store.update(i));
        m_clock->advanceMs(2000);
        auto done = store.finishStep(step->id, QStringLiteral("succeeded"), QStringLiteral("12 rows added"), {{QStringLiteral("rows_added"), 12}});
        QVERIFY(done);
        auto ended = store.finish(i.id, outcome::kStopped, QStringLiteral("ran until the data step"));
        QVERIFY(ended);
        QCOMPARE(ended->state, IterationState::Done);
        QCOMPARE(ended->outcome, outcome::kStopped);
        QCOMPARE(ended->reason, QStringLiteral("ran until the data step"));
        QCOMPARE(ended->dataVersion, i.dataVersion);
        QCOMPARE(ended->rowsThrough, 42);
        QCOMPARE(ended->finished, kStart.toMSecsSinceEpoch() + 3000);
        QVERIFY(!*store.active());
        QCOMPARE((*store.byDataVersion(i.dataVersion))->id, i.id);

        const auto steps = *store.steps(i.id);
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps[0].state, QStringLiteral("succeeded"));
        QCOMPARE(steps[0].reason, QStringLiteral("12 rows added"));
        QCOMPARE(steps[0].detail.value(QStringLiteral("dataset")).toString(), QStringLiteral("data/transactions.csv"));
        QCOMPARE(steps[0].detail.value(QStringLiteral("rows_added")).toInt(), 12);
        QCOMPARE(steps[0].finished - steps[0].started, 2000);

        const auto entries = auditEntries();
        QCOMPARE(auditActions(), (QStringList{QStringLiteral("ct.iteration.started"), QStringLiteral("ct.step.started"), QStringLiteral("ct.step.succeeded"),
                                              QStringLiteral("ct.iteration.stopped")}));
        for (const auto &e : entries) {
            QCOMPARE(e.target, QStringLiteral("ct iteration 1"));
            QCOMPARE(e.actor, QStringLiteral("tester"));
        }
        QCOMPARE(entries[0].reason, QStringLiteral("asked for by a test"));
        QCOMPARE(entries[2].reason, QStringLiteral("12 rows added"));
        QCOMPARE(QJsonDocument::fromJson(entries[2].details.toUtf8()).object().value(QStringLiteral("step")).toString(), step::kData);
        QVERIFY(audit::AuditLog(*m_db).verify()->ok);

        // A step of a finished iteration, a step ended twice, a bad end state: refused.
        QCOMPARE(store.startStep(i.id, step::kPipeline).status().code(), ErrorCode::FailedPrecondition);
        QCOMPARE(store.finishStep(step->id, QStringLiteral("failed"), QString()).status().code(), ErrorCode::FailedPrecondition);
        QCOMPARE(store.finishStep(step->id, QStringLiteral("ok"), QString()).status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(store.finish(i.id, outcome::kFailed, QString()).status().code(), ErrorCode::FailedPrecondition);
    }

    void approveAndReject()
    {
        IterationStore store(*m_db, m_clock.get(), QStringLiteral("alice"));
        Iteration i = create(store);
        // Only a waiting iteration can be decided.
        auto early = store.approve(i.id);
        QCOMPARE(early.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY2(early.status().message().contains(QStringLiteral("ct iteration 1 is running, not waiting for approval")), qPrintable(early.status().message()));
        QCOMPARE(store.approve(99).status().code(), ErrorCode::NotFound);

        auto approval = store.startStep(i.id, step::kApproval);
        QVERIFY(approval);
        auto parked = store.park(i.id, QStringLiteral("policies.require_approval: a person decides before the canary"));
        QVERIFY(parked);
        QCOMPARE(parked->state, IterationState::WaitingApproval);
        QCOMPARE(parked->ownerPid, 0); // no process owns a parked iteration
        auto approved = store.approve(i.id, QStringLiteral("looks good"));
        QVERIFY2(approved, qPrintable(approved.status().toString()));
        QCOMPARE(approved->state, IterationState::Approved);
        QCOMPARE(approved->decidedBy, QStringLiteral("alice"));
        QCOMPARE(approved->reason, QStringLiteral("approved by alice: looks good"));
        QCOMPARE(store.steps(i.id)->last().state, QStringLiteral("succeeded"));
        QCOMPARE(store.reject(i.id).status().code(), ErrorCode::FailedPrecondition); // decided already
        QVERIFY(store.finish(i.id, outcome::kPromoted, QStringLiteral("canary passed")));

        Iteration j = create(store);
        QVERIFY(store.startStep(j.id, step::kApproval));
        QVERIFY(store.park(j.id, QStringLiteral("waiting")));
        auto rejected = store.reject(j.id, QStringLiteral("not on a Friday"));
        QVERIFY(rejected);
        QCOMPARE(rejected->state, IterationState::Done);
        QCOMPARE(rejected->outcome, outcome::kRejected);
        QCOMPARE(rejected->reason, QStringLiteral("rejected by alice: not on a Friday"));
        QVERIFY(rejected->finished > 0);
        QCOMPARE(store.steps(j.id)->last().state, QStringLiteral("failed"));
        const QStringList actions = auditActions();
        QVERIFY(actions.contains(QStringLiteral("ct.iteration.waiting_approval")));
        QVERIFY(actions.contains(QStringLiteral("ct.iteration.approved")));
        QVERIFY(actions.contains(QStringLiteral("ct.iteration.rejected")));
        QVERIFY(audit::AuditLog(*m_db).verify()->ok);
    }

    void pauseAndResumeAudited()
    {
        LoopStateStore states(*m_db, m_clock.get(), QStringLiteral("bob"));
        QCOMPARE(*states.pause(QStringLiteral("release freeze")), true);
        auto s = states.read();
        QVERIFY(s->paused);
        QCOMPARE(s->pausedBy, QStringLiteral("bob"));
        QCOMPARE(s->pausedReason, QStringLiteral("release freeze"));
        QCOMPARE(*states.pause(), false);
        QCOMPARE(*states.resume(), true);
        QCOMPARE(*states.resume(), false);
        QVERIFY(!states.read()->paused);
        QCOMPARE(auditActions(), (QStringList{QStringLiteral("ct.paused"), QStringLiteral("ct.resumed")}));
        QCOMPARE(auditEntries().first().reason, QStringLiteral("release freeze"));
    }

    void interruptedIterationFailedOnTheNextStart()
    {
        // A process that will be killed mid-step, and one that stays alive.
        QProcess doomed, alive;
        doomed.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        alive.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(doomed.waitForStarted() && alive.waitForStarted());
        const QString host = QSysInfo::machineHostName();

        IterationStore store(*m_db, m_clock.get());
        const qint64 doomedPid = doomed.processId();
        const Iteration killed = create(store, {doomedPid, host});
        QVERIFY(store.startStep(killed.id, step::kData));
        doomed.kill();
        QVERIFY(doomed.waitForFinished());

        // Looked at from another process: the dead owner's iteration fails, with its step.
        auto failed = store.recoverInterrupted(OwnerCheck::ByProcess);
        QVERIFY(failed);
        QCOMPARE(failed->size(), 1);
        const Iteration after = *store.get(killed.id);
        QCOMPARE(after.state, IterationState::Done);
        QCOMPARE(after.outcome, outcome::kFailed);
        QCOMPARE(after.reason, QStringLiteral("interrupted during step 'data': the process that ran it (PID %1 on %2) has ended; "
                                              "failed cleanly (its worktree removed, nothing promoted)")
                                   .arg(doomedPid)
                                   .arg(host));
        QCOMPARE(store.steps(killed.id)->first().state, QStringLiteral("failed"));
        QCOMPARE(auditActions().last(), QStringLiteral("ct.iteration.interrupted"));
        // Nothing left running: a new iteration may start.
        const Iteration living = create(store, {alive.processId(), host});
        QVERIFY(store.startStep(living.id, step::kData));
        // A live owner's iteration stays running when looked at by process…
        QCOMPARE(store.recoverInterrupted(OwnerCheck::ByProcess)->size(), 0);
        QCOMPARE(store.get(living.id)->state, IterationState::Running);
        // …but whoever holds the loop's lock knows no other loop runs: it is an orphan.
        auto orphans = store.recoverInterrupted(OwnerCheck::AllOrphans);
        QCOMPARE(orphans->size(), 1);
        QVERIFY(store.get(living.id)->reason.contains(QStringLiteral("no longer holds the loop's lock")));
        // This process's own iteration is never taken for an orphan.
        const Iteration mine = create(store);
        QCOMPARE(store.recoverInterrupted(OwnerCheck::AllOrphans)->size(), 0);
        QCOMPARE(store.get(mine.id)->state, IterationState::Running);
        // Another host's owner: gone once it has not beaten for 10 minutes.
        QVERIFY(store.finish(mine.id, outcome::kStopped, QString()));
        const Iteration remote = create(store, {12345, QStringLiteral("elsewhere.example")});
        m_clock->advanceMs(9 * 60'000);
        QCOMPARE(store.recoverInterrupted(OwnerCheck::ByProcess)->size(), 0);
        QVERIFY(store.heartbeat(remote.id));
        m_clock->advanceMs(9 * 60'000);
        QCOMPARE(store.recoverInterrupted(OwnerCheck::ByProcess)->size(), 0);
        m_clock->advanceMs(2 * 60'000);
        QCOMPARE(store.recoverInterrupted(OwnerCheck::ByProcess)->size(), 1);
        alive.kill();
        alive.waitForFinished();
        QVERIFY(audit::AuditLog(*m_db).verify()->ok);
    }
};

QTEST_GUILESS_MAIN(TstIterationStore)
#include "tst_iteration_store.moc"
