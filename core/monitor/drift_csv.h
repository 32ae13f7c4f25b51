#pragma once
// Reading a reference and a current CSV for the batch drift report (`orrery-cli monitor drift`):
// the columns both files have, their kinds from core/data's type inference (profileCsv: the pass
// `data schema` infers from), and their values as FeatureSamples.
//
// Kinds: int and float are numeric; bool and text with at most 50 distinct reference values
// (data's category limit) are categorical; other text (ids, free text) and timestamps (time
// always moves) are listed as skipped with the reason. Missing cells are the data module's null
// values (empty, NA, N/A, null, NULL, NaN, nan).
//
// Errors (each names the column and both files): no column in common; a --columns name missing
// from one file; a column numeric in one file and text in the other (unless one side has no
// values at all: then it is reported as no_data).

#include "core/common/status.h"
#include "core/monitor/feature_sample.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace orrery::monitor {

struct DriftColumn {
    QString name;
    QString role = QStringLiteral("feature"); // "label" for --label
    FeatureKind kind = FeatureKind::Numeric;
    std::unique_ptr<FeatureSample> reference, current;
};

struct DriftInputs {
    QString referencePath, currentPath;
    qint64 referenceRows = 0, currentRows = 0;
    std::vector<DriftColumn> columns;
    QStringList skipped; // "name: reason"
};

// `only`: the columns to compare (empty: every column both files have). `label`: the label
// column's name (empty: none); it is compared like a feature and marked as the label.
Result<DriftInputs> readDriftInputs(const QString &referencePath, const QString &currentPath, const QStringList &only = {},
                                    const QString &label = {});

} // namespace orrery::monitor
