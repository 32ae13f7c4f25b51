#pragma once
// A real Prometheus (Debian's `prometheus`, 2.42) for integration tests: started on 127.0.0.1 at
// a free port with its own storage under a test folder, scraping the targets it is given every
// second and loading rule files; queried through its HTTP API. With the plain HTTP helpers every
// such test needs: a free port, a GET/POST with a deadline, and polling a condition.
//
// No Prometheus installed is a failure that says to run packaging/setup.sh --test, never a skip.
#include "tests/support/test_support.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTcpServer>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace orrery::testing {

struct HttpAnswer {
    int status = 0; // 0: no answer within the deadline
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// One request on a network manager of its own (none outlives the test's application); a bearer
// token when `token` is not empty.
inline HttpAnswer httpRequest(const QString &method, const QString &url, const QByteArray &body = {}, const QByteArray &token = {})
{
    QNetworkAccessManager manager;
    QNetworkRequest r{QUrl(url)};
    r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (!token.isEmpty())
        r.setRawHeader("Authorization", "Bearer " + token);
    QNetworkReply *reply = method == QLatin1String("POST") ? manager.post(r, body) : manager.get(r);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    HttpAnswer h;
    if (reply->isFinished()) {
        h.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        h.body = reply->readAll();
    } else {
        reply->abort();
    }
    delete reply;
    return h;
}

inline int freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    return s.serverPort();
}

// Polls `done` every 200 ms for up to `seconds`; its last answer.
template <typename F>
bool waitFor(F done, int seconds)
{
    for (int i = 0; i < seconds * 5; ++i) {
        if (done())
            return true;
        QThread::msleep(200);
    }
    return done();
}

// What Prometheus answered to a query: `ok` when its status was "success" (else `error` says why).
struct PromAnswer {
    bool ok = false;
    QString error;
    QString resultType;
    QJsonArray result;
};

class PrometheusServer {
public:
    ~PrometheusServer() { stop(); }

    // Starts Prometheus in `dir` (config, storage and log there) scraping `targets`
    // ("127.0.0.1:PORT") on `metricsPath` every second, evaluating `ruleFiles` every second
    // (a group's own `interval` wins); true once it is ready (within a minute).
    bool start(const QString &dir, const QStringList &targets, const QStringList &ruleFiles = {}, const QString &metricsPath = QStringLiteral("/metrics"))
    {
        m_dir = dir;
        m_port = freePort();
        QStringList quoted;
        for (const QString &t : targets)
            quoted << QStringLiteral("'%1'").arg(t);
        QStringList rules;
        for (const QString &f : ruleFiles)
            rules << QStringLiteral("'%1'").arg(QDir(dir).absoluteFilePath(f));
        const QString config = writeFile(QDir(dir).filePath(QStringLiteral("prometheus.yml")),
                                         QStringLiteral("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                                                        "rule_files: [%1]\n"
                                                        "scrape_configs:\n"
                                                        "  - job_name: orrery\n"
                                                        "    metrics_path: %2\n"
                                                        "    static_configs: [{targets: [%3]}]\n")
                                             .arg(rules.join(QStringLiteral(", ")), metricsPath, quoted.join(QStringLiteral(", ")))
                                             .toUtf8());
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setStandardOutputFile(logPath());
        m_process->start(QStringLiteral("prometheus"), {QStringLiteral("--config.file=") + config,
                                                        QStringLiteral("--storage.tsdb.path=") + QDir(dir).filePath(QStringLiteral("tsdb")),
                                                        QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port)});
        if (!m_process->waitForStarted(10000))
            qFatal("cannot start prometheus: run packaging/setup.sh --test, which installs Debian's prometheus");
        return waitFor([&] { return m_process->state() == QProcess::Running && httpRequest(QStringLiteral("GET"), url(QStringLiteral("/-/ready"))).status == 200; }, 60);
    }

    void stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(15000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }

    int port() const { return m_port; }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path); }
    QString logPath() const { return QDir(m_dir).filePath(QStringLiteral("prometheus.log")); }
    QByteArray log() const { return readFile(logPath()); }

    // An instant query at `time` (seconds since the epoch; now when 0).
    PromAnswer query(const QString &promql, double time = 0) const
    {
        if (time == 0)
            time = QDateTime::currentMSecsSinceEpoch() / 1000.0;
        // Encoded by hand: QUrlQuery leaves '+' as it is, which a form decoder reads as a space.
        return answer(url(QStringLiteral("/api/v1/query?query=%1&time=%2").arg(QString::fromLatin1(QUrl::toPercentEncoding(promql)), QString::number(time, 'f', 3))));
    }
    // GET /api/v1/alerts: data.alerts; GET /api/v1/rules: data.groups.
    QJsonArray alerts() const { return get(QStringLiteral("/api/v1/alerts")).value(QStringLiteral("alerts")).toArray(); }
    QJsonArray ruleGroups() const { return get(QStringLiteral("/api/v1/rules")).value(QStringLiteral("groups")).toArray(); }

private:
    QJsonObject get(const QString &path) const { return httpRequest(QStringLiteral("GET"), url(path)).json().value(QStringLiteral("data")).toObject(); }

    static PromAnswer answer(const QString &url)
    {
        const HttpAnswer h = httpRequest(QStringLiteral("GET"), url);
        const QJsonObject o = h.json();
        PromAnswer a;
        a.ok = h.status == 200 && o.value(QStringLiteral("status")).toString() == QLatin1String("success");
        a.error = a.ok ? QString() : QStringLiteral("HTTP %1: %2").arg(h.status).arg(QString::fromUtf8(h.body));
        a.resultType = o.value(QStringLiteral("data"))[QStringLiteral("resultType")].toString();
        a.result = o.value(QStringLiteral("data"))[QStringLiteral("result")].toArray();
        return a;
    }

    QString m_dir;
    int m_port = 0;
    std::unique_ptr<QProcess> m_process;
};

} // namespace orrery::testing
