// A strict model (train.yaml's data.unseen: error) end to end, as the bad-challenger scenario
// meets it: `orrery-cli train` exports it from the demo's data, `models show` says it is strict,
// `orrery-cli predict` fails on a row with a merchant category the data never had (exit 2, the
// value, column and row named), and `orrery-cli serve --model FILE` starts (its warm-up sends
// categories the model knows), answers the requests that share a model call with the refused
// one, answers the refused one 400 with the model's reason, and counts it in /metrics'
// orrery_requests_total{code="400"} — the series a canary's error_rate is read from.
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

namespace {

const QString kNew = QStringLiteral("crypto_exchange");

// The value of one sample line of Prometheus text ("name{labels} value"); -1 when absent.
double sample(const QByteArray &metrics, const QByteArray &series)
{
    for (const QByteArray &line : metrics.split('\n'))
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    return -1;
}

} // namespace

class TstCliServeUnseen : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QJsonObject m_signature;
    QStringList m_header;
    QList<QStringList> m_rows; // the first data rows of the demo's dataset

    Run cli(QStringList args) { return runCli(args, m_ws); }

    QStringList withCategory(QStringList row, const QString &category) const
    {
        row[int(m_header.indexOf(QStringLiteral("merchant_category")))] = category;
        return row;
    }

    QString csv(const QList<QStringList> &rows) const
    {
        QStringList lines{m_header.join(QLatin1Char(','))};
        for (const auto &r : rows)
            lines << r.join(QLatin1Char(','));
        return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws, QStringLiteral("--rows"), QStringLiteral("3000")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // The colleague's change: the demo's train.yaml, strict about categories (on the whole
        // dataset here, one epoch: the model's quality is not the point).
        QByteArray yaml = readFile(m_ws + QStringLiteral("/train.yaml"));
        QVERIFY(yaml.contains("  path: work/train.csv\n") && yaml.contains("  epochs: 4\n"));
        yaml.replace("  path: work/train.csv\n", "  path: data/transactions.csv\n  unseen: error\n");
        yaml.replace("  epochs: 4\n", "  epochs: 1\n");
        writeFile(m_ws + QStringLiteral("/strict.yaml"), yaml);
        r = cli({QStringLiteral("train"), QStringLiteral("strict.yaml"), QStringLiteral("--export"), QStringLiteral("strict")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(QFile::exists(m_ws + QStringLiteral("/strict/model.pt")));

        const QStringList lines = QString::fromUtf8(readFile(m_ws + QStringLiteral("/data/transactions.csv"))).split(QLatin1Char('\n'));
        m_header = lines[0].split(QLatin1Char(','));
        for (int i = 1; i <= 4; ++i)
            m_rows.append(lines[i].split(QLatin1Char(',')));
        QVERIFY(!lines.join(QLatin1Char('\n')).contains(kNew)); // the offline data never had it
    }

    void modelsShowSaysTheModelIsStrict()
    {
        Run r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("strict"), QStringLiteral("--file"), QStringLiteral("strict/model.pt")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("strict"), QStringLiteral("--version"), QStringLiteral("1")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("input categorical  BYTES [-1, 3]  unseen categories: error (refused: the request fails)")), qPrintable(r.out));
        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("strict"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        m_signature = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("signature")).toObject();
        const QJsonObject categorical = m_signature.value(QStringLiteral("inputs")).toArray()[1].toObject();
        QCOMPARE(categorical.value(QStringLiteral("columns")).toArray(),
                 (QJsonArray{QStringLiteral("merchant_category"), QStringLiteral("channel"), QStringLiteral("country")}));
        QCOMPARE(categorical.value(QStringLiteral("unseen")).toString(), QStringLiteral("error"));
    }

    void predictFailsNamingTheValueTheColumnAndTheRow()
    {
        writeFile(m_ws + QStringLiteral("/known.csv"), csv({m_rows[0], m_rows[1], m_rows[2]}).toUtf8());
        Run r = cli({QStringLiteral("predict"), QStringLiteral("strict/model.pt"), QStringLiteral("--input"), QStringLiteral("known.csv"),
                     QStringLiteral("--output"), QStringLiteral("known-scores.csv")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));

        writeFile(m_ws + QStringLiteral("/new.csv"), csv({m_rows[0], m_rows[1], withCategory(m_rows[2], kNew)}).toUtf8());
        r = cli({QStringLiteral("predict"), QStringLiteral("strict/model.pt"), QStringLiteral("--input"), QStringLiteral("new.csv"),
                 QStringLiteral("--output"), QStringLiteral("new-scores.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("rows 1–3 of ")) &&
                     r.err.contains(QStringLiteral("the model refused the input: unseen category 'crypto_exchange' in column 'merchant_category' (row 3 of 3): "
                                                   "the model was trained with data.unseen: error")),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(m_ws + QStringLiteral("/new-scores.csv"))); // nothing half-written
    }

    void serveAnswersTheBatchButTheRefusedRequestAndCountsIt()
    {
        QVERIFY(!m_signature.isEmpty());
        QProcess p;
        // Three one-row requests fill a batch of three, which runs as soon as they are together
        // (within serve's longest delay, 10 s, of the first one's arrival: three requests sent at
        // once over loopback are never that far apart): the refused request shares its model call
        // with two others.
        const quint16 port = testing::startServe(p, m_ws, {QStringLiteral("--model"), QStringLiteral("strict/model.pt"), QStringLiteral("--endpoint"),
                                                           QStringLiteral("fraud"), QStringLiteral("--max-batch"), QStringLiteral("3"),
                                                           QStringLiteral("--max-delay-ms"), QStringLiteral("10000")});
        QVERIFY2(port != 0, "serve did not get ready (its output is in the warning above); a strict model's warm-up must send categories it knows");

        const QList<QStringList> rows{m_rows[0], withCategory(m_rows[1], kNew), m_rows[2]};
        std::vector<HttpReply> replies(3);
        std::vector<std::thread> clients;
        for (int i = 0; i < 3; ++i)
            clients.emplace_back([&, i] {
                replies[size_t(i)] = HttpTestClient(port).post("/v2/models/fraud/infer", testing::oipRequest(m_signature, m_header, {rows[i]}));
            });
        for (auto &t : clients)
            t.join();
        for (int i : {0, 2}) {
            QCOMPARE(replies[size_t(i)].status, 200);
            const QJsonArray data = replies[size_t(i)].json().value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("data")).toArray();
            QCOMPARE(data.size(), 2);
            QVERIFY(std::abs(data[0].toDouble() + data[1].toDouble() - 1.0) < 1e-5);
        }
        QCOMPARE(replies[1].status, 400);
        // "row 1 of 1": the refused request ran alone after the shared call failed.
        QCOMPARE(replies[1].json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("the model refused the input: unseen category 'crypto_exchange' in column 'merchant_category' (row 1 of 1): the model "
                                "was trained with data.unseen: error and knows only the 8 values of its training data; retrain on data that has it, "
                                "or with data.unseen: other"));

        // A request is answered whole: one unseen row among three fails the request.
        const HttpReply mixed = HttpTestClient(port).post("/v2/models/fraud/infer",
                                                          testing::oipRequest(m_signature, m_header, {m_rows[0], withCategory(m_rows[3], kNew), m_rows[2]}));
        QCOMPARE(mixed.status, 400);
        QVERIFY2(mixed.json().value(QStringLiteral("error")).toString().contains(QStringLiteral("(row 2 of 3)")), mixed.body.constData());

        const QByteArray metrics = HttpTestClient(port).get("/metrics").body;
        const QByteArray labels = "endpoint=\"fraud\",version=\"1\"";
        QCOMPARE(sample(metrics, "orrery_requests_total{" + labels + ",code=\"200\"}"), 2.0);
        QCOMPARE(sample(metrics, "orrery_requests_total{" + labels + ",code=\"400\"}"), 2.0);
        // Model calls: the shared one (3 rows), the three requests alone, the mixed request.
        QCOMPARE(sample(metrics, "orrery_batch_rows_count{" + labels + "}"), 5.0);
        QCOMPARE(sample(metrics, "orrery_batch_rows_bucket{" + labels + ",le=\"1\"}"), 3.0);
        QCOMPARE(sample(metrics, "orrery_batch_rows_sum{" + labels + "}"), 9.0);

        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TstCliServeUnseen)
#include "tst_cli_serve_unseen.moc"
