#pragma once
// A running job's intermediate results, and the verdict on each, through files in a folder both
// sides can see (a folder under the workspace today; the shared filesystem when the job runs on a
// cluster node, where nothing but files reaches the submitting process).
//
// The job (the trainer, at each epoch's end) writes `report-<step>.json` — its metrics at that
// step — and waits for `verdict-<step>`: "continue" or "stop". The submitting process (a sweep's
// controller, whose pruner decides) polls the folder and answers. When no verdict comes within the
// writer's timeout (the controller is gone), the job continues: a lost controller must not turn
// into a lost training. At its end the job writes `result.json`.
//
// Files are written atomically (core/common/atomic_file.h), so a reader never sees half a report.
//
// The environment variable ORRERY_REPORT_DIR names the folder for the job.
//
// Threads: a ReportWriter belongs to the job's training thread; a ReportReader to the controller.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <atomic>
#include <optional>

namespace orrery::exec {

enum class Verdict { Continue, Stop };

struct Report {
    int step = 0;
    QJsonObject values;
};

class ReportWriter {
public:
    explicit ReportWriter(QString dir, int verdictTimeoutMs = 60000);
    // The writer ORRERY_REPORT_DIR names; none when it is unset or empty.
    static std::optional<ReportWriter> fromEnvironment();

    // Writes the step's values and waits for the verdict: Continue when none comes in time, when
    // the report cannot be written, or when `cancel` is set meanwhile.
    Verdict report(int step, const QJsonObject &values, const std::atomic<bool> *cancel = nullptr) const;
    Status writeResult(const QJsonObject &result) const;
    const QString &dir() const { return m_dir; }

private:
    QString m_dir;
    int m_verdictTimeoutMs;
};

class ReportReader {
public:
    explicit ReportReader(QString dir) : m_dir(std::move(dir)) {}

    // Reports written since the last call, by step. A report that is not a JSON object is passed
    // on with no values (the job wrote it; the caller still answers it).
    QVector<Report> poll();
    Status answer(int step, Verdict verdict) const;
    // result.json once the job has written it.
    std::optional<QJsonObject> result() const;
    const QString &dir() const { return m_dir; }

private:
    QString m_dir;
    int m_lastStep = 0;
};

} // namespace orrery::exec
