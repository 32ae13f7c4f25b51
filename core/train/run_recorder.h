#pragma once
// RunRecorder: how a training run reaches core/tracking — the run (created, or reopened to
// resume), its params and manifest, metrics streamed through MetricWriter, artifacts logged
// through tracking::ArtifactStore (content-addressed in the workspace cache), a working folder
// for files before they are logged, and the end state (FINISHED, KILLED on cancel, FAILED with
// the reason). Torch-free.
//
// In a job on another node (TrainRequest::jobDir, from ORRERY_JOB_DIR) the database is never
// opened: the same calls write the run journal in the job folder (core/tracking/run_journal.h) —
// a run id made here, params, manifest, tags, metrics in batches, artifacts copied into the folder
// (artifactFile() names the copy, artifactUri() is runs:/RUN/PATH) and the end state — and the
// submitting process imports it when the job ends (run_journal_import.h).
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
    // Opens the database (or, with request.jobDir, the journal), creates the experiment if needed,
    // creates the run (or reopens request.resumeRunId), logs params and the manifest.
    static Result<std::unique_ptr<RunRecorder>> start(const TrainRequest &request, const QVector<std::pair<QString, QString>> &params,
                                                      const QString &dataMd5);
    // The latest checkpoint artifact of a run, as its verified cache object, or NotFound. With
    // request.jobDir: request.resumeFrom (the submitter looked it up), never the database.
    static Result<QString> latestCheckpoint(const TrainRequest &request, const QString &runId);

    const QString &runId() const { return m_runId; }
    QString workDir() const; // <workRoot>/<run> (created)
    // Logs `file` as the artifact <experiment>/<run>/artifacts/<path>.
    Status logArtifact(const QString &path, const QString &file);
    // The verified cache object of an artifact of this run.
    Result<QString> artifactFile(const QString &path);
    QString artifactUri(const QString &path) const;

    void metric(const QString &key, qint64 step, double value);
    Status setTag(const QString &key, const QString &value);
    Status flush();
    Status finish(tracking::RunStatus status, const QString &reason = QString());

private:
    RunRecorder();
    struct Impl;
    std::unique_ptr<Impl> d;
    QString m_runId;
};

} // namespace orrery::train
