#pragma once
// RunRecorder: how a training run reaches core/tracking — the run (created, or reopened to
// resume), its params and manifest, metrics streamed through MetricWriter, the artifacts folder,
// the exported model copied into the content-addressed cache, and the end state (FINISHED,
// KILLED on cancel, FAILED with the reason). Torch-free.
//
// Threads: one recorder per training run; metric() may be called from the training thread while
// nothing else uses the recorder (MetricWriter itself is thread-safe).

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <memory>
#include <utility>

namespace orrery::train {

struct TrainRequest;

class RunRecorder {
public:
    ~RunRecorder();
    // Opens the database, creates the experiment if needed, creates the run (or reopens
    // request.resumeRunId), logs params and the manifest.
    static Result<std::unique_ptr<RunRecorder>> start(const TrainRequest &request, const QVector<std::pair<QString, QString>> &params,
                                                      const QString &dataMd5);
    // Finds the latest checkpoint of a run without starting anything: its path, or NotFound.
    static Result<QString> latestCheckpoint(const TrainRequest &request, const QString &runId);

    const QString &runId() const { return m_runId; }
    QString artifactDir() const; // …/artifacts (created)

    void metric(const QString &key, qint64 step, double value);
    Status setTag(const QString &key, const QString &value);
    Status flush();
    // Copies a file into the content cache; returns its md5.
    Result<QString> cacheFile(const QString &path);
    Status finish(tracking::RunStatus status, const QString &reason = QString());

private:
    RunRecorder();
    struct Impl;
    std::unique_ptr<Impl> d;
    QString m_runId;
};

} // namespace orrery::train
