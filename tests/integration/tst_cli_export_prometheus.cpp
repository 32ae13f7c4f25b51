// The exported AnalysisTemplate's PromQL, evaluated by a real Prometheus (Debian's 2.42) scraping
// two running Orrery servers — the stable v2 and the canary v3 of endpoint "fraud", each
// `orrery-cli serve` (orrery-serve, LibTorch) with a bearer token, scraped on the /metrics path
// and port the exported pod annotations name, without the token. The canary answers 10 of its 50
// measured requests with 400: each query, with the Rollout's arguments put in as Argo puts them,
// must give the value the requests sent imply (error-rate: 10/50 - (0/50 + 0.01) = 0.19), the p99
// rule must equal its two sides evaluated on their own, and with too few requests every query
// must come back empty (Argo's Inconclusive), never as a pass.
#include "tests/integration/prometheus_server.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
const QByteArray kToken = "export-prometheus-token";

// The answers these tests read: status and body; `token` sends the servers' bearer token.
struct Http {
    int status = 0;
    QByteArray body;
};

Http request(const QString &method, const QString &url, const QByteArray &body = {}, bool token = false)
{
    const testing::HttpAnswer a = testing::httpRequest(method, url, body, token ? kToken : QByteArray());
    return {a.status, a.body};
}

using testing::freePort;
using testing::waitFor;

} // namespace

class TstCliExportPrometheus : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_tokenFile;
    std::vector<std::unique_ptr<QProcess>> m_processes;
    testing::PrometheusServer m_prometheus;
    QMap<int, int> m_servePort; // version -> port
    QJsonObject m_podAnnotations;

    Run cli(const QStringList &args) { return runCli(args, m_ws); }

    QProcess *start(const QString &program, const QStringList &args, const QString &log)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->setStandardOutputFile(log);
        p->start(program, args);
        if (!p->waitForStarted(10000))
            qFatal("cannot start %s", qPrintable(program));
        m_processes.push_back(std::move(p));
        return m_processes.back().get();
    }

    QJsonArray documents(const QString &path)
    {
        const Run r = testing::run(kPython, {QStringLiteral("-c"),
                                             QStringLiteral("import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))"),
                                             path});
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return QJsonDocument::fromJson(r.out.toUtf8()).array();
    }

    // The AnalysisTemplate's metrics of an `export argo` with `more` options, by name → query
    // with the Rollout's analysis arguments put in (as Argo substitutes {{args.NAME}}).
    QMap<QString, QString> exportedQueries(const QStringList &more)
    {
        static int n = 0;
        const QString out = m_dir.filePath(QStringLiteral("argo%1").arg(++n));
        const Run r = cli(QStringList{QStringLiteral("export"), QStringLiteral("argo"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"),
                                      QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--stable-version"), QStringLiteral("2"),
                                      QStringLiteral("--pause"), QStringLiteral("60s"), QStringLiteral("--out"), out} + more);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        QMap<QString, QString> queries;
        QJsonArray args;
        QJsonArray metrics;
        for (const QJsonValue &d : documents(out + QStringLiteral("/fraud-rollout.yaml"))) {
            if (d[QStringLiteral("kind")].toString() == QLatin1String("AnalysisTemplate"))
                metrics = d[QStringLiteral("spec")][QStringLiteral("metrics")].toArray();
            if (d[QStringLiteral("kind")].toString() == QLatin1String("Rollout")) {
                for (const QJsonValue &step : d[QStringLiteral("spec")][QStringLiteral("strategy")][QStringLiteral("canary")][QStringLiteral("steps")].toArray())
                    if (step.toObject().contains(QStringLiteral("analysis")))
                        args = step[QStringLiteral("analysis")][QStringLiteral("args")].toArray();
                m_podAnnotations = d[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("metadata")][QStringLiteral("annotations")].toObject();
            }
        }
        for (const QJsonValue &m : metrics) {
            QString q = m[QStringLiteral("provider")][QStringLiteral("prometheus")][QStringLiteral("query")].toString();
            for (const QJsonValue &a : args)
                q.replace(QStringLiteral("{{args.%1}}").arg(a[QStringLiteral("name")].toString()), a[QStringLiteral("value")].toString());
            queries.insert(m[QStringLiteral("name")].toString(), q);
        }
        return queries;
    }

    // The values of an instant query at `time` (seconds since the epoch); nullopt when
    // Prometheus refused the query (a PromQL error).
    std::optional<QVector<double>> query(const QString &promql, double time)
    {
        const testing::PromAnswer a = m_prometheus.query(promql, time);
        if (!a.ok) {
            qWarning("Prometheus refused %s: %s", qPrintable(promql), qPrintable(a.error));
            return std::nullopt;
        }
        if (a.resultType != QLatin1String("vector")) {
            qWarning("not a vector: %s", qPrintable(a.resultType));
            return std::nullopt;
        }
        QVector<double> values;
        for (const QJsonValue &sample : a.result)
            values.append(sample[QStringLiteral("value")][1].toString().toDouble());
        return values;
    }

    double requestsSeen(int version)
    {
        const auto v = query(QStringLiteral("sum(orrery_requests_total{endpoint=\"fraud\",version=\"%1\"})").arg(version), QDateTime::currentMSecsSinceEpoch() / 1000.0);
        return v && v->size() == 1 ? v->first() : -1;
    }

    void infer(int version, int good, int bad)
    {
        const QString url = QStringLiteral("http://127.0.0.1:%1/v2/models/fraud/infer").arg(m_servePort[version]);
        for (int i = 0; i < good + bad; ++i) {
            const bool ok = i >= bad;
            const QByteArray body = ok ? QByteArray(R"({"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[0.1,0.2,0.3]}]})")
                                       : QByteArray(R"({"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[0.1,0.2]}]})");
            const Http h = request(QStringLiteral("POST"), url, body, true);
            QCOMPARE(h.status, ok ? 200 : 400);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws, QStringLiteral("--baseline-trainer"), QStringLiteral("--rows"), QStringLiteral("2000")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // fraud v1 (a placeholder), v2 (stable), v3 (canary): TorchScript from python3-torch.
        const QString models = m_dir.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(models));
        const QString script = writeFile(models + QStringLiteral("/make.py"), QByteArray(
            "import json, sys, torch\n"
            "class M(torch.nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.l = torch.nn.Linear(3, 1)\n"
            "    def forward(self, x):\n"
            "        return torch.sigmoid(self.l(x))\n"
            "sig = json.dumps({'inputs': [{'name': 'x', 'dtype': 'FP32', 'shape': [-1, 3], 'columns': ['a', 'b', 'c']}],\n"
            "                  'outputs': [{'name': 'score', 'dtype': 'FP32', 'shape': [-1, 1]}]})\n"
            "for seed in (1, 2, 3):\n"
            "    torch.manual_seed(seed)\n"
            "    torch.jit.script(M()).save(f'{sys.argv[1]}/m{seed}.pt', _extra_files={'signature.json': sig})\n"));
        r = testing::run(kPython, {script, models});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        for (int v = 1; v <= 3; ++v) {
            r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("fraud"), QStringLiteral("--file"), models + QStringLiteral("/m%1.pt").arg(v)});
            QVERIFY2(r.ok(), qPrintable(r.describe()));
        }
        m_tokenFile = writeFile(m_dir.filePath(QStringLiteral("token")), kToken + '\n');
    }

    void analysisQueriesEvaluateOnARealPrometheus()
    {
        const QMap<QString, QString> queries = exportedQueries(
            {QStringLiteral("--analysis"), QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable, error_rate <= 0.5"),
             QStringLiteral("--min-requests"), QStringLiteral("20")});
        QCOMPARE(queries.keys(), (QStringList{QStringLiteral("error-rate"), QStringLiteral("error-rate-2"), QStringLiteral("p99-ms")}));
        const QString path = m_podAnnotations[QStringLiteral("prometheus.io/path")].toString();
        QCOMPARE(path, QStringLiteral("/metrics"));
        QCOMPARE(m_podAnnotations[QStringLiteral("prometheus.io/scrape")].toString(), QStringLiteral("true"));

        // Two servers with a token, as in the pods; the versions are the registry's.
        for (int v : {2, 3}) {
            m_servePort[v] = freePort();
            start(QStringLiteral(ORRERY_CLI_PATH),
                  {QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws, QStringLiteral("--model"), QStringLiteral("fraud/%1").arg(v),
                   QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--port"), QString::number(m_servePort[v]),
                   QStringLiteral("--token-file"), m_tokenFile},
                  m_dir.filePath(QStringLiteral("serve%1.log").arg(v)));
            const QString ready = QStringLiteral("http://127.0.0.1:%1/v2/health/ready").arg(m_servePort[v]);
            QVERIFY2(waitFor([&] { return request(QStringLiteral("GET"), ready).status == 200; }, 60),
                     readFile(m_dir.filePath(QStringLiteral("serve%1.log").arg(v))).constData());
            // /metrics answers without the token, as Prometheus scrapes it.
            QCOMPARE(request(QStringLiteral("GET"), QStringLiteral("http://127.0.0.1:%1%2").arg(m_servePort[v]).arg(path)).status, 200);
            // Before the first scrape: 20 answers of 200 and 20 of 400 each, so that every series
            // the queries read exists from the first sample on (the rates of one target then
            // share their samples), and so that Prometheus' extrapolation of rate() is not cut
            // short at a counter's zero point, which differs between series that start from 1
            // and would make the ratio of two rates inexact.
            infer(v, 20, 20);
        }

        QVERIFY2(m_prometheus.start(m_dir.filePath(QStringLiteral("prometheus")), {QStringLiteral("127.0.0.1:%1").arg(m_servePort[2]), QStringLiteral("127.0.0.1:%1").arg(m_servePort[3])}, {}, path),
                 m_prometheus.log().constData());
        QVERIFY2(waitFor([&] { return requestsSeen(2) == 40 && requestsSeen(3) == 40; }, 60), m_prometheus.log().constData());

        // The measured traffic: the stable answers all 50, the canary 40 of 50.
        infer(2, 50, 0);
        infer(3, 40, 10);
        QVERIFY(waitFor([&] { return requestsSeen(2) == 90 && requestsSeen(3) == 90; }, 60));
        const double now = QDateTime::currentMSecsSinceEpoch() / 1000.0;

        const auto errorRate = query(queries[QStringLiteral("error-rate")], now);
        QVERIFY(errorRate);
        QCOMPARE(errorRate->size(), 1);
        // 10/50 - (0/50 + 0.01) = 0.19: the rule fails. Exact on an idle machine; a loaded one
        // (a CI run) once gave 0.163, the stable's side off by rate()'s extrapolation at the
        // window's edge when scrapes come late, so the value is checked to 0.05 and its sign exactly.
        QVERIFY2(errorRate->first() > 0 && std::fabs(errorRate->first() - 0.19) < 0.05, qPrintable(QString::number(errorRate->first(), 'g', 17)));
        const auto absolute = query(queries[QStringLiteral("error-rate-2")], now);
        QVERIFY(absolute && absolute->size() == 1);
        // 10/50 - 0.5 = -0.3: the rule passes. The same extrapolation makes the canary's own ratio
        // of rates inexact at times (-0.327 in 1 run of 3 on a loaded machine, with a 60 s or a
        // 600 s range alike), so it is checked to 0.05 and its sign exactly, as above.
        QVERIFY2(absolute->first() < 0 && std::fabs(absolute->first() - (0.2 - 0.5)) < 0.05, qPrintable(QString::number(absolute->first(), 'g', 17)));
        const auto p99 = query(queries[QStringLiteral("p99-ms")], now);
        QVERIFY(p99 && p99->size() == 1);
        auto sideP99 = [&](int version) {
            const auto v = query(QStringLiteral("histogram_quantile(0.99, sum by (le) (rate(orrery_request_duration_seconds_bucket{endpoint=\"fraud\",version=\"%1\"}[60s]))) * 1000")
                                     .arg(version),
                                 now);
            return v && v->size() == 1 ? v->first() : std::nan("");
        };
        const double canary = sideP99(3), stable = sideP99(2);
        QVERIFY2(std::isfinite(canary) && canary > 0 && std::isfinite(stable) && stable > 0, qPrintable(QStringLiteral("%1 %2").arg(canary).arg(stable)));
        QVERIFY2(std::fabs(p99->first() - (canary - 1.2 * stable)) < 1e-9 * std::max(1.0, canary),
                 qPrintable(QStringLiteral("%1 vs %2 - 1.2 * %3").arg(p99->first()).arg(canary).arg(stable)));

        // Too few requests for the analysis: every query is empty, which Argo calls Inconclusive.
        const QMap<QString, QString> waiting = exportedQueries({QStringLiteral("--analysis"), QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable"),
                                                                QStringLiteral("--min-requests"), QStringLiteral("1000")});
        QCOMPARE(waiting.size(), 2);
        for (const QString &q : waiting) {
            const auto v = query(q, now);
            QVERIFY(v);
            QVERIFY2(v->isEmpty(), qPrintable(q));
        }
    }

    void theExportedCommandServes()
    {
        // The manifests' own command line (the Containerfile's CMD), with this machine's paths
        // for the model and the token and a free port.
        const QString ctx = m_dir.filePath(QStringLiteral("image"));
        Run r = cli({QStringLiteral("export"), QStringLiteral("containerfile"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"),
                     QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--out"), ctx});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QString cmd;
        for (const QString &line : QString::fromUtf8(readFile(ctx + QStringLiteral("/Containerfile"))).split(QLatin1Char('\n')))
            if (line.startsWith(QLatin1String("CMD ")))
                cmd = line.mid(4);
        QStringList args;
        for (const QJsonValue &a : QJsonDocument::fromJson(cmd.toUtf8()).array())
            args << a.toString();
        QCOMPARE(args.value(0), QStringLiteral("orrery-cli"));
        const int port = freePort();
        for (int i = 1; i + 1 < args.size(); ++i) {
            if (args[i] == QLatin1String("--model"))
                args[i + 1] = ctx + args[i + 1]; // /models/fraud-v3.pt in the image, models/fraud-v3.pt in the build context
            else if (args[i] == QLatin1String("--token-file"))
                args[i + 1] = m_tokenFile;
            else if (args[i] == QLatin1String("--port"))
                args[i + 1] = QString::number(port);
            else if (args[i] == QLatin1String("--host"))
                args[i + 1] = QStringLiteral("127.0.0.1");
        }
        QProcess *server = start(QStringLiteral(ORRERY_CLI_PATH), args.mid(1), m_dir.filePath(QStringLiteral("exported.log")));
        const QString readyUrl = QStringLiteral("http://127.0.0.1:%1/v2/health/ready").arg(port);
        waitFor([&] { return server->state() != QProcess::Running || request(QStringLiteral("GET"), readyUrl).status == 200; }, 60);
        const bool ready = server->state() == QProcess::Running && request(QStringLiteral("GET"), readyUrl).status == 200;
        const QByteArray log = readFile(m_dir.filePath(QStringLiteral("exported.log")));
        // The exported command says --version, so that /metrics labels the canary's version as
        // the AnalysisTemplate's arguments name it.
        QVERIFY2(ready, log.constData());
        const Http metrics = request(QStringLiteral("GET"), QStringLiteral("http://127.0.0.1:%1/metrics").arg(port));
        QVERIFY(metrics.body.contains("version=\"3\""));
    }

    void cleanupTestCase()
    {
        m_prometheus.stop();
        for (auto &p : m_processes) {
            if (p->state() == QProcess::NotRunning)
                continue;
            p->terminate();
            if (!p->waitForFinished(15000)) {
                p->kill();
                p->waitForFinished(5000);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TstCliExportPrometheus)
#include "tst_cli_export_prometheus.moc"
