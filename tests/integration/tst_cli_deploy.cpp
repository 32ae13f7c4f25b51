// orrery-cli deploy and the workspace's serving process, end to end with the demo's real
// TorchScript models (two versions: the pipeline run twice): a deployment recorded with no server
// waits for one; the server applies desired state as it changes; a canary advances by itself
// while its analysis passes and completion moves champion; a failed analysis aborts with the
// reason and leaves the stable serving; pause, resume, promote and rollback; kill -9 mid-canary
// and a restart resume at the recorded step; what must be refused is refused and changes nothing.
#include "core/store/database.h"
#include "tests/auto/http/http_test_client.h"
#include "tests/integration/oip_request.h"
#include "tests/integration/serve_process.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::HttpReply;
using testing::HttpTestClient;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

namespace {
constexpr int kLongWaitMs = 120'000; // a canary's steps on a loaded CI machine
}

class TstCliDeploy : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QByteArray m_body; // an infer request of 5 demo rows
    QProcess m_server;
    quint16 m_port = 0;

    Run cli(QStringList args) { return runCli(args, m_ws); }

    QJsonObject json(QStringList args)
    {
        args << QStringLiteral("--json");
        const Run r = cli(args);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }
    QJsonObject endpoint() { return json({QStringLiteral("deploy"), QStringLiteral("status"), QStringLiteral("fraud")}).value(QStringLiteral("endpoints")).toArray().first().toObject(); }
    QString phase() { return endpoint().value(QStringLiteral("phase")).toString(); }
    int champion()
    {
        return json({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud")}).value(QStringLiteral("champion")).toInt();
    }

    quint16 startServer() { return testing::startServe(m_server, m_ws, {}); }

    void stopServer(bool kill9)
    {
        if (m_server.state() != QProcess::Running)
            return;
        ::kill(pid_t(m_server.processId()), kill9 ? SIGKILL : SIGTERM);
        m_server.waitForFinished(20000);
    }

    qint64 loggedBy(const QString &version)
    {
        auto db = store::Database::open(m_ws + QStringLiteral("/.orrery/orrery.db"));
        if (!db)
            return -1;
        auto s = (*db)->prepare(QStringLiteral("SELECT count(*) FROM predictions WHERE endpoint = 'fraud' AND version = ?"));
        if (!s)
            return -1;
        s->bind(1, version);
        return s->next() ? s->int64(0) : -1;
    }

    // `n` requests; how many each version answered ("error" for any other answer).
    std::map<QString, int> send(int n)
    {
        std::map<QString, int> by;
        HttpTestClient c(m_port);
        for (int i = 0; i < n; ++i) {
            const HttpReply r = c.post("/v2/models/fraud/infer", m_body);
            by[r.status == 200 ? r.json().value(QStringLiteral("model_version")).toString() : QStringLiteral("error %1").arg(r.status)]++;
        }
        return by;
    }

    // Traffic in the background while a rollout runs; counts what answered.
    struct Traffic {
        std::atomic<bool> stop{false};
        std::mutex m;
        std::map<QString, int> by;
        std::thread thread;
        Traffic(quint16 port, const QByteArray &body)
        {
            thread = std::thread([this, port, body] {
                HttpTestClient c(port);
                while (!stop) {
                    const HttpReply r = c.post("/v2/models/fraud/infer", body);
                    std::lock_guard lock(m);
                    by[r.status == 200 ? r.json().value(QStringLiteral("model_version")).toString() : QStringLiteral("error %1").arg(r.status)]++;
                }
            });
        }
        ~Traffic()
        {
            stop = true;
            thread.join();
        }
        int errors()
        {
            std::lock_guard lock(m);
            int n = 0;
            for (const auto &[k, v] : by)
                n += k.startsWith(QLatin1String("error")) ? v : 0;
            return n;
        }
    };

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        QVERIFY2(runCli({QStringLiteral("demo"), m_ws}).ok(), "demo");
        Run r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // A second version: another learning rate, and a register gate that lets it challenge.
        QString params = QString::fromUtf8(readFile(m_ws + QStringLiteral("/params.yaml")));
        params.replace(QStringLiteral("min_improvement: 0.0"), QStringLiteral("min_improvement: -1.0"));
        writeFile(m_ws + QStringLiteral("/params.yaml"), params.toUtf8());
        QString train = QString::fromUtf8(readFile(m_ws + QStringLiteral("/train.yaml")));
        train.replace(QStringLiteral("lr: 0.003"), QStringLiteral("lr: 0.002"));
        writeFile(m_ws + QStringLiteral("/train.yaml"), train.toUtf8());
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("2"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject signature = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("signature")).toObject();
        const QStringList lines = QString::fromUtf8(readFile(m_ws + QStringLiteral("/work/test.csv"))).split(QLatin1Char('\n'));
        QList<QStringList> rows;
        for (int i = 1; i <= 5; ++i)
            rows << lines[i].split(QLatin1Char(','));
        m_body = testing::oipRequest(signature, lines[0].split(QLatin1Char(',')), rows);
        QCOMPARE(champion(), 1);
    }

    void cleanupTestCase() { stopServer(false); }

    void aDeploymentWaitsForAServerThenServes()
    {
        Run r = cli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--alias"), QStringLiteral("champion"),
                     QStringLiteral("--endpoint"), QStringLiteral("fraud")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("waits for `orrery-cli serve`")), qPrintable(r.out));
        QJsonObject status = json({QStringLiteral("deploy"), QStringLiteral("status")});
        QVERIFY(status.value(QStringLiteral("waiting_for_server")).toBool());
        QCOMPARE(status.value(QStringLiteral("endpoints")).toArray().first().toObject().value(QStringLiteral("strategy")).toString(), QStringLiteral("direct"));
        m_port = startServer();
        QVERIFY(m_port);
        QCOMPARE(send(10), (std::map<QString, int>{{QStringLiteral("1"), 10}}));
        status = json({QStringLiteral("deploy"), QStringLiteral("status")});
        QVERIFY(!status.value(QStringLiteral("waiting_for_server")).toBool());
        const QJsonObject server = status.value(QStringLiteral("servers")).toArray().first().toObject();
        QCOMPARE(server.value(QStringLiteral("url")).toString(), QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        QCOMPARE(server.value(QStringLiteral("pid")).toInteger(), m_server.processId());
    }

    void aCanaryAdvancesWhileItsAnalysisPassesAndMovesChampion()
    {
        QVERIFY(m_port);
        Traffic traffic(m_port, m_body);
        const Run r = cli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("2"),
                           QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--steps"), QStringLiteral("25,50,100"),
                           QStringLiteral("--pause"), QStringLiteral("300ms"), QStringLiteral("--min-requests"), QStringLiteral("20"),
                           QStringLiteral("--analysis"), QStringLiteral("error_rate <= stable + 0.01")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("canary v2 at step 1 of 3 (25 %)")), qPrintable(r.out)); // replacing a version: canary by default
        QTRY_COMPARE_WITH_TIMEOUT(phase(), QStringLiteral("healthy"), kLongWaitMs);
        const QJsonObject e = endpoint();
        QCOMPARE(e.value(QStringLiteral("stable_version")).toInt(), 2);
        QCOMPARE(e.value(QStringLiteral("candidate_version")).toInt(), 0);
        QStringList kinds;
        for (const auto &ev : e.value(QStringLiteral("events")).toArray())
            kinds.prepend(ev.toObject().value(QStringLiteral("kind")).toString());
        QVERIFY2(kinds.join(QLatin1Char(',')).contains(QStringLiteral("started,step")), qPrintable(kinds.join(QLatin1Char(','))));
        QCOMPARE(kinds.last(), QStringLiteral("completed"));
        QCOMPARE(champion(), 2); // completion moves champion
        QTRY_COMPARE_WITH_TIMEOUT(send(5), (std::map<QString, int>{{QStringLiteral("2"), 5}}), 5000);
        QCOMPARE(traffic.errors(), 0); // every routing change on the way failed no request
        // The prediction log has every answer with the version that gave it (committed within
        // ~100 ms: asynchronous by design).
        QTRY_VERIFY_WITH_TIMEOUT(loggedBy(QStringLiteral("2")) > 0 && loggedBy(QStringLiteral("1")) > 0, 10000);
        // Delayed labels: matched to the logged answer by its request id, one per row; an
        // unknown id is stored, counted and named; the answer comes after the commit.
        HttpTestClient c(m_port);
        QCOMPARE(c.request("POST", "/v2/models/fraud/infer", m_body, {{"X-Request-Id", "labelled-1"}}).status, 200);
        HttpReply fb = c.post("/v2/models/fraud/feedback", R"({"request_id": "labelled-1", "labels": [0, 1, 0, 0, 1]})");
        QCOMPARE(fb.status, 200);
        QCOMPARE(fb.json(), (QJsonObject{{QStringLiteral("accepted"), 5}, {QStringLiteral("matched"), 5}, {QStringLiteral("unknown"), 0},
                                         {QStringLiteral("unknown_ids"), QJsonArray()}}));
        fb = c.post("/v2/models/fraud/feedback", R"({"labels": [{"request_id": "labelled-1", "label": 1, "row": 4}, {"request_id": "never-sent", "label": 0}]})");
        QCOMPARE(fb.json().value(QStringLiteral("matched")).toInt(), 1);
        QCOMPARE(fb.json().value(QStringLiteral("unknown_ids")).toArray(), QJsonArray{QStringLiteral("never-sent")});
        fb = c.post("/v2/models/fraud/feedback", R"({"labels": [{"request_id": "labelled-1", "label": [1]}]})");
        QCOMPARE(fb.status, 400);
        QVERIFY2(fb.json().value(QStringLiteral("error")).toString().contains(QStringLiteral("labels[0]")), fb.body.constData());
        // The same from a CSV: matched and unknown counted; a file without the columns refused.
        const QString csv = writeFile(m_dir.filePath(QStringLiteral("labels.csv")), "request_id,label,row\nlabelled-1,1,2\nlabelled-1,fraud,3\nnever-sent,0,\n");
        const QJsonObject imported = json({QStringLiteral("monitor"), QStringLiteral("feedback"), QStringLiteral("import"), csv, QStringLiteral("--endpoint"), QStringLiteral("fraud")});
        QCOMPARE(imported.value(QStringLiteral("accepted")).toInt(), 3);
        QCOMPARE(imported.value(QStringLiteral("matched")).toInt(), 2);
        QCOMPARE(imported.value(QStringLiteral("unknown_ids")).toArray(), QJsonArray{QStringLiteral("never-sent")});
        const Run refused = cli({QStringLiteral("monitor"), QStringLiteral("feedback"), QStringLiteral("import"),
                                 writeFile(m_dir.filePath(QStringLiteral("nolabels.csv")), "id,y\na,1\n"), QStringLiteral("--endpoint"), QStringLiteral("fraud")});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("request_id and label")), qPrintable(refused.err));
        const Run history = cli({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("fraud")});
        QVERIFY2(history.out.contains(QStringLiteral("serves endpoint fraud (completed)")), qPrintable(history.out));
        // Which version served the endpoint when: v1 alone, then both, then v2 alone.
        QVERIFY2(QRegularExpression(QStringLiteral("fraud +\\{\"1\":100\\} +started[\\s\\S]*fraud +\\{\"1\":75,\"2\":25\\} +started[\\s\\S]*fraud +\\{\"2\":100\\} +completed"))
                     .match(history.out).hasMatch(), qPrintable(history.out));
        const QJsonObject now = json({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("fraud"), QStringLiteral("--at"),
                                      QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
        QCOMPARE(now.value(QStringLiteral("endpoints")).toObject().value(QStringLiteral("fraud")).toObject(), (QJsonObject{{QStringLiteral("2"), 100}}));
    }

    void aFailedAnalysisAbortsWithItsReasonAndTheStableServesOn()
    {
        QVERIFY(m_port);
        Run r = cli({QStringLiteral("deploy"), QStringLiteral("rollback"), QStringLiteral("fraud"), QStringLiteral("--reason"), QStringLiteral("back to v1")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(endpoint().value(QStringLiteral("stable_version")).toInt(), 1); // the version served before
        QCOMPARE(champion(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(send(5), (std::map<QString, int>{{QStringLiteral("1"), 5}}), 5000);
        Traffic traffic(m_port, m_body);
        // A rule v2 cannot meet: its p99 must be under a hundredth of v1's.
        r = cli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("2"),
                 QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--steps"), QStringLiteral("50,100"), QStringLiteral("--pause"),
                 QStringLiteral("200ms"), QStringLiteral("--min-requests"), QStringLiteral("20"), QStringLiteral("--analysis"), QStringLiteral("p99_ms <= 0.01 * stable")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QTRY_COMPARE_WITH_TIMEOUT(phase(), QStringLiteral("aborted"), kLongWaitMs);
        const QJsonObject e = endpoint();
        QVERIFY2(e.value(QStringLiteral("message")).toString().contains(QStringLiteral("p99_ms")), qPrintable(e.value(QStringLiteral("message")).toString()));
        QCOMPARE(e.value(QStringLiteral("stable_version")).toInt(), 1);
        QCOMPARE(e.value(QStringLiteral("weights")).toObject(), (QJsonObject{{QStringLiteral("1"), 100}}));
        QCOMPARE(champion(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(send(10), (std::map<QString, int>{{QStringLiteral("1"), 10}}), 5000);
        QCOMPARE(traffic.errors(), 0);
    }

    void pauseResumeAndPromoteByHand()
    {
        QVERIFY(m_port);
        Run r = cli({QStringLiteral("deploy"), QStringLiteral("retry"), QStringLiteral("fraud")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(phase(), QStringLiteral("progressing"));
        QVERIFY(cli({QStringLiteral("deploy"), QStringLiteral("pause"), QStringLiteral("fraud")}).ok());
        QCOMPARE(phase(), QStringLiteral("paused"));
        // Paused at 50 %: both versions answer, exactly one in two (smooth weighted round-robin).
        QTRY_COMPARE_WITH_TIMEOUT(send(10), (std::map<QString, int>{{QStringLiteral("1"), 5}, {QStringLiteral("2"), 5}}), 5000);
        QVERIFY(cli({QStringLiteral("deploy"), QStringLiteral("resume"), QStringLiteral("fraud")}).ok());
        r = cli({QStringLiteral("deploy"), QStringLiteral("promote"), QStringLiteral("fraud"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("stable_version")).toInt(), 2);
        QCOMPARE(champion(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(send(5), (std::map<QString, int>{{QStringLiteral("2"), 5}}), 5000);
    }

    void killNineMidCanaryResumesAtTheRecordedStep()
    {
        QVERIFY(m_port);
        QVERIFY(cli({QStringLiteral("deploy"), QStringLiteral("rollback"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1")}).ok());
        Run r = cli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("2"),
                     QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--steps"), QStringLiteral("20,100"), QStringLiteral("--pause"), QStringLiteral("10m")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QTRY_COMPARE_WITH_TIMEOUT(send(10), (std::map<QString, int>{{QStringLiteral("1"), 8}, {QStringLiteral("2"), 2}}), 5000);
        const qint64 oldPid = m_server.processId();
        stopServer(true);
        const QJsonObject e = endpoint();
        QCOMPARE(e.value(QStringLiteral("phase")).toString(), QStringLiteral("progressing"));
        QCOMPARE(e.value(QStringLiteral("step_index")).toInt(), 0);
        QVERIFY(json({QStringLiteral("deploy"), QStringLiteral("status")}).value(QStringLiteral("waiting_for_server")).toBool()); // the dead server's record is ignored
        m_port = startServer();
        QVERIFY(m_port);
        QCOMPARE(send(10), (std::map<QString, int>{{QStringLiteral("1"), 8}, {QStringLiteral("2"), 2}})); // at its step at once, never half-switched
        const QJsonArray servers = json({QStringLiteral("deploy"), QStringLiteral("status")}).value(QStringLiteral("servers")).toArray();
        QCOMPARE(servers.size(), 1);
        QVERIFY(servers.first().toObject().value(QStringLiteral("pid")).toInteger() != oldPid);
        QCOMPARE(phase(), QStringLiteral("progressing"));
    }

    void refusedChangesChangeNothing()
    {
        const qint64 before = json({QStringLiteral("deploy"), QStringLiteral("status")}).value(QStringLiteral("revision")).toInteger();
        const QList<std::pair<QStringList, QString>> refused = {
            {{QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--endpoint"), QStringLiteral("other"),
              QStringLiteral("--strategy"), QStringLiteral("canary"), QStringLiteral("--steps"), QStringLiteral("5,150")}, QStringLiteral("1 to 100")},
            {{QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--endpoint"), QStringLiteral("fraud")}, QStringLiteral("busy")},
            {{QStringLiteral("rollback"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("9")}, QStringLiteral("9")},
            {{QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--endpoint"), QStringLiteral("Bad_Name")}, QStringLiteral("lowercase")},
            {{QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--endpoint"), QStringLiteral("x"),
              QStringLiteral("--analysis"), QStringLiteral("accuracy >= stable")}, QStringLiteral("accuracy")},
            {{QStringLiteral("resume"), QStringLiteral("fraud")}, QStringLiteral("not paused")},
            {{QStringLiteral("pause"), QStringLiteral("nosuch")}, QStringLiteral("nosuch")},
        };
        for (const auto &[args, needle] : refused) {
            const Run r = cli(QStringList{QStringLiteral("deploy")} + args);
            QVERIFY2(r.code == 2, qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.describe()));
            QVERIFY2(r.err.contains(needle), qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.err));
        }
        QCOMPARE(json({QStringLiteral("deploy"), QStringLiteral("status")}).value(QStringLiteral("revision")).toInteger(), before);
        QCOMPARE(send(10), (std::map<QString, int>{{QStringLiteral("1"), 8}, {QStringLiteral("2"), 2}})); // routing unchanged
    }

    // Once an endpoint serves the model, promoting a version starts that endpoint's rollout;
    // champion waits for its completion.
    void promotingAServedModelStartsTheEndpointsRollout()
    {
        QVERIFY(cli({QStringLiteral("deploy"), QStringLiteral("abort"), QStringLiteral("fraud")}).ok());
        QCOMPARE(champion(), 1);
        const Run r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("2")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("canary rollout started on endpoint fraud")), qPrintable(r.out));
        const QJsonObject e = endpoint();
        QCOMPARE(e.value(QStringLiteral("phase")).toString(), QStringLiteral("progressing"));
        QCOMPARE(e.value(QStringLiteral("candidate_version")).toInt(), 2);
        QCOMPARE(champion(), 1);
        // The endpoint exports as recorded: its rollout's version and canary steps.
        const Run argo = cli({QStringLiteral("export"), QStringLiteral("argo"), QStringLiteral("fraud")});
        QVERIFY2(argo.ok(), qPrintable(argo.describe()));
        QVERIFY2(argo.out.contains(QStringLiteral("fraud-v2.pt")) && argo.out.contains(QStringLiteral("setWeight: 5")), qPrintable(argo.out));
        const Run none = cli({QStringLiteral("export"), QStringLiteral("k8s"), QStringLiteral("nosuch")});
        QCOMPARE(none.code, 2);
        QVERIFY2(none.err.contains(QStringLiteral("has no deployment")), qPrintable(none.err));
    }
};

QTEST_GUILESS_MAIN(TstCliDeploy)
#include "tst_cli_deploy.moc"
