#pragma once
// ReferenceProfile: what live drift windows compare traffic with — per feature the reference's
// quantile grid and counts (numeric), or category counts, its range, mean and spread, and the
// same for the model's prediction. Made when a version is registered, from the held-out rows and
// the model's scores on them (the register stage's --holdout and --scores: rows from the training
// distribution that the model never trained on, with its predictions — NannyML's "reference
// period"), stored with the version (model_versions.reference_profile, JSON below), and read by
// the serving process. `orrery-cli monitor profile` makes one for any version.
//
// The grid: 99 inner edges at the reference's quantiles 0.01 … 0.99 (numpy.quantile, linear), so
// each of the 100 bins holds ~1 % of the reference; its deciles (every tenth edge) are the batch
// report's bins, so PSI, Jensen–Shannon and Hellinger on a live window are exactly the batch
// figures. A bin is [left, right); the outer bins are open. Live sketches count a window's values
// on this grid (window_sketch.h); live_drift.h says how the ECDF statistics are bounded from it.
//
// A numeric feature with at most 5 distinct reference values is profiled as categories keyed by
// the number's shortest text (FeatureSample's rule), and `numericCategories` says so.
//
// JSON: {"format": "orrery-reference-profile-1", "source": {"data", "rows", "scores"},
//        "features": [{"name", "role": "feature"|"prediction", "kind": "numeric"|"categorical",
//                      "count", "missing", "min", "max", "mean", "std", "edges": [99], "counts": [100],
//                      "sums": [100]}
//                     | {…, "kind": "categorical", "numeric_categories": bool, "categories": {text: n}}]}

#include "core/common/status.h"
#include "core/monitor/feature_sample.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace orrery::monitor {

struct FeatureProfile {
    static constexpr int kGridBins = 100;

    QString name;
    QString role = QStringLiteral("feature"); // or "prediction"
    FeatureKind kind = FeatureKind::Numeric;
    qint64 count = 0, missing = 0;
    // Numeric.
    double min = 0, max = 0, mean = 0, std = 0;
    std::vector<double> edges;   // kGridBins - 1, ascending
    std::vector<qint64> counts;  // kGridBins
    std::vector<double> sums;    // kGridBins: the values' sum per bin (exact Wasserstein integrals)
    // Categorical (in text order).
    bool numericCategories = false;
    std::vector<std::pair<QString, qint64>> categories;

    // The reference as a FeatureProfile of a prepared sample.
    static FeatureProfile fromSample(const QString &name, const FeatureSample &sample, const QString &role = QStringLiteral("feature"));
    QJsonObject toJson() const;
    static Result<FeatureProfile> fromJson(const QJsonObject &o);
};

struct ReferenceProfile {
    QString dataPath, scoresPath;
    qint64 rows = 0;
    std::vector<FeatureProfile> features;

    const FeatureProfile *feature(const QString &name) const;
    QJsonObject toJson() const;
    static Result<ReferenceProfile> fromJson(const QJsonObject &o);
};

// Profiles `columns` of `dataCsv` (and, when `scoresCsv` is given, its `scoreColumn` as the
// feature "prediction"). Errors name the file and the column.
Result<ReferenceProfile> profileReference(const QString &dataCsv, const QStringList &columns, const QString &scoresCsv = {},
                                          const QString &scoreColumn = QStringLiteral("p_1"));

} // namespace orrery::monitor
