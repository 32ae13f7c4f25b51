#pragma once
// The batch drift report as one self-contained HTML page (`monitor drift --html FILE`): a summary,
// the per-feature table, and for every feature an inline SVG chart of the reference's and the
// current sample's distributions — numeric features as shares in 20 equal-width bins over the
// two samples' common 1st–99th percentile range (outliers in the end bins), categorical ones as
// shares per category (the 20 most frequent in the reference, then the unseen cell). No script,
// no stylesheet or font fetched from anywhere: the file opens offline and mails as one
// attachment, and its size grows with the number of features, not rows (Evidently's reports
// embed the data and grow too large to open, competitors.md).

#include "core/monitor/drift_report.h"

#include <QByteArray>

#include <vector>

namespace orrery::monitor {

struct DriftHtmlInput {
    QString referencePath, currentPath;
    qint64 referenceRows = 0, currentRows = 0;
    const DriftReport *report = nullptr;
    // Parallel to report->features: the samples each was computed from.
    std::vector<std::pair<const FeatureSample *, const FeatureSample *>> samples;
    QStringList skipped;
};

QByteArray driftReportHtml(const DriftHtmlInput &input);

} // namespace orrery::monitor
