#pragma once
// How a table changed between two versions, from their profiles: rows added or removed, columns
// added, removed or retyped, and for each shared column the change in its statistics. What
// `data diff` prints for a CSV and what the Data view shows side by side.

#include "core/data/dataset_profile.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace orrery::data {

struct ColumnChange {
    enum Kind { Added, Removed, Retyped, Changed, Unchanged };
    Kind kind = Unchanged;
    QString name;
    const ColumnStats *before = nullptr; // null when added
    const ColumnStats *after = nullptr;  // null when removed
    double meanDelta = 0.0;              // numeric columns in both versions
    double nullFractionDelta = 0.0;
    qint64 distinctDelta = 0;
    // What changed, for a person, one phrase each and only what shows at 4 significant digits:
    // "missing 3.9% → 4.1%", "mean 312.4 → 318.9", "max 2863 → 5584", "new values: atm",
    // "gone: pos", "share of online 30.1% → 35.0%", "newest 2026-01-31 → 2026-02-02"; a column
    // whose figures all stayed as they were after rows were added says "same figures, more rows".
    QStringList what;
};

struct TableDiff {
    qint64 rowsBefore = 0, rowsAfter = 0;
    QVector<ColumnChange> columns; // in the order of the newer version, removed ones last
    QJsonObject toJson() const;
};

// The profiles must outlive the diff (it points into them).
TableDiff compareProfiles(const DatasetProfile &before, const DatasetProfile &after);

const char *columnChangeName(ColumnChange::Kind kind);

} // namespace orrery::data
