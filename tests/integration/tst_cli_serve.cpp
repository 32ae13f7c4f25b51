// orrery-cli serve with the demo's real TorchScript model (the pipeline trains it with
// orrery-train): served as fraud@champion, models:/fraud/1 and as a file through orrery-serve,
// /infer answers what `orrery-cli predict` writes for the same rows, the version pins, the
// token rule off loopback, SIGTERM drains and exits 0.
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

#include <csignal>
#include <thread>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::HttpReply;
using testing::HttpTestClient;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

class TstCliServe : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QJsonObject m_signature;
    QList<QStringList> m_rows; // the CSV's first rows, split
    QStringList m_header;
    QList<QList<double>> m_expected; // predict's p_0, p_1

    Run cli(QStringList args) { return runCli(args, m_ws); }

    quint16 startServer(QProcess &p, const QStringList &args) { return testing::startServe(p, m_ws, args); }

    int stopServer(QProcess &p, QByteArray *err = nullptr)
    {
        ::kill(pid_t(p.processId()), SIGTERM);
        if (!p.waitForFinished(20000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        if (err)
            *err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }

    QByteArray inferBody() { return testing::oipRequest(m_signature, m_header, m_rows, QStringLiteral("cmp")); }

    void expectPredictions(const HttpReply &r, const QString &version)
    {
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("model_version")).toString(), version);
        QCOMPARE(o.value(QStringLiteral("id")).toString(), QStringLiteral("cmp"));
        const QJsonObject out = o.value(QStringLiteral("outputs")).toArray()[0].toObject();
        QCOMPARE(out.value(QStringLiteral("name")).toString(), QStringLiteral("probabilities"));
        QCOMPARE(out.value(QStringLiteral("shape")).toArray(), (QJsonArray{m_rows.size(), 2}));
        const QJsonArray data = out.value(QStringLiteral("data")).toArray();
        QCOMPARE(data.size(), m_rows.size() * 2);
        for (int r = 0; r < m_rows.size(); ++r)
            for (int c = 0; c < 2; ++c)
                QVERIFY2(std::abs(data[r * 2 + c].toDouble() - m_expected[r][c]) < 1e-6,
                         qPrintable(QStringLiteral("row %1 column %2: served %3, predict %4").arg(r).arg(c).arg(data[r * 2 + c].toDouble()).arg(m_expected[r][c])));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        m_signature = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("signature")).toObject();
        QCOMPARE(m_signature.value(QStringLiteral("inputs")).toArray().size(), 2); // numeric FP32, categorical BYTES
        // 40 rows of the held-out data, one numeric cell blanked (a missing value).
        const QStringList lines = QString::fromUtf8(readFile(m_ws + QStringLiteral("/work/test.csv"))).split(QLatin1Char('\n'));
        m_header = lines[0].split(QLatin1Char(','));
        QStringList csv{lines[0]};
        for (int i = 1; i <= 40; ++i) {
            QStringList row = lines[i].split(QLatin1Char(','));
            if (i == 3)
                row[int(m_header.indexOf(QStringLiteral("amount")))].clear();
            m_rows.append(row);
            csv << row.join(QLatin1Char(','));
        }
        writeFile(m_ws + QStringLiteral("/rows.csv"), csv.join(QLatin1Char('\n')).toUtf8() + '\n');
        r = cli({QStringLiteral("predict"), QStringLiteral("fraud@champion"), QStringLiteral("--input"), QStringLiteral("rows.csv"), QStringLiteral("--output"), QStringLiteral("scores.csv")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QStringList scores = QString::fromUtf8(readFile(m_ws + QStringLiteral("/scores.csv"))).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(scores.size(), 41);
        for (int i = 1; i < scores.size(); ++i)
            m_expected.append({scores[i].section(QLatin1Char(','), 0, 0).toDouble(), scores[i].section(QLatin1Char(','), 1, 1).toDouble()});
    }

    void servesTheChampionAsPredictScoresIt()
    {
        QProcess p;
        const quint16 port = startServer(p, {QStringLiteral("--model"), QStringLiteral("fraud@champion"), QStringLiteral("--endpoint"), QStringLiteral("fraud"),
                                             QStringLiteral("--max-batch"), QStringLiteral("64")});
        QVERIFY(port != 0);
        HttpTestClient c(port);
        QCOMPARE(c.get("/v2/health/ready").status, 200);
        const QJsonObject meta = c.get("/v2/models/fraud").json();
        QCOMPARE(meta.value(QStringLiteral("platform")).toString(), QStringLiteral("pytorch_torchscript"));
        QCOMPARE(meta.value(QStringLiteral("versions")).toArray(), QJsonArray{QStringLiteral("1")});
        QCOMPARE(meta.value(QStringLiteral("inputs")).toArray()[1].toObject().value(QStringLiteral("datatype")).toString(), QStringLiteral("BYTES"));
        QCOMPARE(meta.value(QStringLiteral("inputs")).toArray()[0].toObject().value(QStringLiteral("shape")).toArray(), (QJsonArray{-1, 5}));
        expectPredictions(c.post("/v2/models/fraud/infer", inferBody()), QStringLiteral("1"));
        expectPredictions(c.post("/v2/models/fraud/versions/1/infer", inferBody()), QStringLiteral("1"));
        QCOMPARE(c.post("/v2/models/fraud/versions/2/infer", inferBody()).status, 404);
        // The real model's bad input: a categorical row of the wrong width, a number as text.
        QByteArray bad = inferBody();
        bad.replace("\"datatype\":\"BYTES\"", "\"datatype\":\"FP32\"");
        QCOMPARE(c.post("/v2/models/fraud/infer", bad).status, 400);
        QCOMPARE(c.post("/v2/models/fraud/infer", "{\"inputs\":[").status, 400);
        expectPredictions(c.post("/v2/models/fraud/infer", inferBody()), QStringLiteral("1")); // alive
        QByteArray err;
        QCOMPARE(stopServer(p, &err), 0);
        QVERIFY2(err.contains("stopped (SIGTERM)"), err.constData());
    }

    void servesVersionsAndFiles()
    {
        for (const QString &model : {QStringLiteral("models:/fraud/1"), QStringLiteral("models/model.pt")}) {
            QProcess p;
            const quint16 port = startServer(p, {QStringLiteral("--model"), model, QStringLiteral("--endpoint"), QStringLiteral("scorer"),
                                                 QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--max-delay-ms"), QStringLiteral("0")});
            QVERIFY(port != 0);
            HttpTestClient c(port);
            const HttpReply r = c.post("/v2/models/scorer/infer", inferBody());
            expectPredictions(r, QStringLiteral("1"));
            QCOMPARE(stopServer(p), 0);
        }
    }

    // SIGTERM while a request waits in the queue (a long batching delay): it is answered, then
    // the process exits 0.
    void sigtermDrainsQueuedRequests()
    {
        QProcess p;
        const quint16 port = startServer(p, {QStringLiteral("--model"), QStringLiteral("fraud@champion"), QStringLiteral("--endpoint"), QStringLiteral("fraud"),
                                             QStringLiteral("--max-delay-ms"), QStringLiteral("10000")});
        QVERIFY(port != 0);
        HttpReply answered;
        const QByteArray body = inferBody();
        std::thread client([&] {
            HttpTestClient c(port);
            answered = c.post("/v2/models/fraud/infer", body);
        });
        // The request is queued (its batch waits up to 10 s for company) once /metrics says so.
        HttpTestClient scraper(port);
        QTRY_VERIFY_WITH_TIMEOUT(scraper.get("/metrics").body.contains("orrery_queue_rows{endpoint=\"fraud\",version=\"1\"} 40\n"), 20000);
        QByteArray err;
        QCOMPARE(stopServer(p, &err), 0);
        client.join();
        expectPredictions(answered, QStringLiteral("1"));
        QVERIFY2(err.contains("stopped (SIGTERM): 1 predictions"), err.constData());
    }

    void refusesWhatCannotBeServed()
    {
        Run r = cli({QStringLiteral("serve"), QStringLiteral("--model"), QStringLiteral("fraud@nosuchalias"), QStringLiteral("--endpoint"), QStringLiteral("x")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("nosuchalias")) || r.err.contains(QStringLiteral("alias")), qPrintable(r.err));
        r = cli({QStringLiteral("serve"), QStringLiteral("--model"), QStringLiteral("rows.csv"), QStringLiteral("--endpoint"), QStringLiteral("x"), QStringLiteral("--port"), QStringLiteral("0")});
        QCOMPARE(r.code, 2); // not TorchScript
        r = cli({QStringLiteral("serve"), QStringLiteral("--model"), QStringLiteral("models/model.pt"), QStringLiteral("--endpoint"), QStringLiteral("x"),
                 QStringLiteral("--host"), QStringLiteral("0.0.0.0"), QStringLiteral("--port"), QStringLiteral("0")});
        QCOMPARE(r.code, 2); // off loopback without a token
        QVERIFY2(r.err.contains(QStringLiteral("token")), qPrintable(r.err));
        r = cli({QStringLiteral("serve"), QStringLiteral("--model"), QStringLiteral("models/model.pt"), QStringLiteral("--endpoint"), QStringLiteral("../x")});
        QCOMPARE(r.code, 2);
    }
};

QTEST_GUILESS_MAIN(TstCliServe)
#include "tst_cli_serve.moc"
