// Webhooks over a real receiver on 127.0.0.1: URL checks, the secret never read back, signed
// deliveries (the HMAC checked by Python's hmac module, an independent oracle), 500 then 200
// retried with backoff on a manual clock, a hanging receiver timed out, redirects not followed,
// no delivery sent twice by two dispatchers at once, and the retry lease (one sender; an expired
// lease taken over).
#include "core/registry/lease.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/registry/webhook_events.h"
#include "core/registry/webhook_retrier.h"
#include "core/registry/webhooks.h"
#include "core/store/database.h"
#include "tests/auto/registry/webhook_receiver.h"
#include "tests/support/test_support.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace orrery;
using namespace orrery::registry;
using orrery::testing::WebhookReceiver;

namespace {

const QDateTime kStart = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000LL, Qt::UTC);

// Python's hmac over the body with the secret: the independent oracle of X-Orrery-Signature.
QByteArray pythonSignature(const QByteArray &body, const QByteArray &secret)
{
    orrery::testing::ProcessOptions options;
    options.input = body;
    const auto r = orrery::testing::run(QStringLiteral("/usr/bin/python3"),
                                        {QStringLiteral("-c"),
                                         QStringLiteral("import hmac, hashlib, sys\n"
                                                        "print('sha256=' + hmac.new(sys.argv[1].encode('utf-8'), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())"),
                                         QString::fromUtf8(secret)},
                                        options);
    if (!r.ok())
        qWarning("%s", qPrintable(r.describe()));
    return r.out.trimmed().toUtf8();
}

} // namespace

class TstWebhooks : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    std::unique_ptr<store::Database> openDb(const QString &path)
    {
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(path, o);
        if (!db)
            qFatal("%s", qPrintable(db.status().toString()));
        return std::move(db).value();
    }
    QString newDbPath() { return m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n)); }

    qint64 addHook(store::Database &db, const QString &url, const QString &secret, const QStringList &events = {QStringLiteral("*")}, const QString &model = {})
    {
        Webhooks hooks(db);
        NewWebhook h;
        h.url = url;
        h.secret = secret;
        h.events = events;
        h.model = model;
        auto added = hooks.add(h);
        if (!added)
            qFatal("%s", qPrintable(added.status().toString()));
        return added->webhook.id;
    }
    void queue(store::Database &db, const QString &event, const QString &model, qint64 nowMs)
    {
        store::Transaction tx(db);
        QVERIFY(tx.status().isOk());
        const Status s = queueWebhookEvent(db, event, model, QJsonObject{{QStringLiteral("version"), 3}, {QStringLiteral("note"), QStringLiteral("naïve ✓")}}, nowMs);
        QVERIFY2(s.isOk(), qPrintable(s.toString()));
        QVERIFY(tx.commit().isOk());
    }
    WebhookDelivery onlyDelivery(store::Database &db)
    {
        Webhooks hooks(db);
        auto all = hooks.deliveries();
        if (!all || all->size() != 1)
            qFatal("expected one delivery");
        return all->first();
    }

private Q_SLOTS:
    void urlsAreCheckedWhenAdded()
    {
        auto db = openDb(newDbPath());
        Webhooks hooks(*db);
        struct Case { QString url; bool allowHttp; QString expect; };
        const QList<Case> refused = {
            {QStringLiteral("file:///etc/passwd"), false, QStringLiteral("'file'")},
            {QStringLiteral("file:///etc/passwd"), true, QStringLiteral("'file'")},
            {QStringLiteral("ftp://example.com/x"), false, QStringLiteral("'ftp'")},
            {QStringLiteral("gopher://example.com/"), true, QStringLiteral("'gopher'")},
            {QStringLiteral("http://example.com/hook"), false, QStringLiteral("--allow-http")},
            {QStringLiteral("http://10.0.0.1/hook"), false, QStringLiteral("--allow-http")},
            {QStringLiteral("http://127.0.0.1.example.com/"), false, QStringLiteral("--allow-http")},
            {QStringLiteral("https://user:pw@example.com/"), false, QStringLiteral("secret")},
            {QStringLiteral("not a url"), false, QStringLiteral("")},
            {QStringLiteral(""), false, QStringLiteral("")},
        };
        for (const Case &c : refused) {
            NewWebhook h;
            h.url = c.url;
            h.allowHttp = c.allowHttp;
            auto added = hooks.add(h);
            QVERIFY2(!added, qPrintable(c.url));
            QCOMPARE(added.status().code(), ErrorCode::InvalidArgument);
            QVERIFY2(added.status().message().contains(c.expect), qPrintable(added.status().message()));
        }
        for (const QString &url : {QStringLiteral("https://hooks.example.com/orrery"), QStringLiteral("http://127.0.0.1:9/x"), QStringLiteral("http://127.1.2.3/"),
                                   QStringLiteral("http://localhost:8080/"), QStringLiteral("http://[::1]:8080/")}) {
            NewWebhook h;
            h.url = url;
            QVERIFY2(hooks.add(h).isOk(), qPrintable(url));
        }
        NewWebhook plain;
        plain.url = QStringLiteral("http://example.com/hook");
        plain.allowHttp = true;
        QVERIFY(hooks.add(plain).isOk());
        // Events are checked too.
        NewWebhook badEvent;
        badEvent.url = QStringLiteral("https://example.com/");
        badEvent.events = {QStringLiteral("model_version.deleted")};
        auto refusedEvent = hooks.add(badEvent);
        QVERIFY(!refusedEvent);
        QVERIFY(refusedEvent.status().message().contains(QStringLiteral("model_version.deleted")));
        QVERIFY(refusedEvent.status().message().contains(webhook_event::kAliasMoved));
        QCOMPARE(hooks.list()->size(), 6);
    }

    void secretIsStoredAsGivenAndNeverReadBack()
    {
        auto db = openDb(newDbPath());
        Webhooks hooks(*db);
        NewWebhook h;
        h.url = QStringLiteral("https://example.com/");
        h.secret = QStringLiteral("my-secret");
        auto given = hooks.add(h);
        QVERIFY(given);
        QVERIFY(given->generatedSecret.isEmpty());
        QVERIFY(given->webhook.hasSecret);
        h.secret.clear();
        auto generated = hooks.add(h);
        QVERIFY(generated);
        QCOMPARE(generated->generatedSecret.size(), 64);
        QVERIFY(generated->generatedSecret != hooks.add(h)->generatedSecret);
        auto s = db->prepare(QStringLiteral("SELECT secret FROM webhooks ORDER BY id"));
        QVERIFY(s->next());
        QCOMPARE(s->text(0), QStringLiteral("my-secret"));
        QVERIFY(s->next());
        QCOMPARE(s->text(0), generated->generatedSecret);
    }

    void deliversSignedPayload()
    {
        WebhookReceiver receiver;
        auto db = openDb(newDbPath());
        const QString secret = QStringLiteral("s3cret-ü");
        const qint64 hook = addHook(*db, receiver.url(), secret, {webhook_event::kVersionCreated, webhook_event::kAliasMoved});
        addHook(*db, receiver.url(QStringLiteral("/other-model")), QStringLiteral("x"), {QStringLiteral("*")}, QStringLiteral("other"));
        addHook(*db, receiver.url(QStringLiteral("/validation-only")), QStringLiteral("x"), {webhook_event::kValidationChanged});
        queue(*db, webhook_event::kVersionCreated, QStringLiteral("fraud"), QDateTime::currentMSecsSinceEpoch());
        const WebhookDelivery queued = onlyDelivery(*db); // only the hook that wants this event for this model
        QCOMPARE(queued.webhookId, hook);
        QCOMPARE(queued.state, QStringLiteral("pending"));

        auto report = deliverPendingNow(*db, 10000);
        QVERIFY2(report, qPrintable(report.status().toString()));
        QCOMPARE(report->attempted, 1);
        QCOMPARE(report->delivered, 1);
        QCOMPARE(receiver.received.size(), 1);
        const auto &r = receiver.received.first();
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.target, QByteArray("/hook"));
        QCOMPARE(r.headers.value("x-orrery-event"), webhook_event::kVersionCreated.toUtf8());
        QCOMPARE(r.headers.value("x-orrery-delivery"), QByteArray::number(queued.id));
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(r.headers.value("x-orrery-signature"), pythonSignature(r.body, secret.toUtf8()));
        QVERIFY(r.headers.value("x-orrery-signature") != pythonSignature(r.body, "wrong"));
        const QJsonObject body = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(body.value(QStringLiteral("event")).toString(), webhook_event::kVersionCreated);
        QCOMPARE(body.value(QStringLiteral("model")).toString(), QStringLiteral("fraud"));
        QCOMPARE(body.value(QStringLiteral("data")).toObject().value(QStringLiteral("note")).toString(), QStringLiteral("naïve ✓"));

        const WebhookDelivery done = onlyDelivery(*db);
        QCOMPARE(done.state, QStringLiteral("delivered"));
        QCOMPARE(done.attempts, 1);
        QCOMPARE(done.lastStatus, 200);
        QVERIFY(done.finished > 0);
        // Nothing left to send: a second call sends nothing.
        QCOMPARE(deliverPendingNow(*db, 10000)->attempted, 0);
        QCOMPARE(receiver.received.size(), 1);
    }

    void failedAttemptIsRecordedAndRetriedWithBackoff()
    {
        WebhookReceiver receiver;
        receiver.statuses = {500, 200};
        receiver.answerBody = "database is down\nretry later";
        auto db = openDb(newDbPath());
        addHook(*db, receiver.url(), QStringLiteral("k"));
        common::ManualClock clock(kStart);
        queue(*db, webhook_event::kAliasMoved, QStringLiteral("fraud"), clock.now().toMSecsSinceEpoch());
        DispatchOptions options;
        options.timeoutMs = 10000;
        WebhookDispatcher dispatcher(*db, clock, options);

        auto first = dispatcher.deliverDue(true);
        QVERIFY(first);
        QCOMPARE(first->failedAttempts, 1);
        WebhookDelivery d = onlyDelivery(*db);
        QCOMPARE(d.state, QStringLiteral("pending"));
        QCOMPARE(d.attempts, 1);
        QCOMPARE(d.lastStatus, 500);
        QVERIFY2(d.lastError.startsWith(QStringLiteral("HTTP 500: database is down retry later")), qPrintable(d.lastError));
        QCOMPARE(d.nextAttempt, kStart.toMSecsSinceEpoch() + 30'000);

        // deliverPendingNow only makes first attempts; the retry waits for its time.
        QCOMPARE(deliverPendingNow(*db, 10000)->attempted, 0);
        clock.advanceMs(29'000);
        QCOMPARE(dispatcher.deliverDue()->attempted, 0);
        QCOMPARE(receiver.received.size(), 1);
        clock.advanceMs(1'000);
        auto second = dispatcher.deliverDue();
        QVERIFY(second);
        QCOMPARE(second->delivered, 1);
        d = onlyDelivery(*db);
        QCOMPARE(d.state, QStringLiteral("delivered"));
        QCOMPARE(d.attempts, 2);
        QCOMPARE(d.lastStatus, 200);
        QVERIFY(d.lastError.isEmpty());
        QCOMPARE(receiver.received.size(), 2);
        QCOMPARE(receiver.received[0].headers.value("x-orrery-delivery"), receiver.received[1].headers.value("x-orrery-delivery"));
        QCOMPARE(receiver.received[0].body, receiver.received[1].body);
    }

    void givesUpAfterMaxAttempts()
    {
        WebhookReceiver receiver;
        receiver.statuses = {503};
        auto db = openDb(newDbPath());
        addHook(*db, receiver.url(), QStringLiteral("k"));
        common::ManualClock clock(kStart);
        queue(*db, webhook_event::kValidationChanged, QStringLiteral("m"), clock.now().toMSecsSinceEpoch());
        DispatchOptions options;
        options.timeoutMs = 10000;
        options.maxAttempts = 4;
        WebhookDispatcher dispatcher(*db, clock, options);
        const QList<qint64> waits = {30'000, 120'000, 600'000};
        for (int attempt = 1; attempt <= 4; ++attempt) {
            QCOMPARE(dispatcher.deliverDue()->attempted, 1);
            const WebhookDelivery d = onlyDelivery(*db);
            QCOMPARE(d.attempts, attempt);
            if (attempt < 4) {
                QCOMPARE(d.state, QStringLiteral("pending"));
                QCOMPARE(d.nextAttempt, clock.now().toMSecsSinceEpoch() + waits[attempt - 1]);
                clock.advanceMs(waits[attempt - 1]);
            } else {
                QCOMPARE(d.state, QStringLiteral("failed"));
                QVERIFY2(d.lastError.contains(QStringLiteral("gave up after 4 attempts")), qPrintable(d.lastError));
                QCOMPARE(d.lastStatus, 503);
            }
        }
        clock.advanceMs(10 * 3'600'000LL);
        QCOMPARE(dispatcher.deliverDue()->attempted, 0);
        QCOMPARE(receiver.received.size(), 4);
        Webhooks hooks(*db);
        DeliveryQuery failed;
        failed.state = QStringLiteral("failed");
        QCOMPARE(hooks.deliveries(failed)->size(), 1);
        failed.state = QStringLiteral("delivered");
        QCOMPARE(hooks.deliveries(failed)->size(), 0);
        failed.state = QStringLiteral("bogus");
        QVERIFY(!hooks.deliveries(failed));
    }

    void hangingReceiverIsTimedOut()
    {
        WebhookReceiver hanging;
        hanging.hang = true;
        WebhookReceiver healthy;
        auto db = openDb(newDbPath());
        addHook(*db, hanging.url(), QStringLiteral("k"));
        addHook(*db, healthy.url(), QStringLiteral("k"));
        queue(*db, webhook_event::kVersionCreated, QStringLiteral("m"), QDateTime::currentMSecsSinceEpoch());
        QElapsedTimer elapsed;
        elapsed.start();
        auto report = deliverPendingNow(*db, 4000);
        const qint64 took = elapsed.elapsed();
        QVERIFY(report);
        // The hanging receiver got the request and never answered; the caller came back anyway,
        // with the healthy receiver's delivery done in the same call.
        QCOMPARE(hanging.received.size(), 1);
        QCOMPARE(healthy.received.size(), 1);
        QCOMPARE(report->attempted, 2);
        QCOMPARE(report->delivered, 1);
        QVERIFY2(took < 4000 + 60'000, qPrintable(QString::number(took))); // bounded, not a speed test
        Webhooks hooks(*db);
        DeliveryQuery pending;
        pending.state = QStringLiteral("pending");
        const auto left = hooks.deliveries(pending);
        QCOMPARE(left->size(), 1);
        QCOMPARE(left->first().attempts, 1);
        QVERIFY2(left->first().lastError.startsWith(QStringLiteral("timed out")), qPrintable(left->first().lastError));
        QCOMPARE(left->first().lastStatus, 0);
        QVERIFY(left->first().nextAttempt > QDateTime::currentMSecsSinceEpoch());
    }

    void redirectsAreNotFollowed()
    {
        WebhookReceiver elsewhere;
        WebhookReceiver redirecting;
        redirecting.statuses = {307};
        redirecting.location = elsewhere.url().toUtf8();
        auto db = openDb(newDbPath());
        addHook(*db, redirecting.url(), QStringLiteral("k"));
        queue(*db, webhook_event::kVersionCreated, QStringLiteral("m"), QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(deliverPendingNow(*db, 10000)->failedAttempts, 1);
        QTest::qWait(200);
        QCOMPARE(redirecting.received.size(), 1);
        QCOMPARE(elsewhere.received.size(), 0);
        const WebhookDelivery d = onlyDelivery(*db);
        QCOMPARE(d.state, QStringLiteral("pending"));
        QCOMPARE(d.lastStatus, 307);
        QVERIFY2(d.lastError.contains(QStringLiteral("redirects are not followed")), qPrintable(d.lastError));
        QVERIFY(d.lastError.contains(elsewhere.url()));
    }

    void refusedConnectionIsAFailedAttempt()
    {
        quint16 closedPort = 0;
        {
            WebhookReceiver gone;
            closedPort = gone.port();
        }
        auto db = openDb(newDbPath());
        addHook(*db, QStringLiteral("http://127.0.0.1:%1/hook").arg(closedPort), QStringLiteral("k"));
        queue(*db, webhook_event::kVersionCreated, QStringLiteral("m"), QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(deliverPendingNow(*db, 10000)->failedAttempts, 1);
        const WebhookDelivery d = onlyDelivery(*db);
        QCOMPARE(d.state, QStringLiteral("pending"));
        QVERIFY(!d.lastError.isEmpty());
    }

    void twoDispatchersNeverSendOneDeliveryTwice()
    {
        WebhookReceiver receiver;
        receiver.delayMs = 300; // both dispatchers are in flight at once
        const QString path = newDbPath();
        auto db = openDb(path);
        for (int i = 0; i < 3; ++i)
            addHook(*db, receiver.url(QStringLiteral("/h%1").arg(i)), QStringLiteral("k"));
        for (int i = 0; i < 4; ++i)
            queue(*db, webhook_event::kVersionCreated, QStringLiteral("m"), QDateTime::currentMSecsSinceEpoch());
        DispatchOptions options;
        options.timeoutMs = 20000;
        options.batch = 5; // 12 deliveries: each dispatcher takes part
        std::atomic<int> otherSent{0};
        QThread *other = QThread::create([&] {
            auto db2 = openDb(path);
            WebhookDispatcher d2(*db2, common::Clock::system(), options);
            for (int round = 0; round < 3; ++round)
                if (auto r = d2.deliverDue())
                    otherSent += r->attempted;
        });
        other->start();
        WebhookDispatcher d1(*db, common::Clock::system(), options);
        int sent = 0;
        for (int round = 0; round < 3; ++round)
            sent += d1.deliverDue()->attempted;
        QTRY_VERIFY_WITH_TIMEOUT(other->isFinished(), 60000);
        delete other;
        QCOMPARE(sent + otherSent, 12);
        QSet<QByteArray> ids;
        for (const auto &r : receiver.received)
            ids.insert(r.headers.value("x-orrery-delivery"));
        QCOMPARE(receiver.received.size(), 12);
        QCOMPARE(ids.size(), 12);
        DeliveryQuery delivered;
        delivered.state = QStringLiteral("delivered");
        QCOMPARE(Webhooks(*db).deliveries(delivered)->size(), 12);
    }

    void leaseLetsOneRetrierSendAndIsTakenOverWhenExpired()
    {
        WebhookReceiver receiver;
        const QString path = newDbPath();
        auto dbA = openDb(path);
        auto dbB = openDb(path);
        addHook(*dbA, receiver.url(), QStringLiteral("k"));
        common::ManualClock clock(kStart);
        RetrierOptions options;
        options.dispatch.timeoutMs = 10000;
        options.leaseTtlMs = 30'000;
        options.holder = QStringLiteral("111@a");
        WebhookRetrier a(*dbA, clock, options);
        options.holder = QStringLiteral("222@b");
        WebhookRetrier b(*dbB, clock, options);

        queue(*dbA, webhook_event::kVersionCreated, QStringLiteral("m"), clock.now().toMSecsSinceEpoch());
        auto roundA = a.runOnce();
        QVERIFY(roundA);
        QVERIFY(roundA->leaseHeld);
        QCOMPARE(roundA->report.delivered, 1);
        queue(*dbA, webhook_event::kVersionCreated, QStringLiteral("m"), clock.now().toMSecsSinceEpoch());
        auto roundB = b.runOnce();
        QVERIFY(roundB);
        QVERIFY(!roundB->leaseHeld);
        QCOMPARE(roundB->report.attempted, 0);
        QCOMPARE(receiver.received.size(), 1);
        Lease probe(*dbB, kWebhooksLease, QStringLiteral("probe"), 1);
        QCOMPARE(probe.current()->first, QStringLiteral("111@a"));

        // A renews while it runs: B still cannot take it 20 s later (A renewed past half its ttl).
        clock.advanceMs(20'000);
        QVERIFY(a.runOnce()->leaseHeld);
        QCOMPARE(receiver.received.size(), 2);
        QVERIFY(!b.runOnce()->leaseHeld);

        // A stops renewing (it died): after the lease expires, B takes it over and sends.
        clock.advanceMs(31'000);
        queue(*dbA, webhook_event::kVersionCreated, QStringLiteral("m"), clock.now().toMSecsSinceEpoch());
        roundB = b.runOnce();
        QVERIFY(roundB->leaseHeld);
        QCOMPARE(roundB->report.delivered, 1);
        QCOMPARE(probe.current()->first, QStringLiteral("222@b"));
        QVERIFY(!a.runOnce()->leaseHeld);
        QCOMPARE(receiver.received.size(), 3);

        // Released on a clean stop: A takes it at once.
        QVERIFY(b.releaseLease().isOk());
        QVERIFY(a.runOnce()->leaseHeld);
    }
};

QTEST_GUILESS_MAIN(TstWebhooks)
#include "tst_webhooks.moc"
