// Data-parallel training across two machines, as two network namespaces joined by a veth pair
// stand in for them (10.231.0.1/24 and 10.231.0.2/24, nothing else routed): rank 0 in one, rank 1
// in the other, `--master 10.231.0.1:P`. Each namespace's host name still resolves to loopback (as
// on stock Debian, 127.0.1.1), so the ranks only meet when Gloo binds to the address that routes
// to the master; they must then end with the same result as the same two ranks run locally.
// A rank with no route to the master fails at once, naming it and ORRERY_GLOO_IFACE.
//
// Runs as root (CI does): creating namespaces needs CAP_NET_ADMIN. The namespaces are this run's
// (named with its pid), removed in cleanupTestCase and the destructor whatever happened, and
// those of earlier runs that were killed before their cleanup are removed at the start.

#include "tests/support/test_support.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace {

using Run = orrery::testing::ProcessResult;
using orrery::testing::writeFile;

const QString kPrefix = QStringLiteral("orrery-gloo-"); // namespaces: orrery-gloo-<pid>-<rank>
const QString kMasterAddress = QStringLiteral("10.231.0.1");
const QString kWorkerAddress = QStringLiteral("10.231.0.2");
const QString kPort = QStringLiteral("29500"); // the namespaces' own: no other process can hold it

Run ip(const QStringList &args)
{
    return orrery::testing::run(QStringLiteral("ip"), args);
}

// A set-up step that must happen: the test stops, naming the command, when it does not.
void ipOrDie(const QStringList &args)
{
    const Run r = ip(args);
    if (!r.ok())
        qFatal("set-up failed: %s", qPrintable(r.describe()));
}

bool processAlive(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

Run cli(const QStringList &args, const QString &cwd)
{
    orrery::testing::ProcessOptions options;
    options.workingDirectory = cwd;
    options.timeoutMs = 240000; // training on a loaded 2-core machine
    return orrery::testing::runCli(args, options);
}

// Two numeric features and a noisy linear label: small and quick to train, the same every run.
QByteArray linearCsv(int rows)
{
    QByteArray csv = "x1,x2,label\n";
    quint64 state = 20;
    const auto next = [&state] { // a 64-bit LCG's top bits, in [0, 1)
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state >> 11) / double(1ULL << 53);
    };
    for (int i = 0; i < rows; ++i) {
        const double x1 = next() * 4 - 2, x2 = next() * 10, noise = next() - 0.5;
        csv += QByteArray::number(x1, 'g', 10) + ',' + QByteArray::number(x2, 'g', 10) + ',' +
               (x1 + 0.3 * (x2 - 5) + noise > 0 ? "1" : "0") + '\n';
    }
    return csv;
}

QJsonObject lastJson(const QString &out)
{
    const QStringList lines = out.trimmed().split(QLatin1Char('\n'));
    return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

} // namespace

class TstCliTrainNetns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_ns[2]; // rank 0's namespace (the master's), rank 1's
    QString m_ipPath = QStandardPaths::findExecutable(QStringLiteral("ip"));

    // Ends whatever still runs in the namespace (a rank of a failed check), then removes it; its
    // end of the veth pair goes with it. Idempotent: missing namespaces are fine.
    static void removeNamespace(const QString &ns)
    {
        const Run pids = ip({QStringLiteral("netns"), QStringLiteral("pids"), ns});
        for (const QString &pid : pids.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            ::kill(pid_t(pid.trimmed().toLongLong()), SIGKILL);
        ip({QStringLiteral("netns"), QStringLiteral("delete"), ns});
    }

    void removeOurs()
    {
        for (const QString &ns : m_ns)
            if (!ns.isEmpty())
                removeNamespace(ns);
        if (!m_ns[0].isEmpty()) // a veth left in the root namespace by a set-up cut short
            ip({QStringLiteral("link"), QStringLiteral("delete"), vethName(0)});
    }

    static QString vethName(int end) // "og<pid>a": interface names are at most 15 characters
    {
        return QStringLiteral("og%1%2").arg(QCoreApplication::applicationPid()).arg(end == 0 ? QLatin1Char('a') : QLatin1Char('b'));
    }

    // The namespaces and veth ends of earlier runs whose process is gone (killed by CTest's
    // timeout before their cleanup). Runs still alive keep theirs.
    static void removeStale()
    {
        static const QRegularExpression nsName(QStringLiteral("^") + kPrefix + QStringLiteral("(\\d+)-[01]\\b"));
        for (const QString &line : ip({QStringLiteral("netns"), QStringLiteral("list")}).out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const auto m = nsName.match(line);
            if (m.hasMatch() && !processAlive(m.captured(1).toLongLong()))
                removeNamespace(line.section(QLatin1Char(' '), 0, 0));
        }
        static const QRegularExpression vethLine(QStringLiteral("^\\d+: (og(\\d+)[ab])@"));
        for (const QString &line : ip({QStringLiteral("-o"), QStringLiteral("link"), QStringLiteral("show")}).out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const auto m = vethLine.match(line);
            if (m.hasMatch() && !processAlive(m.captured(2).toLongLong()))
                ip({QStringLiteral("link"), QStringLiteral("delete"), m.captured(1)});
        }
    }

    // `ip netns exec NS orrery-cli ARGS…`: orrery-cli (and the orrery-train it execs) inside NS.
    QStringList inNamespace(int rank, const QStringList &cliArgs) const
    {
        return QStringList{QStringLiteral("netns"), QStringLiteral("exec"), m_ns[rank], orrery::testing::cliPath()} + cliArgs;
    }

public:
    ~TstCliTrainNetns() override { removeOurs(); }

private Q_SLOTS:
    void initTestCase()
    {
        if (m_ipPath.isEmpty())
            QFAIL("`ip` (iproute2) is missing: packaging/setup.sh --test installs it");
        if (::geteuid() != 0)
            QFAIL("this test creates network namespaces and must run as root (as CI does)");
        if (!QFile::exists(QFileInfo(orrery::testing::cliPath()).absolutePath() + QStringLiteral("/orrery-train")))
            QFAIL("orrery-train is not built next to orrery-cli");
        removeStale();

        const QString pid = QString::number(QCoreApplication::applicationPid());
        m_ns[0] = kPrefix + pid + QStringLiteral("-0");
        m_ns[1] = kPrefix + pid + QStringLiteral("-1");
        const QString address[2] = {kMasterAddress, kWorkerAddress};
        ipOrDie({QStringLiteral("link"), QStringLiteral("add"), vethName(0), QStringLiteral("type"), QStringLiteral("veth"),
                 QStringLiteral("peer"), QStringLiteral("name"), vethName(1)});
        for (int r = 0; r < 2; ++r) {
            ipOrDie({QStringLiteral("netns"), QStringLiteral("add"), m_ns[r]});
            ipOrDie({QStringLiteral("link"), QStringLiteral("set"), vethName(r), QStringLiteral("netns"), m_ns[r]});
            ipOrDie({QStringLiteral("-n"), m_ns[r], QStringLiteral("addr"), QStringLiteral("add"), address[r] + QStringLiteral("/24"),
                     QStringLiteral("dev"), vethName(r)});
            ipOrDie({QStringLiteral("-n"), m_ns[r], QStringLiteral("link"), QStringLiteral("set"), vethName(r), QStringLiteral("up")});
            // A new namespace's loopback is down; Gloo's old default (the host name's address)
            // binds there, which is the trap this test is about.
            ipOrDie({QStringLiteral("-n"), m_ns[r], QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")});
        }

        m_ws = m_dir.filePath(QStringLiteral("ddp"));
        const Run init = cli({QStringLiteral("init"), m_ws}, QString());
        QVERIFY2(init.ok(), qPrintable(init.describe()));
        writeFile(m_ws + QStringLiteral("/data.csv"), linearCsv(1000));
        writeFile(m_ws + QStringLiteral("/two.yaml"), "task: classification\ndata:\n  path: data.csv\n  label: label\n"
                                                      "model:\n  hidden: [16]\noptimizer:\n  lr: 0.01\n"
                                                      "training:\n  epochs: 3\n  batch_size: 32\n  seed: 9\n");
    }

    void twoRanksOnTwoMachinesMatchTheSameRanksRunLocally()
    {
        // The reference: the same world size on this machine (orrery-cli starts both ranks on 127.0.0.1).
        const Run local = cli({QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"), QStringLiteral("--nproc"), QStringLiteral("2")}, m_ws);
        QVERIFY2(local.ok(), qPrintable(local.describe()));

        // Both ranks at once, each in its namespace. Rank 1 first: it retries the master's store
        // until rank 0 serves it.
        const QString master = kMasterAddress + QLatin1Char(':') + kPort;
        QProcess ranks[2];
        for (int r : {1, 0}) {
            ranks[r].setWorkingDirectory(m_ws);
            ranks[r].start(m_ipPath, inNamespace(r, {QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--json"),
                                                     QStringLiteral("--rank"), QString::number(r), QStringLiteral("--world-size"),
                                                     QStringLiteral("2"), QStringLiteral("--master"), master}));
            QVERIFY2(ranks[r].waitForStarted(), qPrintable(ranks[r].errorString()));
        }
        // Until both ended, one failed (the other would wait out Gloo's 2-minute timeout for
        // it), or 3 minutes passed: ranks that cannot reach each other (Gloo bound to an address
        // the other namespace cannot see) wait for ever rather than fail.
        QDeadlineTimer deadline(180000);
        const auto ended = [](const QProcess &p) { return p.state() == QProcess::NotRunning; };
        const auto failed = [&](const QProcess &p) { return ended(p) && (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0); };
        while (!(ended(ranks[0]) && ended(ranks[1])) && !failed(ranks[0]) && !failed(ranks[1]) && !deadline.hasExpired())
            ranks[ended(ranks[0]) ? 1 : 0].waitForFinished(100);
        const bool timedOut = !(ended(ranks[0]) && ended(ranks[1])) && !failed(ranks[0]) && !failed(ranks[1]);
        for (QProcess &p : ranks) {
            if (!ended(p)) {
                p.kill();
                p.waitForFinished();
            }
        }
        const QString out0 = QString::fromUtf8(ranks[0].readAllStandardOutput());
        const QString errors = QStringLiteral("\n--- rank 0's stderr ---\n%1\n--- rank 1's stderr ---\n%2")
                                   .arg(QString::fromUtf8(ranks[0].readAllStandardError()), QString::fromUtf8(ranks[1].readAllStandardError()));
        QVERIFY2(!timedOut, qPrintable(QStringLiteral("the two ranks did not finish within 3 minutes (they never met)") + errors));
        for (int r = 0; r < 2; ++r) {
            QVERIFY2(ranks[r].exitStatus() == QProcess::NormalExit && ranks[r].exitCode() == 0,
                     qPrintable(QStringLiteral("rank %1 failed (exit %2%3)").arg(r).arg(ranks[r].exitCode())
                                    .arg(ranks[r].exitStatus() == QProcess::NormalExit ? QString() : QStringLiteral(", crashed")) + errors));
        }

        const QJsonObject a = lastJson(local.out), b = lastJson(out0);
        QCOMPARE(b.value(QStringLiteral("steps")).toInt(), a.value(QStringLiteral("steps")).toInt());
        QVERIFY(a.value(QStringLiteral("steps")).toInt() > 0);
        // The same arithmetic in the same order: the same loss to the bit, as two local ranks give.
        QCOMPARE(b.value(QStringLiteral("final_train_loss")).toDouble(), a.value(QStringLiteral("final_train_loss")).toDouble());
        const QJsonObject va = a.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
        const QJsonObject vb = b.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
        for (const QString &k : {QStringLiteral("log_loss"), QStringLiteral("roc_auc"), QStringLiteral("accuracy")}) {
            QVERIFY2(va.contains(k), qPrintable(k));
            QCOMPARE(vb.value(k).toDouble(), va.value(k).toDouble());
        }
    }

    void aRankWithNoRouteToTheMasterSaysSoAndNamesTheOverride()
    {
        // Rank 1's namespace reaches 10.231.0.0/24 only: no route to 10.232.0.1. It fails before
        // the rendezvous (no 2-minute wait for a master that cannot answer).
        const Run r = orrery::testing::run(m_ipPath, inNamespace(1, {QStringLiteral("train"), QStringLiteral("two.yaml"), QStringLiteral("--rank"),
                                                                     QStringLiteral("1"), QStringLiteral("--world-size"), QStringLiteral("2"),
                                                                     QStringLiteral("--master"), QStringLiteral("10.232.0.1:") + kPort}),
                                           [this] {
                                               orrery::testing::ProcessOptions o;
                                               o.workingDirectory = m_ws;
                                               o.timeoutMs = 60000;
                                               return o;
                                           }());
        QVERIFY2(!r.crashed && r.code != 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("no route from this machine to 10.232.0.1 port 29500")), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("ORRERY_GLOO_IFACE")), qPrintable(r.describe()));
    }

    void cleanupTestCase()
    {
        removeOurs();
        for (const QString &ns : m_ns)
            QVERIFY2(!ip({QStringLiteral("netns"), QStringLiteral("list")}).out.contains(ns), qPrintable(ns + QStringLiteral(" was not removed")));
    }
};

QTEST_GUILESS_MAIN(TstCliTrainNetns)
#include "tst_cli_train_netns.moc"
