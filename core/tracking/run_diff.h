#pragma once
// Comparing two runs: what differs in params, metrics, tags, data hashes, seeds, code and
// environment. `orrery-cli runs diff` and the workbench's diff view share it.
//
// Threads: plain functions over the given Database.

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

// A run (and its manifest; an empty object when it has none, whose code keys are then empty) flattened to "section.key" → value, sections
// params, metrics, tags, code, data, seeds, environment. The code diff is represented by its md5
// (code.diff_md5); the text itself is in RunComparison.
QMap<QString, QString> flattenRun(const Run &run, const QJsonObject &manifest);

struct RunDiffEntry {
    QString key;      // "params.lr"
    QString a, b;     // the values; empty when absent (see hasA/hasB)
    bool hasA = false;
    bool hasB = false;
    bool differs() const { return hasA != hasB || a != b; }
    QString section() const { return key.section(QLatin1Char('.'), 0, 0); }
};

struct CodeDiffLine {
    enum Kind { Same, Removed, Added };
    Kind kind = Same;
    QString text;
};

struct RunComparison {
    Run a, b;
    bool manifestA = false, manifestB = false;
    QVector<RunDiffEntry> entries; // every key of either run, sorted; tags.mlflow.runName left out
    QString codeDiffA, codeDiffB;  // each run's uncommitted diff against its commit
    QString commitA, commitB;

    QVector<RunDiffEntry> differences() const;
};

Result<RunComparison> compareRuns(store::Database &db, const QString &runA, const QString &runB);

// A line diff of two texts (longest common subsequence); past maxLines lines on either side the
// rest is shown as removed then added.
QVector<CodeDiffLine> lineDiff(const QString &a, const QString &b, int maxLines = 4000);

} // namespace orrery::tracking
