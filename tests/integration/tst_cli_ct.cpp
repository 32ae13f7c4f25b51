// orrery-cli ct as a user runs it, on a real demo workspace (no LibTorch): the served version's
// prediction log (sampled inputs) and delayed labels are written through core/monitor's own
// PredictionLog and FeedbackStore, as the serving process writes them; then `ct run --once
// --until data` commits a new data version — the dataset's bytes unchanged, then exactly the
// labelled production rows (cells as the dataset writes them, the label from the feedback,
// ct.yaml's fills) — on the iteration's own branch, while the user's working tree, index, HEAD
// and branch stay as they were. Then: merged by the user, the next iteration takes only the labels
// that came after (fired by the data trigger); an iteration a killed loop left running is failed
// on the next start; ct check, status, list, show, pause/resume and approve's refusal; the audit.
#include "core/ct/iteration_store.h"
#include "core/monitor/feedback_store.h"
#include "core/monitor/prediction_log.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"

#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::git;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

namespace {

const QByteArray kCtYaml =
    "model: fraud\n"
    "endpoint: fraud\n"
    "dataset:\n"
    "  path: data/transactions.csv\n"
    "  label: is_fraud\n"
    "  columns: {timestamp: $time, transaction_id: $request, customer_id: unknown}\n"
    "triggers:\n"
    "  schedule: \"0 3 * * 1-5\"\n"
    "  data: [data/transactions.csv.dvc]\n"
    "  alert: [FeatureDrift]\n"
    "policies:\n"
    "  cooldown: 0s\n";

// The demo model's signature: the columns of each input tensor name the dataset's columns.
QJsonObject signature()
{
    return QJsonObject{
        {QStringLiteral("inputs"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("numeric")}, {QStringLiteral("dtype"), QStringLiteral("FP32")}, {QStringLiteral("shape"), QJsonArray{-1, 5}},
                                {QStringLiteral("columns"), QJsonArray{QStringLiteral("amount"), QStringLiteral("distance_from_home_km"), QStringLiteral("customer_age"),
                                                                       QStringLiteral("account_age_days"), QStringLiteral("transactions_last_24h")}}},
                    QJsonObject{{QStringLiteral("name"), QStringLiteral("categorical")}, {QStringLiteral("dtype"), QStringLiteral("BYTES")}, {QStringLiteral("shape"), QJsonArray{-1, 3}},
                                {QStringLiteral("columns"), QJsonArray{QStringLiteral("merchant_category"), QStringLiteral("channel"), QStringLiteral("country")}}}}},
        {QStringLiteral("outputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("probabilities")}, {QStringLiteral("shape"), QJsonArray{-1, 2}}}}}};
}

struct Tx {
    float amount, distance, age, accountAge, last24h;
    const char *category, *channel, *country;
};

// One answered request of `rows` transactions, as the server hands it to the prediction hook.
serve::PredictionRecord request(const QString &id, const QVector<Tx> &rows, const QDateTime &time)
{
    serve::PredictionRecord r;
    r.requestId = id;
    r.endpoint = QStringLiteral("fraud");
    r.version = QStringLiteral("1");
    r.time = time;
    r.latencyMs = 1.5;
    serve::InputTensor numeric{QStringLiteral("numeric"), QStringLiteral("FP32"), int(rows.size()), 5, {}, {}};
    serve::InputTensor categorical{QStringLiteral("categorical"), QStringLiteral("BYTES"), int(rows.size()), 3, {}, {}};
    serve::OutputTensor out{QStringLiteral("probabilities"), int(rows.size()), 2, {}};
    for (const Tx &t : rows) {
        numeric.values.insert(numeric.values.end(), {t.amount, t.distance, t.age, t.accountAge, t.last24h});
        categorical.texts.insert(categorical.texts.end(), {QString::fromLatin1(t.category), QString::fromLatin1(t.channel), QString::fromLatin1(t.country)});
        out.values.insert(out.values.end(), {0.9, 0.1});
    }
    r.inputs = {numeric, categorical};
    r.outputs = {out};
    return r;
}

monitor::Label label(const QString &id, int row, double value) { return {id, row, true, value, QString()}; }

QString md5Of(const QByteArray &bytes) { return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex()); }

} // namespace

class TstCliCt : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QByteArray m_original; // the dataset's bytes

    Run cli(const QStringList &args) { return runCli(args, m_ws); }
    QJsonObject json(const Run &r)
    {
        const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8());
        if (!doc.isObject())
            qWarning("not a JSON object: %s", qPrintable(r.describe()));
        return doc.object();
    }
    QString database() const { return m_ws + QStringLiteral("/.orrery/orrery.db"); }
    QString gitOut(const QStringList &args) { return git(m_ws, args).trimmed(); }
    QString dvcMd5(const QByteArray &dvc)
    {
        const int at = dvc.indexOf("md5: ");
        return at < 0 ? QString() : QString::fromLatin1(dvc.mid(at + 5, 32));
    }
    QByteArray cached(const QString &md5) { return readFile(m_ws + QStringLiteral("/.orrery/cache/files/md5/") + md5.left(2) + QLatin1Char('/') + md5.mid(2)); }

    // Labels for the log, through the feedback store (matched to the predictions by request id).
    void submit(const QVector<monitor::Label> &labels)
    {
        auto feedback = monitor::FeedbackStore::open(database());
        QVERIFY2(feedback, qPrintable(feedback.status().toString()));
        auto stored = (*feedback)->store(QStringLiteral("fraud"), labels);
        QVERIFY2(stored, qPrintable(stored.status().toString()));
        QCOMPARE(stored->matched, labels.size());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws, QStringLiteral("--rows"), QStringLiteral("300"), QStringLiteral("--baseline-trainer")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        writeFile(m_ws + QStringLiteral("/ct.yaml"), kCtYaml);
        git(m_ws, {QStringLiteral("add"), QStringLiteral("ct.yaml")});
        git(m_ws, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("the continuous-training loop")});
        m_original = readFile(m_ws + QStringLiteral("/data/transactions.csv"));

        // The served version, with its signature.
        auto db = store::Database::open(database());
        QVERIFY2(db, qPrintable(db.status().toString()));
        registry::ModelRegistry models(**db);
        registry::NewVersion v;
        v.name = QStringLiteral("fraud");
        v.source = QStringLiteral("models/model.pt");
        v.format = QStringLiteral("torchscript");
        v.signature = signature();
        v.notServableReason = QStringLiteral("a test's stand-in: the signature is what the loop reads");
        QVERIFY(models.createVersion(v));

        // Traffic: requests with inputs logged (one of two rows), one whose inputs were not sampled.
        const QDateTime t0(QDate(2026, 3, 10), QTime(10, 0), Qt::UTC);
        {
            monitor::PredictionLogOptions all;
            all.inputRate = 1.0;
            auto log = monitor::PredictionLog::open(database(), all);
            QVERIFY(log);
            (*log)->record(request(QStringLiteral("req-a"), {{12.34f, 3.5f, NAN, 400, 2, "grocery", "pos", "US"}}, t0));
            (*log)->record(request(QStringLiteral("req-b"), {{1500.5f, 820.25f, 61, 3650, 0, "electronics", "online", "BR"},
                                                             {7.0f, 0.1f, 33, 12, 14, "fuel", "pos", "US"}},
                                   t0.addSecs(60)));
            (*log)->record(request(QStringLiteral("req-c"), {{99.99f, 1, 45, 100, 1, "travel", "atm", "DE"}}, t0.addSecs(120)));
            QVERIFY((*log)->flush());
            monitor::PredictionLogOptions none;
            none.inputRate = 0.0;
            auto unsampled = monitor::PredictionLog::open(database(), none);
            QVERIFY(unsampled);
            (*unsampled)->record(request(QStringLiteral("req-d"), {{5, 5, 5, 5, 5, "health", "pos", "US"}}, t0.addSecs(180)));
            QVERIFY((*unsampled)->flush());
        }
        // Labels for every row but req-c's; req-a's corrected once (the newest label wins).
        submit({label(QStringLiteral("req-a"), 0, 0), label(QStringLiteral("req-b"), 0, 1), label(QStringLiteral("req-b"), 1, 0),
                label(QStringLiteral("req-d"), 0, 0), label(QStringLiteral("req-a"), 0, 1)});
    }

    void checkShowsTheTriggers()
    {
        const Run r = cli({QStringLiteral("ct"), QStringLiteral("check")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("ct.yaml: ok — retrains fraud (endpoint fraud) on data/transactions.csv, label is_fraud, production rows: all")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("schedule  \"0 3 * * 1-5\" (UTC), next runs:")));
        const QJsonObject j = json(cli({QStringLiteral("ct"), QStringLiteral("check"), QStringLiteral("--json"), QStringLiteral("--next"), QStringLiteral("3")}));
        const QJsonArray runs = j.value(QStringLiteral("triggers")).toObject().value(QStringLiteral("schedule")).toObject().value(QStringLiteral("next_runs")).toArray();
        QCOMPARE(runs.size(), 3);
        for (const QJsonValue &run : runs) {
            const QDateTime t = QDateTime::fromString(run.toString(), Qt::ISODateWithMs);
            QCOMPARE(t.time(), QTime(3, 0));
            QVERIFY(t.date().dayOfWeek() <= 5); // Monday to Friday
            QVERIFY(t > QDateTime::currentDateTimeUtc());
        }
        // A broken file: every error with its place, exit 2, and the loop refuses to run.
        writeFile(m_ws + QStringLiteral("/ct.yaml"), kCtYaml + "polices: {}\n");
        const Run bad = cli({QStringLiteral("ct"), QStringLiteral("check")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("ct.yaml:13:1: unknown key 'polices' in the file; did you mean 'policies'?")), qPrintable(bad.err));
        const Run refused = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data")});
        QCOMPARE(refused.code, 2);
        QVERIFY(refused.err.contains(QStringLiteral("ct.yaml:13:1:")));
        writeFile(m_ws + QStringLiteral("/ct.yaml"), kCtYaml);
    }

    void theDataStepCommitsTheLabelledProductionRows()
    {
        const QString head = gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        QVERIFY(gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}).isEmpty());
        const QByteArray dvcBefore = readFile(m_ws + QStringLiteral("/data/transactions.csv.dvc"));

        // Nothing fires on the first look (its baseline); asked by hand, an iteration runs.
        Run r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("ct: nothing starts: no trigger fires")), qPrintable(r.out));
        r = cli({QStringLiteral("ct"), QStringLiteral("trigger"), QStringLiteral("--reason"), QStringLiteral("new labels came in")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject j = json(r);
        QVERIFY(j.value(QStringLiteral("started")).toBool());
        const QJsonObject it = j.value(QStringLiteral("iteration")).toObject();
        QCOMPARE(it.value(QStringLiteral("id")).toInt(), 1);
        QCOMPARE(it.value(QStringLiteral("trigger")).toString(), QStringLiteral("manual"));
        QCOMPARE(it.value(QStringLiteral("outcome")).toString(), QStringLiteral("stopped"));
        const QJsonObject data = j.value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("rows_added")).toInt(), 3);     // req-a, req-b × 2
        QCOMPARE(data.value(QStringLiteral("labelled")).toInt(), 4);       // req-a (newest label), req-b × 2, req-d
        QCOMPARE(data.value(QStringLiteral("without_inputs")).toInt(), 1); // req-d
        QCOMPARE(data.value(QStringLiteral("branch")).toString(), QStringLiteral("orrery/ct/1"));
        QVERIFY(r.err.contains(QStringLiteral("ct: ct iteration 1: step data: 3 labelled production rows added to data/transactions.csv")));

        // The new version, on the iteration's branch: the dataset's bytes, then the rows.
        const QString branchDvc = git(m_ws, {QStringLiteral("show"), QStringLiteral("orrery/ct/1:data/transactions.csv.dvc")});
        const QString md5 = dvcMd5(branchDvc.toUtf8());
        QCOMPARE(md5, data.value(QStringLiteral("md5")).toString());
        QVERIFY(md5 != dvcMd5(dvcBefore));
        const QByteArray version = cached(md5);
        QCOMPARE(md5Of(version), md5);
        QVERIFY(version.startsWith(m_original));
        QCOMPARE(QString::fromUtf8(version.mid(m_original.size())),
                 QStringLiteral("req-a,2026-03-10T10:00:00Z,unknown,12.34,grocery,pos,US,3.5,,400,2,1\n"
                                "req-b#0,2026-03-10T10:01:00Z,unknown,1500.5,electronics,online,BR,820.25,61,3650,0,1\n"
                                "req-b#1,2026-03-10T10:01:00Z,unknown,7,fuel,pos,US,0.1,33,12,14,0\n"));
        QCOMPARE(gitOut({QStringLiteral("rev-parse"), QStringLiteral("orrery/ct/1^")}), head);
        QVERIFY(gitOut({QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%s"), QStringLiteral("orrery/ct/1")})
                    .startsWith(QStringLiteral("ct iteration 1: data/transactions.csv with 3 labelled production rows from fraud")));

        // The user's side is as it was: HEAD, branch, status, the working tree's data and .dvc file.
        QCOMPARE(gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), head);
        QCOMPARE(gitOut({QStringLiteral("rev-parse"), QStringLiteral("--abbrev-ref"), QStringLiteral("HEAD")}), QStringLiteral("main"));
        QVERIFY2(gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}).isEmpty(), qPrintable(gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")})));
        QCOMPARE(readFile(m_ws + QStringLiteral("/data/transactions.csv")), m_original);
        QCOMPARE(readFile(m_ws + QStringLiteral("/data/transactions.csv.dvc")), dvcBefore);
        // The worktree is gone; its branch keeps the commit.
        QVERIFY(!QFileInfo::exists(m_ws + QStringLiteral("/.orrery/worktrees/ct-1")));
        QVERIFY(!git(m_ws, {QStringLiteral("worktree"), QStringLiteral("list")}).contains(QStringLiteral("ct-1")));

        // The records: list, show with its step, and the audit log.
        const QJsonObject shown = json(cli({QStringLiteral("ct"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}));
        QCOMPARE(shown.value(QStringLiteral("data_version")).toString(), md5);
        const QJsonArray steps = shown.value(QStringLiteral("steps")).toArray();
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("data"));
        QCOMPARE(steps[0].toObject().value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(steps[0].toObject().value(QStringLiteral("detail")).toObject().value(QStringLiteral("commit")).toString(),
                 gitOut({QStringLiteral("rev-parse"), QStringLiteral("orrery/ct/1")}));
        const Run audit = cli({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--limit"), QStringLiteral("10")});
        for (const char *action : {"ct.trigger.manual", "ct.iteration.started", "ct.step.started", "ct.step.succeeded", "ct.iteration.stopped"})
            QVERIFY2(audit.out.contains(QLatin1String(action)), qPrintable(action + QStringLiteral(" missing:\n") + audit.out));
        QVERIFY(cli({QStringLiteral("audit"), QStringLiteral("verify")}).ok());
    }

    void mergedThenOnlyTheNewLabels()
    {
        // The user takes the loop's data version into main; the data trigger sees the new md5.
        git(m_ws, {QStringLiteral("merge"), QStringLiteral("-q"), QStringLiteral("--ff-only"), QStringLiteral("orrery/ct/1")});
        // A label that came later (req-c's).
        submit({label(QStringLiteral("req-c"), 0, 1)});
        Run r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject j = json(r);
        QCOMPARE(j.value(QStringLiteral("iteration")).toObject().value(QStringLiteral("trigger")).toString(), QStringLiteral("data"));
        QVERIFY2(j.value(QStringLiteral("decision")).toString().startsWith(QStringLiteral("data (new data: data/transactions.csv.dvc: md5 ")), qPrintable(r.out));
        const QJsonObject data = j.value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("rows_added")).toInt(), 1);
        const QByteArray merged = cached(data.value(QStringLiteral("base_md5")).toString());
        const QByteArray version = cached(data.value(QStringLiteral("md5")).toString());
        QVERIFY(version.startsWith(merged));
        QCOMPARE(QString::fromUtf8(version.mid(merged.size())), QStringLiteral("req-c,2026-03-10T10:02:00Z,unknown,99.99,travel,atm,DE,1,45,100,1,1\n"));
        QVERIFY(gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}).isEmpty());
        // Nothing new since: the next iteration adds nothing, commits nothing, leaves no branch.
        QVERIFY(cli({QStringLiteral("ct"), QStringLiteral("trigger")}).ok());
        git(m_ws, {QStringLiteral("merge"), QStringLiteral("-q"), QStringLiteral("--ff-only"), QStringLiteral("orrery/ct/2")});
        r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(json(r).value(QStringLiteral("data")).toObject().value(QStringLiteral("rows_added")).toInt(), 0);
        QCOMPARE(json(r).value(QStringLiteral("data")).toObject().value(QStringLiteral("commit")), QJsonValue());
        QVERIFY(testing::gitResult(m_ws, {QStringLiteral("rev-parse"), QStringLiteral("--verify"), QStringLiteral("-q"), QStringLiteral("orrery/ct/3")}).code != 0);
    }

    void pausedNothingStartsAndApproveIsRefused()
    {
        QVERIFY(cli({QStringLiteral("ct"), QStringLiteral("pause"), QStringLiteral("--reason"), QStringLiteral("freeze")}).ok());
        QVERIFY(cli({QStringLiteral("ct"), QStringLiteral("trigger")}).ok());
        Run r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("ct: nothing starts: the loop is paused")), qPrintable(r.out));
        const QJsonObject status = json(cli({QStringLiteral("ct"), QStringLiteral("status"), QStringLiteral("--json")}));
        QVERIFY(status.value(QStringLiteral("paused")).toBool());
        QCOMPARE(status.value(QStringLiteral("paused_reason")).toString(), QStringLiteral("freeze"));
        QCOMPARE(status.value(QStringLiteral("blocked")).toString(), QStringLiteral("paused"));
        QVERIFY(cli({QStringLiteral("ct"), QStringLiteral("resume")}).ok());
        const Run approve = cli({QStringLiteral("ct"), QStringLiteral("approve"), QStringLiteral("1")});
        QCOMPARE(approve.code, 2);
        QVERIFY2(approve.err.contains(QStringLiteral("ct iteration 1 is done (stopped), not waiting for approval")), qPrintable(approve.err));
        QCOMPARE(cli({QStringLiteral("ct"), QStringLiteral("show"), QStringLiteral("99")}).code, 2);
    }

    void aKilledIterationIsFailedOnTheNextStart()
    {
        // An iteration whose loop was killed in its data step, its worktree half made.
        QProcess loop;
        loop.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(loop.waitForStarted());
        const qint64 pid = loop.processId();
        qint64 id = 0;
        {
            auto db = store::Database::open(database());
            QVERIFY(db);
            ct::IterationStore iterations(**db);
            ct::NewIteration request;
            request.triggerKind = QStringLiteral("manual");
            request.triggerDetail = QStringLiteral("a loop that will be killed");
            request.owner = {pid, QSysInfo::machineHostName()};
            auto created = iterations.create(request);
            QVERIFY2(created, qPrintable(created.status().toString()));
            id = created->id;
            QVERIFY(iterations.startStep(id, ct::step::kData));
        }
        writeFile(m_ws + QStringLiteral("/.orrery/worktrees/ct-%1/half.csv").arg(id), "a,b\n");
        loop.kill();
        QVERIFY(loop.waitForFinished());
        const QJsonObject running = json(cli({QStringLiteral("ct"), QStringLiteral("status"), QStringLiteral("--json")}));
        QCOMPARE(running.value(QStringLiteral("active")).toObject().value(QStringLiteral("id")).toInt(), id);

        const Run r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("ct: ct iteration %1 failed: interrupted during step 'data'").arg(id)), qPrintable(r.out));
        const QJsonObject shown = json(cli({QStringLiteral("ct"), QStringLiteral("show"), QString::number(id), QStringLiteral("--json")}));
        QCOMPARE(shown.value(QStringLiteral("outcome")).toString(), QStringLiteral("failed"));
        QCOMPARE(shown.value(QStringLiteral("steps")).toArray()[0].toObject().value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        QVERIFY(!QFileInfo::exists(m_ws + QStringLiteral("/.orrery/worktrees/ct-%1").arg(id)));
        QVERIFY(cli({QStringLiteral("audit"), QStringLiteral("list")}).out.contains(QStringLiteral("ct.iteration.interrupted")));
        const QJsonObject list = json(cli({QStringLiteral("ct"), QStringLiteral("list"), QStringLiteral("--json")}));
        QCOMPARE(list.value(QStringLiteral("iterations")).toArray().first().toObject().value(QStringLiteral("id")).toInt(), id);
        QVERIFY(gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}).isEmpty());
    }

    void aFailedDataStepEndsTheIterationCleanly()
    {
        // A label column the dataset does not have: found by the data step, not by ct check.
        writeFile(m_ws + QStringLiteral("/ct.yaml"), QByteArray(kCtYaml).replace("label: is_fraud", "label: fraud_flag"));
        QVERIFY(cli({QStringLiteral("ct"), QStringLiteral("check")}).ok());
        QVERIFY(cli({QStringLiteral("ct"), QStringLiteral("trigger")}).ok());
        const Run r = cli({QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--until"), QStringLiteral("data"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        const QJsonObject it = json(r).value(QStringLiteral("iteration")).toObject();
        const int id = it.value(QStringLiteral("id")).toInt();
        QCOMPARE(it.value(QStringLiteral("outcome")).toString(), QStringLiteral("failed"));
        QVERIFY2(it.value(QStringLiteral("reason")).toString().startsWith(QStringLiteral("the data step failed: the dataset data/transactions.csv has no column 'fraud_flag' (ct.yaml's dataset.label); its columns are: transaction_id,")),
                 qPrintable(it.value(QStringLiteral("reason")).toString()));
        // Nothing left behind: no worktree, no branch; the user's tree as it was (but for the edit).
        QVERIFY(!QFileInfo::exists(m_ws + QStringLiteral("/.orrery/worktrees/ct-%1").arg(id)));
        QVERIFY(testing::gitResult(m_ws, {QStringLiteral("rev-parse"), QStringLiteral("--verify"), QStringLiteral("-q"), QStringLiteral("orrery/ct/%1").arg(id)}).code != 0);
        QCOMPARE(gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}), QStringLiteral("M ct.yaml"));
        writeFile(m_ws + QStringLiteral("/ct.yaml"), kCtYaml);
    }
};

QTEST_GUILESS_MAIN(TstCliCt)
#include "tst_cli_ct.moc"
