#pragma once
// ProfileStore: the Data area's statistics, computed once per content. A profile (one streaming
// pass over a CSV) takes seconds on a large file; the store keeps the newest ones in memory by the
// content's md5, so re-selecting a version — or a version whose content another one shares —
// shows its statistics at once.
//
// fetch() starts one job (on the window's JobTracker, so it shows in the Activity dock with a
// Cancel button) that profiles the sources not in the store yet. The profiles enter the store on
// the GUI thread when the job finishes — even when the caller no longer wants them (the user has
// selected something else), since the work is done and may be asked for again — and only then is
// the caller's `done` called.
//
// Threads: lives in, and is used from, the GUI thread; only profileCsv runs on the job.

#include "core/common/status.h"
#include "core/data/dataset_profile.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace orrery::common {
class Job;
class JobTracker;
}

namespace orrery::ui {

using ProfilePtr = std::shared_ptr<const data::DatasetProfile>;

struct ProfileSource {
    QString key;      // the content's md5: equal contents share one profile
    QString path;     // a readable copy: a cache object or the file on disk
    QString label;    // for the job's title and errors: "data/x.csv at 1a2b3c4"
    bool tsv = false;
};

class ProfileStore : public QObject {
    Q_OBJECT
public:
    static constexpr int kCapacity = 32;

    explicit ProfileStore(common::JobTracker *tracker, QObject *parent = nullptr);

    ProfilePtr cached(const QString &key) const { return m_profiles.value(key); }
    bool contains(const QString &key) const { return m_profiles.contains(key); }
    int size() const { return int(m_profiles.size()); }
    // Profiles computed so far (a re-selection that hits the store adds none).
    int computedCount() const { return m_computed; }
    void clear();

    // Starts a job that profiles every source not in the store and calls `done(status)` (in the
    // GUI thread, through `context`) once they are in. Returns the job, or nullptr when all were
    // there already — then `done` is not called.
    common::Job *fetch(const QVector<ProfileSource> &sources, const QString &title, QObject *context,
                       std::function<void(const Status &)> done);

private:
    void insert(const QString &key, ProfilePtr profile);

    common::JobTracker *m_tracker;
    QHash<QString, ProfilePtr> m_profiles;
    QStringList m_order; // least recently inserted first
    int m_computed = 0;
};

} // namespace orrery::ui
