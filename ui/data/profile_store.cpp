#include "ui/data/profile_store.h"

#include "core/common/job.h"
#include "core/common/job_tracker.h"

#include <QPointer>

#include <vector>

namespace orrery::ui {

ProfileStore::ProfileStore(common::JobTracker *tracker, QObject *parent) : QObject(parent), m_tracker(tracker) {}

void ProfileStore::clear()
{
    m_profiles.clear();
    m_order.clear();
}

void ProfileStore::insert(const QString &key, ProfilePtr profile)
{
    if (!m_profiles.contains(key))
        m_order.append(key);
    m_profiles.insert(key, std::move(profile));
    while (m_order.size() > kCapacity)
        m_profiles.remove(m_order.takeFirst());
}

common::Job *ProfileStore::fetch(const QVector<ProfileSource> &sources, const QString &title, QObject *context,
                                 std::function<void(const Status &)> done)
{
    QVector<ProfileSource> missing;
    for (const ProfileSource &s : sources) {
        const bool queued = std::any_of(missing.begin(), missing.end(), [&](const ProfileSource &m) { return m.key == s.key; });
        if (!contains(s.key) && !queued)
            missing.append(s);
    }
    if (missing.isEmpty())
        return nullptr;

    // Written by the job, read in the finished slot: the queued signal orders the two.
    auto results = std::make_shared<std::vector<std::pair<QString, ProfilePtr>>>();
    auto *job = new common::Job(title, [missing, results](common::JobContext &ctx) -> Status {
        for (const ProfileSource &source : missing) {
            data::ProfileOptions options;
            if (source.tsv)
                options.csv.delimiter = '\t';
            auto profile = data::profileCsv(source.path, options, &ctx);
            if (!profile) {
                if (ctx.isCancelled())
                    return ctx.cancelledStatus();
                return profile.status().withContext(source.label);
            }
            profile->path = source.label; // the cache object's path means nothing to a person
            results->emplace_back(source.key, std::make_shared<const data::DatasetProfile>(std::move(*profile)));
        }
        return Status::ok();
    });
    // Connected before the job starts, so a job that finishes at once cannot be missed; the
    // store's slot is connected first, so the profiles are in before `done` runs.
    connect(job, &common::Job::finished, this, [this, results] {
        for (auto &[key, profile] : *results) {
            insert(key, profile);
            ++m_computed;
        }
    });
    connect(job, &common::Job::finished, context, [done = std::move(done)](const Status &status) { done(status); });
    if (m_tracker) {
        m_tracker->startTracked(job);
    } else {
        job->setParent(this);
        connect(job, &common::Job::finished, job, &QObject::deleteLater);
        job->start();
    }
    return job;
}

} // namespace orrery::ui
