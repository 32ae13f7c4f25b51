#pragma once
// Lease: a named, expiring claim in the workspace database (table `leases`), so that of several
// long-running processes exactly one does a job (the "webhooks" lease: retrying deliveries).
//
// acquire() takes the lease when nobody holds it, renews it when this holder has it, and steals it
// only when it has expired; each is one IMMEDIATE transaction, so two processes never both see it
// free. A holder that dies simply stops renewing: another takes over after `ttlMs`. The ttl is
// real time, as the holders' renewal rounds are: on a compressed clock (core/common/clock.h) the
// expiry recorded is now + clock.clockMs(ttlMs).

#include "core/common/clock.h"
#include "core/common/status.h"

#include <QString>

namespace orrery::store {
class Database;
}

namespace orrery::registry {

class Lease {
public:
    Lease(store::Database &db, QString name, QString holder, qint64 ttlMs, const common::Clock &clock = common::Clock::system());

    // True when this holder has the lease now (taken, renewed or stolen after expiry), valid until
    // now + ttl; false while another holder's lease is current.
    Result<bool> acquire();
    // Gives the lease up if this holder has it.
    Status release();
    // The current holder and expiry (ms), or an empty holder when none.
    Result<std::pair<QString, qint64>> current();

    const QString &holder() const { return m_holder; }
    // "pid@host", the holder name of this process.
    static QString processHolder();

private:
    store::Database &m_db;
    QString m_name;
    QString m_holder;
    qint64 m_ttlMs;
    const common::Clock &m_clock;
};

} // namespace orrery::registry
