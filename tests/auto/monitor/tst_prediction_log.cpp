// The prediction log (core/monitor/prediction_log.h) on a real workspace database: every record
// committed with its outputs, the inputs for the sampled share only (and whole), batches of
// records in few transactions, flush, retention by age and by rows, and a full buffer that drops
// and counts instead of blocking.
#include "core/monitor/feedback_store.h"
#include "core/monitor/prediction_log.h"
#include "core/serve/prediction_hook_queue.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;

namespace {

serve::PredictionRecord makeRecord(int i, const QDateTime &time = QDateTime::currentDateTimeUtc())
{
    serve::PredictionRecord r;
    r.requestId = QStringLiteral("req-%1").arg(i);
    r.endpoint = QStringLiteral("fraud");
    r.version = QStringLiteral("2");
    serve::InputTensor numeric;
    numeric.name = QStringLiteral("numeric");
    numeric.datatype = QStringLiteral("FP32");
    numeric.rows = 2;
    numeric.width = 2;
    numeric.values = {float(i), 0.5f, NAN, -1.25f};
    serve::InputTensor text;
    text.name = QStringLiteral("categorical");
    text.datatype = QStringLiteral("BYTES");
    text.rows = 2;
    text.width = 1;
    text.texts = {QStringLiteral("web"), QStringLiteral("pos \"quoted\"")};
    r.inputs = {numeric, text};
    serve::OutputTensor out;
    out.name = QStringLiteral("probabilities");
    out.rows = 2;
    out.width = 2;
    out.values = {0.9, 0.1, 0.25, 0.75};
    r.outputs = {out};
    r.latencyMs = 1.5;
    r.time = time;
    return r;
}

} // namespace

class TstPredictionLog : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    QString freshDatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(path, o);
        if (!db)
            qFatal("%s", qPrintable(db.status().message()));
        return path;
    }
    static qint64 scalar(const QString &path, const QString &sql)
    {
        auto db = store::Database::open(path);
        auto s = (*db)->prepare(sql);
        if (!s || !s->next())
            qFatal("%s", qPrintable(sql));
        return s->int64(0);
    }

private Q_SLOTS:
    void everyAnswerIsLoggedAndInputsForTheSampledShare()
    {
        const QString path = freshDatabase();
        monitor::PredictionLogOptions o;
        o.inputRate = 0.25;
        auto log = monitor::PredictionLog::open(path, o);
        QVERIFY2(log, qPrintable(log.status().message()));
        int expectedSampled = 0;
        for (int i = 0; i < 4000; ++i) {
            (*log)->record(makeRecord(i));
            expectedSampled += monitor::PredictionLog::keepsInputs(QStringLiteral("req-%1").arg(i), 0.25) ? 1 : 0;
        }
        QVERIFY((*log)->flush());
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM predictions")), qint64(4000));
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM predictions WHERE inputs IS NOT NULL")), qint64(expectedSampled));
        // The sampled share is near the rate (a hash, not a coin: the same on every run).
        QVERIFY2(expectedSampled > 800 && expectedSampled < 1200, qPrintable(QString::number(expectedSampled)));
        const monitor::PredictionLogStats s = (*log)->stats();
        QCOMPARE(s.recorded, quint64(4000));
        QCOMPARE(s.committed, quint64(4000));
        QCOMPARE(s.dropped, quint64(0));
        // What a row holds: the outputs per row, and (when sampled) the inputs as the model saw them.
        auto db = store::Database::open(path);
        auto q = (*db)->prepare(QStringLiteral("SELECT request_id, endpoint, version, rows, latency_ms, outputs, inputs FROM predictions WHERE inputs IS NOT NULL LIMIT 1"));
        QVERIFY(q && q->next());
        QCOMPARE(q->text(1), QStringLiteral("fraud"));
        QCOMPARE(q->text(2), QStringLiteral("2"));
        QCOMPARE(q->int64(3), qint64(2));
        QCOMPARE(q->real(4), 1.5);
        const QJsonObject outputs = QJsonDocument::fromJson(q->text(5).toUtf8()).object();
        QCOMPARE(outputs.value(QStringLiteral("probabilities")).toArray(), (QJsonArray{QJsonArray{0.9, 0.1}, QJsonArray{0.25, 0.75}}));
        QJsonParseError error;
        const QJsonObject inputs = QJsonDocument::fromJson(q->text(6).toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(q->text(6)));
        const int i = q->text(0).mid(4).toInt();
        QCOMPARE(inputs.value(QStringLiteral("numeric")).toArray(), (QJsonArray{QJsonArray{double(i), 0.5}, QJsonArray{QJsonValue::Null, -1.25}}));
        QCOMPARE(inputs.value(QStringLiteral("categorical")).toArray(),
                 (QJsonArray{QJsonArray{QStringLiteral("web")}, QJsonArray{QStringLiteral("pos \"quoted\"")}}));
    }

    void aFullBufferDropsAndCountsInsteadOfBlocking()
    {
        const QString path = freshDatabase();
        monitor::PredictionLogOptions o;
        o.maxBuffered = 10;
        o.maxBatch = 1'000'000; // nothing wakes the writer before its tick
        o.flushMs = 60'000;
        auto log = monitor::PredictionLog::open(path, o);
        QVERIFY(log);
        for (int i = 0; i < 25; ++i)
            (*log)->record(makeRecord(i));
        QCOMPARE((*log)->stats().dropped, quint64(15));
        QVERIFY((*log)->flush());
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM predictions")), qint64(10));
    }

    void retentionDeletesByAgeAndByRows()
    {
        const QString path = freshDatabase();
        monitor::PredictionLogOptions o;
        o.retentionDays = 7;
        o.maxRows = 50;
        o.retentionEveryMs = 0; // every round
        auto log = monitor::PredictionLog::open(path, o);
        QVERIFY(log);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (int i = 0; i < 20; ++i)
            (*log)->record(makeRecord(i, now.addDays(-8))); // older than the retention
        for (int i = 20; i < 100; ++i)
            (*log)->record(makeRecord(i, now.addSecs(i)));
        QVERIFY((*log)->flush());
        QVERIFY((*log)->flush()); // the round after the commit applies the retention
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM predictions")), qint64(50));
        QCOMPARE(scalar(path, QStringLiteral("SELECT min(time) FROM predictions")), now.addSecs(50).toMSecsSinceEpoch()); // the newest 50 stay
        QCOMPARE((*log)->stats().deleted, quint64(50));
    }

    void closingCommitsWhatIsBuffered()
    {
        const QString path = freshDatabase();
        {
            monitor::PredictionLogOptions o;
            o.flushMs = 60'000;
            o.maxBatch = 1'000'000;
            auto log = monitor::PredictionLog::open(path, o);
            QVERIFY(log);
            for (int i = 0; i < 30; ++i)
                (*log)->record(makeRecord(i));
        }
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM predictions")), qint64(30));
    }

    // Delayed labels (feedback_store.h): matched by request id and row to the logged answers,
    // which are flushed first; unknown ids stored and named; bad bodies refused whole.
    void labelsAreMatchedToTheLog()
    {
        const QString path = freshDatabase();
        monitor::PredictionLogOptions o;
        o.flushMs = 60'000; // only the feedback's flush puts the predictions on disk
        o.maxBatch = 1'000'000;
        auto log = monitor::PredictionLog::open(path, o);
        QVERIFY(log);
        std::shared_ptr<monitor::PredictionLog> shared = std::move(*log);
        for (int i = 0; i < 3; ++i)
            shared->record(makeRecord(i)); // two rows each
        auto store = monitor::FeedbackStore::open(path, shared);
        QVERIFY(store);
        auto labels = monitor::parseFeedback(R"({"labels": [{"request_id": "req-0", "label": 1}, {"request_id": "req-0", "label": 0, "row": 1},
                                                            {"request_id": "req-2", "label": "fraud", "row": 2}, {"request_id": "gone", "label": 0}]})");
        QVERIFY2(labels, qPrintable(labels.status().message()));
        auto r = (*store)->store(QStringLiteral("fraud"), *labels);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->accepted, 4);
        QCOMPARE(r->matched, 2); // req-2 has no row 2; "gone" was never logged
        QCOMPARE(r->unknownIds, (QStringList{QStringLiteral("req-2"), QStringLiteral("gone")}));
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM feedback WHERE prediction_id IS NOT NULL AND version = '2'")), qint64(2));
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM feedback WHERE label_text = 'fraud'")), qint64(1));
        // Another endpoint's labels do not match this endpoint's answers.
        r = (*store)->store(QStringLiteral("other"), *monitor::parseFeedback(R"({"request_id": "req-1", "label": 1})"));
        QCOMPARE(r->matched, 0);
        for (const auto &[body, needle] : std::vector<std::pair<QByteArray, QString>>{
                 {"{", QStringLiteral("not a JSON object")},
                 {R"({"request_id": "r"})", QStringLiteral("give {")},
                 {R"({"labels": []})", QStringLiteral("0 entries")},
                 {R"({"labels": [{"label": 1}]})", QStringLiteral("labels[0]: \"request_id\"")},
                 {R"({"labels": [{"request_id": "r", "label": null}]})", QStringLiteral("number or a string")},
                 {R"({"request_id": "r", "label": 1, "row": -1})", QStringLiteral("\"row\" must be 0 or more")}}) {
            auto bad = monitor::parseFeedback(body);
            QVERIFY(!bad);
            QVERIFY2(bad.status().message().contains(needle), qPrintable(bad.status().message()));
        }
    }

    // The server hands records to the log on a queue of its own; a label sent the moment its
    // answer arrived is matched only because the store waits for that hand-over first.
    void aLabelRightAfterItsAnswerFindsThePrediction()
    {
        const QString path = freshDatabase();
        auto log = monitor::PredictionLog::open(path);
        QVERIFY(log);
        std::shared_ptr<monitor::PredictionLog> shared = std::move(*log);
        struct SlowHook : serve::PredictionHook {
            std::shared_ptr<monitor::PredictionLog> log;
            void record(const serve::PredictionRecord &r) override
            {
                QThread::msleep(300); // a busy consumer thread
                log->record(r);
            }
        };
        auto hook = std::make_shared<SlowHook>();
        hook->log = shared;
        auto queue = std::make_shared<serve::PredictionHookQueue>(100);
        queue->setHook(hook);
        auto store = monitor::FeedbackStore::open(path, shared);
        QVERIFY(store);
        (*store)->setBeforeMatching([queue] { queue->waitHandedOver(10'000); });
        queue->push(makeRecord(7)); // answered: the record is queued, not yet logged
        auto r = (*store)->store(QStringLiteral("fraud"), *monitor::parseFeedback(R"({"request_id": "req-7", "label": 1})"));
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->matched, 1);
        QVERIFY(r->unknownIds.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstPredictionLog)
#include "tst_prediction_log.moc"
