#include "core/ct/trigger_sources.h"

#include "core/ct/cron_schedule.h"
#include "core/data/dvc_file.h"
#include "core/data/file_hasher.h"
#include "core/monitor/alert_store.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace orrery::ct {
namespace {

QString shortMd5(const QString &md5) { return md5.isEmpty() ? QStringLiteral("(none)") : md5.left(8) + QStringLiteral("…"); }

} // namespace

std::optional<qint64> dueScheduleRun(const CronSchedule &schedule, qint64 fromMs, qint64 nowMs)
{
    const QDateTime next = schedule.nextAfter(QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC));
    if (!next.isValid() || next.toMSecsSinceEpoch() > nowMs)
        return std::nullopt;
    return next.toMSecsSinceEpoch();
}

Result<QJsonObject> watchedSnapshot(const QString &root, const QStringList &dvcFiles, const QStringList &folders)
{
    QJsonObject out;
    for (const QString &path : dvcFiles) {
        QFile file(root + QLatin1Char('/') + path);
        if (!file.exists()) {
            out.insert(path, QString());
            continue;
        }
        if (!file.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read the watched %1: %2").arg(path, file.errorString()));
        ORRERY_ASSIGN_OR_RETURN(const auto dvc, data::DvcFile::parse(file.readAll(), path));
        QStringList md5s;
        for (const auto &o : dvc.outs)
            md5s << o.md5;
        out.insert(path, md5s.join(QLatin1Char(',')));
    }
    for (const QString &folder : folders) {
        const QString absolute = root + QLatin1Char('/') + folder;
        QStringList names;
        if (QFileInfo(absolute).isDir()) {
            ORRERY_ASSIGN_OR_RETURN(names, data::listFiles(absolute));
        }
        out.insert(folder + QLatin1Char('/'), QJsonArray::fromStringList(names));
    }
    return out;
}

QStringList dataChanges(const QJsonObject &before, const QJsonObject &now)
{
    QStringList changes;
    for (auto it = now.begin(); it != now.end(); ++it) {
        if (!before.contains(it.key()))
            continue; // a baseline is taken first (LoopStateStore::initialiseTriggers)
        const QJsonValue old = before.value(it.key());
        if (it.value().isString()) {
            const QString md5 = it.value().toString(), was = old.toString();
            if (md5 != was && !md5.isEmpty())
                changes << QStringLiteral("%1: md5 %2 → %3").arg(it.key(), shortMd5(was), shortMd5(md5));
        } else {
            QSet<QString> had;
            for (const QJsonValue &v : old.toArray())
                had.insert(v.toString());
            QStringList added;
            for (const QJsonValue &v : it.value().toArray())
                if (!had.contains(v.toString()))
                    added << v.toString();
            if (!added.isEmpty()) {
                const QStringList shown = added.mid(0, 5);
                changes << QStringLiteral("%1: %2 new file%3 (%4%5)")
                               .arg(it.key())
                               .arg(added.size())
                               .arg(added.size() == 1 ? QString() : QStringLiteral("s"), shown.join(QStringLiteral(", ")),
                                    added.size() > shown.size() ? QStringLiteral(", …") : QString());
            }
        }
    }
    return changes;
}

Result<QVector<FiredAlert>> firedAlerts(store::Database &db, const QStringList &rules, const QString &endpoint, qint64 afterMs)
{
    QVector<FiredAlert> out;
    if (rules.isEmpty())
        return out;
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
        "SELECT id, rule, labels, fired_at, state FROM alerts WHERE fired_at IS NOT NULL AND fired_at > ? ORDER BY fired_at, id")));
    s.bind(1, afterMs);
    while (s.next()) {
        const QString rule = s.text(1);
        if (!rules.contains(rule))
            continue;
        monitor::AlertRecord record;
        record.rule = rule;
        const QJsonObject labels = QJsonDocument::fromJson(s.text(2).toUtf8()).object();
        for (auto it = labels.begin(); it != labels.end(); ++it)
            record.labels.insert(it.key(), it.value().toString());
        const QString alertEndpoint = record.labels.value(QStringLiteral("endpoint"));
        if (!alertEndpoint.isEmpty() && alertEndpoint != endpoint)
            continue;
        FiredAlert a;
        a.id = s.int64(0);
        a.rule = rule;
        a.title = record.title();
        a.firedAt = s.int64(3);
        a.state = s.text(4);
        out.append(a);
    }
    ORRERY_TRY(s.status());
    return out;
}

} // namespace orrery::ct
