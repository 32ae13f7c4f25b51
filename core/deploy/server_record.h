#pragma once
// ServerRecord: a serving process in the workspace database (the `servers` table), so the
// window and `deploy status` know which server applies the desired state, where it listens and
// which revision it has applied. A server records itself when it starts and removes the row on a
// clean stop; a row whose process is gone (kill -9) is stale and ignored (and dropped by the next
// server that starts on this machine).

#include "core/common/status.h"

#include <QString>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::deploy {

struct ServerRecord {
    qint64 id = 0;
    QString hostname;
    qint64 pid = 0;
    QString host;
    int port = 0;
    qint64 started = 0;   // ms since the epoch, on the server's clock (core/common/clock.h)
    qint64 heartbeat = 0; // the same, refreshed about once a real second
    qint64 appliedRevision = 0;
    QString url() const;
};

// Records this process; returns the row id.
Result<qint64> recordServer(store::Database &db, const QString &host, int port, qint64 nowMs);
Status heartbeatServer(store::Database &db, qint64 id, qint64 appliedRevision, qint64 nowMs);
Status removeServer(store::Database &db, qint64 id);
// The servers of this machine whose process still runs (stale rows left out, and deleted when
// `prune`), and those of other machines that beat within the last (real) minute.
Result<QVector<ServerRecord>> liveServers(store::Database &db, bool prune = false);

} // namespace orrery::deploy
