#include "core/deploy/server_record.h"

#include "core/common/clock.h"
#include "core/store/database.h"

#include <QDateTime>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace orrery::deploy {

namespace {
QString hostName()
{
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return QString::fromLocal8Bit(name);
}

bool processRuns(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}
} // namespace

QString ServerRecord::url() const
{
    const QString h = host == QLatin1String("0.0.0.0") || host.isEmpty() ? QStringLiteral("127.0.0.1") : host;
    return QStringLiteral("http://%1:%2").arg(h.contains(QLatin1Char(':')) ? QLatin1Char('[') + h + QLatin1Char(']') : h).arg(port);
}

Result<qint64> recordServer(store::Database &db, const QString &host, int port, qint64 nowMs)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("INSERT INTO servers (hostname, pid, host, port, started, heartbeat) VALUES (?,?,?,?,?,?)")));
    s.bind(1, hostName()).bind(2, qint64(::getpid())).bind(3, host).bind(4, port).bind(5, nowMs).bind(6, nowMs);
    ORRERY_TRY(s.run());
    return db.lastInsertRowId();
}

Status heartbeatServer(store::Database &db, qint64 id, qint64 appliedRevision, qint64 nowMs)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("UPDATE servers SET heartbeat = ?, applied_revision = ? WHERE id = ?")));
    s.bind(1, nowMs).bind(2, appliedRevision).bind(3, id);
    return s.run();
}

Status removeServer(store::Database &db, qint64 id)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("DELETE FROM servers WHERE id = ?")));
    s.bind(1, id);
    return s.run();
}

Result<QVector<ServerRecord>> liveServers(store::Database &db, bool prune)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT id, hostname, pid, host, port, started, heartbeat, applied_revision FROM servers ORDER BY id")));
    const QString here = hostName();
    // Heartbeats are recorded on the process's clock (core/common/clock.h), but they come every
    // real second whatever its scale: the minute of silence that makes a server stale is real.
    const common::Clock &clock = common::Clock::system();
    const qint64 now = clock.nowMs();
    const qint64 staleMs = clock.clockMs(60'000);
    QVector<ServerRecord> live;
    QVector<qint64> stale;
    while (s.next()) {
        ServerRecord r;
        r.id = s.int64(0);
        r.hostname = s.text(1);
        r.pid = s.int64(2);
        r.host = s.text(3);
        r.port = int(s.int64(4));
        r.started = s.int64(5);
        r.heartbeat = s.int64(6);
        r.appliedRevision = s.int64(7);
        const bool alive = r.hostname == here ? processRuns(r.pid) : now - r.heartbeat < staleMs;
        if (alive)
            live.append(r);
        else
            stale.append(r.id);
    }
    ORRERY_TRY(s.status());
    if (prune)
        for (const qint64 id : std::as_const(stale))
            ORRERY_TRY(removeServer(db, id));
    return live;
}

} // namespace orrery::deploy
