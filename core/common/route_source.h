#pragma once
// The local address this machine uses to reach a peer: what the kernel's routing table picks as
// the source address of a connection to HOST:PORT. Distributed training binds Gloo to it, so each
// rank advertises an address the master (and every other rank, on the same network) can reach —
// not the host name's, which stock Debian maps to 127.0.1.1 in /etc/hosts.
//
// How: a UDP socket connect()ed to the peer (which sends nothing; it only makes the kernel choose
// a route and a source address) and getsockname(). A host name is resolved first, IPv4 preferred
// (TCPStore and Gloo both accept it, and a name that resolves to both is reached over IPv4 on
// every machine we run on).

#include "core/common/status.h"

#include <QString>

namespace orrery::common {

// The numeric local address ("10.231.0.2", "127.0.0.1", "fe80::…") that routes to host:port.
// InvalidArgument for an empty host or a port outside 1..65535; NotFound when the host does not
// resolve; Io when no route leads there (ENETUNREACH) — each message names the host.
Result<QString> localAddressTowards(const QString &host, int port);

} // namespace orrery::common
