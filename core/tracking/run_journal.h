#pragma once
// The run journal: how a run recorded on another node reaches the workspace database without
// that node ever opening it. SQLite's WAL and locks are unsafe over NFS (DESIGN.md, "Processes"),
// so a task that Slurm or Kubernetes runs writes its run into its job folder instead, and the
// process that submitted the job replays it into the database when the job ends
// (run_journal_import.h).
//
// The file is JOBDIR/tracking.jsonl: one JSON object a line, appended and fsynced record by
// record, every record naming its run ("run", a uuid4 hex made on the node, as MLflow's ids):
//
//   {"type":"start","run":ID,"session":S,"experiment":NAME,"name":RUN_NAME,"parent":ID,
//    "start_time":MS,"user":U,"host":H,"resume":false,"tags":{K:V,…}}
//   {"type":"params","run":ID,"params":{K:V,…}}
//   {"type":"manifest","run":ID,"manifest":{…}}           (run_manifest.h's JSON)
//   {"type":"tags","run":ID,"tags":{K:V,…}}
//   {"type":"metrics","run":ID,"points":[[KEY,STEP,TIME_MS,VALUE],…]}
//   {"type":"artifact","run":ID,"path":"model/model.pt","file":"artifacts/ID/model/model.pt","md5":M,"size":N}
//   {"type":"end","run":ID,"status":"FINISHED","end_time":MS,"reason":"…"}
//
// - "session" is new for every start: a resumed run gets a second start record (resume true) in
//   another job's journal, and the importer knows each session it has recorded.
// - Metric values that JSON cannot hold are strings: "NaN", "Infinity", "-Infinity".
// - Artifacts are copied into JOBDIR/artifacts/<run>/<path> (written whole, fsynced, renamed)
//   before their record is written, with the md5 the importer checks.
// - Metrics are batched: they are written on flush(), before any other record, and whenever
//   kJournalMetricBatch points are waiting, so a killed job loses at most the unflushed ones.
// - A record counts only with its newline: a job killed in the middle of a write leaves a torn
//   last line, which the reader reports by its line number and leaves out. A writer that opens
//   a journal ending in a torn line ends it with a newline and {"type":"repair"}.
//
// Threads: a writer is used by one thread at a time (its mutex only guards the metric buffer,
// which the training thread fills).

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QFile>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace orrery::tracking {

// The journal's name inside a job folder.
inline constexpr char kRunJournalName[] = "tracking.jsonl";
inline constexpr int kJournalMetricBatch = 1000;

struct JournalRunStart {
    QString runId;          // empty: a new uuid4 hex
    QString experiment;     // by name; created on import when the workspace has none
    QString runName;        // empty: generatedRunName()
    QString parentRunId;    // mlflow.parentRunId
    qint64 startTime = 0;   // ms since the epoch; 0: now
    bool resume = false;    // the run exists in the workspace already; this continues it
    QVector<KeyValue> tags;
};

class RunJournalWriter {
public:
    // Opens (creates, or appends to) JOBDIR/tracking.jsonl.
    static Result<std::unique_ptr<RunJournalWriter>> open(const QString &jobDir);
    ~RunJournalWriter(); // writes the metrics still waiting

    const QString &path() const { return m_path; }
    const QString &jobDir() const { return m_jobDir; }

    // Writes the start record; returns the run's id (the given one, or a new one).
    Result<QString> start(const JournalRunStart &start);
    Status params(const QString &runId, const QVector<KeyValue> &params);
    Status manifest(const QString &runId, const QJsonObject &manifest);
    Status tags(const QString &runId, const QVector<KeyValue> &tags);
    // Buffered (see above); a write error shows in the next flush().
    void metric(const QString &runId, const QString &key, const MetricPoint &point);
    Status flush();
    // Copies `source` into the job folder as the run's artifact `path` and records it; returns
    // the copy's absolute path.
    Result<QString> artifact(const QString &runId, const QString &path, const QString &source);
    Status end(const QString &runId, RunStatus status, qint64 endTime, const QString &reason = QString());

private:
    RunJournalWriter() = default;
    Status append(const QJsonObject &record); // one line, fsynced
    Status writeMetrics();                    // callers hold m_metricsMutex

    QString m_jobDir, m_path;
    QFile m_file;
    std::mutex m_writeMutex;   // one record at a time
    std::mutex m_metricsMutex; // m_points, m_metricError
    std::vector<std::pair<std::pair<QString, QString>, MetricPoint>> m_points;
    Status m_metricError;
};

// One complete record and the line it is on (from 1).
struct JournalRecord {
    int line = 0;
    QJsonObject json;
};

struct RunJournalContents {
    QString path;
    QVector<JournalRecord> records;
    QVector<int> tornLines; // lines a killed job left half-written (not in records)
};

// Reads a journal. A torn line (the last, or one a later writer ended with a repair record) is
// left out and reported in tornLines; any other line that is not a JSON object is an error
// naming FILE:LINE.
Result<RunJournalContents> readRunJournal(const QString &path);

// A metric value as the journal writes it, and back (false when `v` is neither).
QJsonValue journalMetricValue(double value);
bool parseJournalMetricValue(const QJsonValue &v, double *out);

} // namespace orrery::tracking
