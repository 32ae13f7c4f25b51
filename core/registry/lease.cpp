#include "core/registry/lease.h"

#include "core/store/database.h"

#include <QCoreApplication>
#include <QHostInfo>

namespace orrery::registry {

Lease::Lease(store::Database &db, QString name, QString holder, qint64 ttlMs, const common::Clock &clock)
    : m_db(db), m_name(std::move(name)), m_holder(std::move(holder)), m_ttlMs(ttlMs), m_clock(clock)
{
}

QString Lease::processHolder()
{
    return QStringLiteral("%1@%2").arg(QCoreApplication::applicationPid()).arg(QHostInfo::localHostName());
}

Result<bool> Lease::acquire()
{
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto read, m_db.prepare(QStringLiteral("SELECT holder, expires FROM leases WHERE name = ?")));
    read.bind(1, m_name);
    if (read.next()) {
        const QString holder = read.text(0);
        const qint64 expires = read.int64(1);
        read.reset();
        if (holder != m_holder && expires > now)
            return false; // another holder's lease is current
        ORRERY_ASSIGN_OR_RETURN(auto update, m_db.prepare(QStringLiteral("UPDATE leases SET holder = ?, expires = ? WHERE name = ?")));
        update.bind(1, m_holder).bind(2, now + m_clock.clockMs(m_ttlMs)).bind(3, m_name);
        ORRERY_TRY(update.run());
    } else {
        ORRERY_TRY(read.status());
        read.reset();
        ORRERY_ASSIGN_OR_RETURN(auto insert, m_db.prepare(QStringLiteral("INSERT INTO leases(name, holder, expires) VALUES (?, ?, ?)")));
        insert.bind(1, m_name).bind(2, m_holder).bind(3, now + m_clock.clockMs(m_ttlMs));
        ORRERY_TRY(insert.run());
    }
    ORRERY_TRY(tx.commit());
    return true;
}

Status Lease::release()
{
    ORRERY_ASSIGN_OR_RETURN(auto del, m_db.prepare(QStringLiteral("DELETE FROM leases WHERE name = ? AND holder = ?")));
    del.bind(1, m_name).bind(2, m_holder);
    return del.run();
}

Result<std::pair<QString, qint64>> Lease::current()
{
    ORRERY_ASSIGN_OR_RETURN(auto read, m_db.prepare(QStringLiteral("SELECT holder, expires FROM leases WHERE name = ?")));
    read.bind(1, m_name);
    if (read.next())
        return std::pair<QString, qint64>(read.text(0), read.int64(1));
    ORRERY_TRY(read.status());
    return std::pair<QString, qint64>(QString(), 0);
}

} // namespace orrery::registry
