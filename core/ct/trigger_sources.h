#pragma once
// The loop's triggers, each asked whether it fires since the loop last took it in, with the
// reason a person reads (trigger_evaluator.h weighs them against the policies):
//
// - schedule: a run of the cron expression fell after the watermark and is not after now
//   (missed runs coalesce into one, as anacron does, so a loop that was stopped for a day
//   retrains once, not 24 times);
// - data: a watched .dvc file records another md5 than when last taken in (its data got a new
//   version), or a watched folder holds files it did not hold then;
// - alert: an alert of those named (alerts.yaml's rules, the `alerts` table the serving process
//   writes) fired after the watermark for the loop's endpoint — or for no endpoint in particular;
// - manual: `orrery-cli ct trigger` asked for a retrain (LoopState::manualRequested).
//
// Threads: free functions; each uses what it is given on the calling thread.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace orrery::store {
class Database;
}

namespace orrery::ct {

class CronSchedule;

// The run due in (fromMs, nowMs], if any: the first one after fromMs.
std::optional<qint64> dueScheduleRun(const CronSchedule &schedule, qint64 fromMs, qint64 nowMs);

// What the watched paths hold now: a .dvc file → the md5 of its outs (joined by ',', "" when the
// file is missing), a folder → the sorted names of the files under it ([] when it is missing).
Result<QJsonObject> watchedSnapshot(const QString &root, const QStringList &dvcFiles, const QStringList &folders);
// What changed from `before` to `now`, one line a change ("data/x.csv.dvc: md5 1a2b3c… → 4d5e6f…",
// "data/incoming/: 2 new files (a.csv, b.csv)"). A path missing from `before` has no baseline
// yet and is no change; a .dvc file that disappeared is none either (nothing new to train on).
QStringList dataChanges(const QJsonObject &before, const QJsonObject &now);

struct FiredAlert {
    qint64 id = 0;
    QString rule;
    QString title;   // "FeatureDrift{endpoint="fraud",feature="amount"}"
    qint64 firedAt = 0;
    QString state;   // firing, or resolved since
};

// Alerts named in `rules` that fired after `afterMs`, for `endpoint` (an alert without an endpoint
// label counts for every endpoint), oldest first.
Result<QVector<FiredAlert>> firedAlerts(store::Database &db, const QStringList &rules, const QString &endpoint, qint64 afterMs);

} // namespace orrery::ct
