#include "core/common/route_source.h"

#include <QVector>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace orrery::common {

namespace {

struct AddrInfoList {
    addrinfo *head = nullptr;
    ~AddrInfoList()
    {
        if (head)
            freeaddrinfo(head);
    }
};

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

QString numericHost(const sockaddr_storage &address, socklen_t length)
{
    char text[NI_MAXHOST] = {};
    if (getnameinfo(reinterpret_cast<const sockaddr *>(&address), length, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0)
        return QString();
    // A link-local IPv6 source carries its scope ("fe80::1%eth0"), which Gloo resolves too.
    return QString::fromLatin1(text);
}

} // namespace

Result<QString> localAddressTowards(const QString &host, int port)
{
    if (host.trimmed().isEmpty())
        return invalidArgument(QStringLiteral("no host to find a route to (the master address is empty)"));
    if (port < 1 || port > 65535)
        return invalidArgument(QStringLiteral("the port %1 of %2 is not a TCP port (1-65535)").arg(port).arg(host));

    addrinfo hints = {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    AddrInfoList found;
    const QByteArray name = host.toUtf8();
    const QByteArray service = QByteArray::number(port);
    const int gai = getaddrinfo(name.constData(), service.constData(), &hints, &found.head);
    if (gai != 0 || !found.head)
        return notFound(QStringLiteral("the host %1 does not resolve (%2): give its address, or fix its name in DNS or /etc/hosts")
                            .arg(host, QString::fromLocal8Bit(gai_strerror(gai))));

    // IPv4 first, then whatever else the resolver gave, in its order.
    QVector<const addrinfo *> candidates;
    for (const addrinfo *a = found.head; a; a = a->ai_next)
        if (a->ai_family == AF_INET)
            candidates.append(a);
    for (const addrinfo *a = found.head; a; a = a->ai_next)
        if (a->ai_family == AF_INET6)
            candidates.append(a);
    if (candidates.isEmpty())
        return notFound(QStringLiteral("the host %1 resolves to no IPv4 or IPv6 address").arg(host));

    int lastError = 0;
    for (const addrinfo *a : candidates) {
        Fd s;
        s.fd = ::socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s.fd < 0) {
            lastError = errno;
            continue;
        }
        // connect() on a datagram socket sends nothing: it fixes the peer, and with it the route
        // and the source address getsockname() reports.
        if (::connect(s.fd, a->ai_addr, a->ai_addrlen) != 0) {
            lastError = errno;
            continue;
        }
        sockaddr_storage local = {};
        socklen_t length = sizeof local;
        if (::getsockname(s.fd, reinterpret_cast<sockaddr *>(&local), &length) != 0) {
            lastError = errno;
            continue;
        }
        const QString address = numericHost(local, length);
        if (!address.isEmpty())
            return address;
    }
    return ioError(QStringLiteral("no route from this machine to %1 port %2 (%3): check the network, or name the interface to use")
                       .arg(host).arg(port).arg(QString::fromLocal8Bit(std::strerror(lastError))));
}

} // namespace orrery::common
