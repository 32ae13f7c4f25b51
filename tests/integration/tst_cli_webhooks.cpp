// orrery-cli models webhooks end to end: add (URL refusals, the secret never printed), list,
// a registry change delivered to a real receiver — a Python http.server that checks every
// body's X-Orrery-Signature with Python's hmac module (an independent oracle) —, deliveries,
// a failed delivery retried by `tracking serve` (which holds the webhooks lease), and a hanging
// receiver that `deliver --timeout` does not wait for.
#include "core/store/database.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace orrery;
using orrery::testing::runCli;
using orrery::testing::writeFile;
using Run = orrery::testing::ProcessResult;

namespace {

// argv: secret, log file, mode (ok | fail-first | hang). Prints its port, then serves until killed;
// one JSON line per request in the log, with whether the signature matched.
const char *kReceiver = R"py(
import hashlib, hmac, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
secret, log, mode = sys.argv[1].encode('utf-8'), sys.argv[2], sys.argv[3]
count = [0]
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        expected = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get('X-Orrery-Signature', '')
        count[0] += 1
        with open(log, 'a') as f:
            f.write(json.dumps({'event': self.headers.get('X-Orrery-Event'), 'delivery': self.headers.get('X-Orrery-Delivery'),
                                'signature_ok': hmac.compare_digest(expected, got), 'body': json.loads(body)}) + '\n')
        if mode == 'hang':
            time.sleep(3600)
        status = 500 if mode == 'fail-first' and count[0] == 1 else 200
        self.send_response(status)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'no' if status == 500 else b'ok')
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
)py";

struct Receiver {
    std::unique_ptr<QProcess> process;
    QString logPath;
    quint16 port = 0;
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(port); }
    QList<QJsonObject> requests() const
    {
        QList<QJsonObject> out;
        QFile f(logPath);
        if (f.open(QIODevice::ReadOnly))
            for (const QByteArray &line : f.readAll().split('\n'))
                if (!line.trimmed().isEmpty())
                    out << QJsonDocument::fromJson(line).object();
        return out;
    }
    ~Receiver()
    {
        if (process) {
            process->kill();
            process->waitForFinished(10000);
        }
    }
};

} // namespace

class TstCliWebhooks : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    const QString m_secret = QStringLiteral("hunter2-ü-secret");

    Run cli(const QStringList &args) { return runCli(QStringList{QStringLiteral("--workspace"), m_ws} + args, m_ws); }

    std::unique_ptr<Receiver> startReceiver(const QString &name, const QString &mode)
    {
        auto r = std::make_unique<Receiver>();
        r->logPath = m_dir.filePath(name + QStringLiteral(".log"));
        r->process = std::make_unique<QProcess>();
        r->process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        r->process->start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromUtf8(kReceiver), m_secret, r->logPath, mode});
        if (!r->process->waitForStarted(30000))
            qFatal("cannot start /usr/bin/python3");
        QElapsedTimer t;
        t.start();
        while (!r->process->canReadLine() && t.elapsed() < 60000)
            r->process->waitForReadyRead(1000);
        r->port = quint16(r->process->readLine().trimmed().toUInt());
        if (r->port == 0)
            qFatal("the Python receiver printed no port");
        return r;
    }

    QJsonArray deliveries(const QStringList &more = {})
    {
        const Run r = cli(QStringList{QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("deliveries"), QStringLiteral("--json")} + more);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return QJsonDocument::fromJson(r.out.toUtf8()).array();
    }

    qint64 addHook(const QStringList &args)
    {
        const Run r = cli(QStringList{QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("add")} + args + QStringList{QStringLiteral("--json")});
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return qint64(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("id")).toDouble());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const Run r = runCli({QStringLiteral("init"), m_ws});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        writeFile(m_ws + QStringLiteral("/model.bin"), "bytes of a model, any format");
    }

    void badUrlsAreRefused()
    {
        struct Case { QStringList args; QString expect; };
        const QList<Case> cases = {
            {{QStringLiteral("file:///etc/passwd")}, QStringLiteral("'file'")},
            {{QStringLiteral("ftp://example.com/hook")}, QStringLiteral("'ftp'")},
            {{QStringLiteral("http://example.com/hook")}, QStringLiteral("--allow-http")},
            {{QStringLiteral("https://example.com/"), QStringLiteral("--events"), QStringLiteral("model.deleted")}, QStringLiteral("model.deleted")},
            {{QStringLiteral("https://example.com/"), QStringLiteral("--secret"), QString()}, QStringLiteral("--secret")},
            {{}, QStringLiteral("URL")},
        };
        for (const Case &c : cases) {
            const Run r = cli(QStringList{QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("add")} + c.args);
            QVERIFY2(r.code == 2, qPrintable(r.describe()));
            QVERIFY2(r.err.contains(c.expect), qPrintable(r.describe()));
        }
        Run r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("remove"), QStringLiteral("99")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no webhook 99")), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("remove"), QStringLiteral("abc")});
        QCOMPARE(r.code, 2);
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("deliveries"), QStringLiteral("--state"), QStringLiteral("lost")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("pending, delivered or failed")), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("frobnicate")});
        QCOMPARE(r.code, 2);
        // Plain http off this machine only when asked for; then removed again.
        const qint64 id = addHook({QStringLiteral("http://example.com/hook"), QStringLiteral("--allow-http"), QStringLiteral("--model"), QStringLiteral("nothing-registers-this")});
        QVERIFY(id > 0);
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("remove"), QString::number(id)});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(QJsonDocument::fromJson(cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("list"), QStringLiteral("--json")}).out.toUtf8()).array().isEmpty());
    }

    void registryChangeIsDeliveredSigned()
    {
        auto receiver = startReceiver(QStringLiteral("ok"), QStringLiteral("ok"));
        Run r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("add"), receiver->url(), QStringLiteral("--events"),
                     QStringLiteral("model_version.created"), QStringLiteral("--secret"), m_secret, QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject added = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const qint64 id = qint64(added.value(QStringLiteral("id")).toDouble());
        QVERIFY(id > 0);
        QVERIFY(!added.contains(QStringLiteral("secret")));
        QVERIFY(!added.contains(QStringLiteral("generated_secret")));
        QVERIFY(!r.out.contains(m_secret));

        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("list")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("secret: set")), qPrintable(r.out));
        QVERIFY(r.out.contains(receiver->url()));
        QVERIFY(!r.out.contains(m_secret));
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY(!r.out.contains(m_secret));
        const QJsonObject listed = QJsonDocument::fromJson(r.out.toUtf8()).array().first().toObject();
        QVERIFY(!listed.contains(QStringLiteral("secret")));
        QCOMPARE(listed.value(QStringLiteral("secret_set")).toBool(), true);
        QCOMPARE(listed.value(QStringLiteral("events")).toArray().first().toString(), QStringLiteral("model_version.created"));

        r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("fraud"), QStringLiteral("--file"), QStringLiteral("model.bin")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // The command that made the change sent it at once: nothing left for `deliver`.

        const QJsonArray all = deliveries({QStringLiteral("--webhook"), QString::number(id)});
        QCOMPARE(all.size(), 1);
        const QJsonObject d = all.first().toObject();
        QCOMPARE(d.value(QStringLiteral("state")).toString(), QStringLiteral("delivered"));
        QCOMPARE(d.value(QStringLiteral("event")).toString(), QStringLiteral("model_version.created"));
        QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 1);
        QCOMPARE(d.value(QStringLiteral("last_status")).toInt(), 200);
        QVERIFY(deliveries({QStringLiteral("--state"), QStringLiteral("pending")}).isEmpty());
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("deliveries")});
        QVERIFY2(r.out.contains(QStringLiteral("delivered")), qPrintable(r.out));

        const auto got = receiver->requests();
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first().value(QStringLiteral("signature_ok")).toBool(), true);
        QCOMPARE(got.first().value(QStringLiteral("event")).toString(), QStringLiteral("model_version.created"));
        QCOMPARE(got.first().value(QStringLiteral("delivery")).toString(), QString::number(qint64(d.value(QStringLiteral("id")).toDouble())));
        QCOMPARE(got.first().value(QStringLiteral("body")).toObject().value(QStringLiteral("model")).toString(), QStringLiteral("fraud"));

        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("remove"), QString::number(id)});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }

    void failedDeliveryIsRetriedByTrackingServe()
    {
        auto receiver = startReceiver(QStringLiteral("flaky"), QStringLiteral("fail-first"));
        const qint64 id = addHook({receiver->url(), QStringLiteral("--events"), QStringLiteral("*"), QStringLiteral("--model"), QStringLiteral("churn"),
                                   QStringLiteral("--secret"), m_secret});
        QVERIFY(id > 0);
        Run r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("churn"), QStringLiteral("--file"), QStringLiteral("model.bin")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("deliver")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QJsonArray all = deliveries({QStringLiteral("--webhook"), QString::number(id)});
        QCOMPARE(all.size(), 1);
        QJsonObject d = all.first().toObject();
        QCOMPARE(d.value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 1);
        QCOMPARE(d.value(QStringLiteral("last_status")).toInt(), 500);
        QVERIFY2(d.value(QStringLiteral("last_error")).toString().startsWith(QStringLiteral("HTTP 500")), qPrintable(d.value(QStringLiteral("last_error")).toString()));
        QVERIFY(!d.value(QStringLiteral("next_attempt")).toString().isEmpty());

        {   // The backoff's wait passes (instead of sleeping 30 s): the retry is due now.
            auto db = store::Database::open(m_ws + QStringLiteral("/.orrery/orrery.db"));
            QVERIFY(db);
            QVERIFY((*db)->exec(QStringLiteral("UPDATE webhook_deliveries SET next_attempt = 0 WHERE state = 'pending'")).isOk());
        }
        QProcess serve;
        serve.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        serve.start(orrery::testing::cliPath(), {QStringLiteral("--workspace"), m_ws, QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(serve.waitForStarted(30000));
        QTRY_VERIFY_WITH_TIMEOUT(deliveries({QStringLiteral("--webhook"), QString::number(id)}).first().toObject().value(QStringLiteral("state")).toString()
                                     == QLatin1String("delivered"),
                                 90000);
        serve.terminate(); // SIGTERM: the retrier stops and gives the lease up
        QVERIFY(serve.waitForFinished(60000));
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
        d = deliveries({QStringLiteral("--webhook"), QString::number(id)}).first().toObject();
        QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 2);
        const auto got = receiver->requests();
        QCOMPARE(got.size(), 2);
        QCOMPARE(got[0].value(QStringLiteral("delivery")).toString(), got[1].value(QStringLiteral("delivery")).toString());
        QVERIFY(got[0].value(QStringLiteral("signature_ok")).toBool());
        QVERIFY(got[1].value(QStringLiteral("signature_ok")).toBool());
        {   // The lease was given up on the clean stop.
            auto db = store::Database::open(m_ws + QStringLiteral("/.orrery/orrery.db"));
            auto s = (*db)->prepare(QStringLiteral("SELECT COUNT(*) FROM leases WHERE name = 'webhooks'"));
            QVERIFY(s->next());
            QCOMPARE(s->int64(0), 0);
        }
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("remove"), QString::number(id)});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }

    void hangingReceiverDoesNotHoldTheCommand()
    {
        auto receiver = startReceiver(QStringLiteral("hang"), QStringLiteral("hang"));
        const qint64 id = addHook({receiver->url(), QStringLiteral("--model"), QStringLiteral("slow"), QStringLiteral("--secret"), m_secret});
        QVERIFY(id > 0);
        Run r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("slow"), QStringLiteral("--file"), QStringLiteral("model.bin")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("webhooks"), QStringLiteral("deliver"), QStringLiteral("--timeout"), QStringLiteral("3")});
        QVERIFY2(r.ok(), qPrintable(r.describe())); // it returned (runCli's own limit would have failed the test)
        QTRY_COMPARE_WITH_TIMEOUT(receiver->requests().size(), 1, 30000); // the receiver did get it, and hung
        const QJsonObject d = deliveries({QStringLiteral("--webhook"), QString::number(id)}).first().toObject();
        QCOMPARE(d.value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 1);
        QVERIFY2(d.value(QStringLiteral("last_error")).toString().startsWith(QStringLiteral("timed out")), qPrintable(d.value(QStringLiteral("last_error")).toString()));
    }
};

QTEST_GUILESS_MAIN(TstCliWebhooks)
#include "tst_cli_webhooks.moc"
