#pragma once
// Replaying a job's run journal (run_journal.h) into the workspace database: what the process
// that submitted a job to Slurm or Kubernetes does when the job ends, so that the run the job
// recorded on its node — which never opened the database — shows as if it had run here.
//
// Each run of the journal is recorded in one transaction: the run with the journal's id (or, for
// a resumed run, the existing run continued), its params, tags, manifest, metrics (appended to
// what the run has), artifacts (copied into the content cache, checked against the journal's md5,
// and indexed as tracking::ArtifactStore does) and its end state. A run whose journal has no end
// record (the job was killed, timed out or lost) ends FAILED with that reason. The run is tagged
// orrery.recorded_from = journal and orrery.journal = the journal's path in the workspace.
//
// Idempotent: every start record has a session id, and the runs keep the sessions recorded
// (tag orrery.journal_sessions); importing a journal again changes nothing. Errors name the
// journal and the line (FILE:LINE); runs recorded before an error stay recorded. A torn line (a
// job killed in the middle of a write) is not an error: the complete records are imported and
// the torn line is reported in `warnings`.
//
// Threads: uses `db` on the calling thread.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::tracking {

struct JournalImport {
    QString journal;             // the journal read; empty when the job folder has none
    QStringList recorded;        // ids of the runs this import recorded
    QStringList alreadyRecorded; // ids of runs an earlier import of the same records recorded
    QStringList warnings;        // torn lines, unfinished runs: FILE:LINE and what was done
};

// The journal of `jobDir` (none: nothing to do) into `db`, artifacts into the content cache of
// the workspace at `workspaceRoot`. `clock` stamps what the journal does not (the system clock
// when null).
Result<JournalImport> importRunJournal(store::Database &db, const QString &workspaceRoot, const QString &jobDir,
                                       const common::Clock *clock = nullptr);

} // namespace orrery::tracking
