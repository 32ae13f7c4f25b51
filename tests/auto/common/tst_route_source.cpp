// The local address that routes to a peer (core/common/route_source.h), which distributed training
// binds Gloo to: loopback for a loopback master, the name resolved first, and each way it cannot
// be found refused with the host in the message. The unroutable case runs in a child process
// in a network namespace of its own (root, as CI runs), where nothing but a down loopback exists.
#include "core/common/route_source.h"

#include <QtTest>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace orrery;
using common::localAddressTowards;

class TstRouteSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loopbackRoutesFromLoopback()
    {
        const auto a = localAddressTowards(QStringLiteral("127.0.0.1"), 29500);
        QVERIFY2(a.isOk(), qPrintable(a.status().message()));
        QCOMPARE(*a, QStringLiteral("127.0.0.1"));
    }

    void aNameIsResolvedFirst()
    {
        // localhost is 127.0.0.1 in /etc/hosts (and ::1 too on most machines: IPv4 is preferred).
        const auto a = localAddressTowards(QStringLiteral("localhost"), 29500);
        QVERIFY2(a.isOk(), qPrintable(a.status().message()));
        QCOMPARE(*a, QStringLiteral("127.0.0.1"));
    }

    void aHostThatDoesNotResolveIsNamed()
    {
        // .invalid never resolves (RFC 6761).
        const auto a = localAddressTowards(QStringLiteral("no-such-master.invalid"), 29500);
        QVERIFY(!a.isOk());
        QCOMPARE(a.status().code(), ErrorCode::NotFound);
        QVERIFY2(a.status().message().contains(QLatin1String("no-such-master.invalid")), qPrintable(a.status().message()));
        QVERIFY2(a.status().message().contains(QLatin1String("does not resolve")), qPrintable(a.status().message()));
    }

    void badInputIsRefused()
    {
        QCOMPARE(localAddressTowards(QString(), 29500).status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(localAddressTowards(QStringLiteral("   "), 29500).status().code(), ErrorCode::InvalidArgument);
        const auto port = localAddressTowards(QStringLiteral("127.0.0.1"), 0);
        QCOMPARE(port.status().code(), ErrorCode::InvalidArgument);
        QVERIFY(port.status().message().contains(QLatin1String("127.0.0.1")));
        QCOMPARE(localAddressTowards(QStringLiteral("127.0.0.1"), 65536).status().code(), ErrorCode::InvalidArgument);
    }

    void anUnroutableHostIsAnIoErrorNamingIt()
    {
        // A child process alone in a new network namespace: no interface up, no route anywhere.
        int pipeFds[2];
        QVERIFY(::pipe(pipeFds) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(pipeFds[0]);
            QByteArray answer;
            if (::unshare(CLONE_NEWNET) != 0) {
                answer = "unshare(CLONE_NEWNET) failed (the test runs as root, as CI does): " + QByteArray(strerror(errno));
            } else {
                const auto a = localAddressTowards(QStringLiteral("10.231.9.9"), 29500);
                answer = a.isOk() ? "ok " + a->toUtf8()
                                  : QByteArray(errorCodeName(a.status().code())) + ' ' + a.status().message().toUtf8();
            }
            const ssize_t written = ::write(pipeFds[1], answer.constData(), size_t(answer.size()));
            ::_exit(written == answer.size() ? 0 : 1);
        }
        ::close(pipeFds[1]);
        QByteArray answer;
        char buffer[512];
        for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;)
            answer.append(buffer, int(n));
        ::close(pipeFds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, answer.constData());
        QVERIFY2(answer.startsWith(QByteArray(errorCodeName(ErrorCode::Io))), answer.constData());
        QVERIFY2(answer.contains("no route from this machine to 10.231.9.9 port 29500"), answer.constData());
    }
};

QTEST_GUILESS_MAIN(TstRouteSource)
#include "tst_route_source.moc"
