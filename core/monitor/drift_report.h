#pragma once
// The batch drift report: per feature, a test of the current sample against the reference, its
// statistic, p-value, threshold, effect size and verdict; a correction across the features; the
// JSON that `orrery-cli monitor drift --json` prints.
//
// Default test (the headline statistic), by the feature's kind and the reference's size (Evidently's choice,
// ../shared/reference/competitors.md: its old "KS for everything" flagged every feature at large n,
// so the test changes with size):
//   numeric,     reference <= 1,000 values: two-sample KS            (p-value < 0.05)
//   numeric,     reference  > 1,000 values: Wasserstein / ref. std   (distance >= 0.1)
//   categorical, reference <= 1,000 values: chi-squared              (p-value < 0.05)
//   categorical, reference  > 1,000 values: Jensen–Shannon (ln)      (distance >= 0.1)
// Thresholds: 0.05 is the conventional significance level and Evidently's stattest_threshold
// default; 0.1 is Evidently's default for its Wasserstein (normed), Jensen–Shannon and Hellinger
// tests; PSI 0.2 is the credit-scoring rule of thumb (< 0.1 stable, 0.1–0.25 moderate, > 0.25
// major; Siddiqi 2006) taken at the middle of its "moderate" band — Evidently's own PSI default
// is 0.1.
//
// Every verdict needs two things: a change large enough to matter and evidence that it is not
// noise. The effect size is the Wasserstein distance in units of the reference's standard
// deviation for numeric features and the Jensen–Shannon distance of the shares for categorical
// ones (for a distance test, the distance itself, at its threshold); the evidence is the p-value
// of a two-sample test — KS for numeric features, chi-squared homogeneity (2 × k, SciPy's
// chi2_contingency without Yates) for categories and for --test chisquare on numeric bins —
// Bonferroni-corrected. Drift = corrected p < 0.05 and effect >= its threshold. The normed
// Wasserstein's threshold is max(0.1, 5 sqrt(1/n_ref + 1/n_cur)): below that noise alone reaches
// it (see wassersteinNoiseFloor in the .cpp); 0.1 from about 5,000 rows a side.
// Why both, measured by tst_drift_report's false-alarm property (100 features, 20 windows of
// 1,000 rows from the reference's own distribution, 50 trials): p-values alone alarm in every
// trial (2,000 tests a trial, 5 % each; corrected per report still ~64 % of trials over 20
// windows), and Evidently's Wasserstein >= 0.1 alone alarmed in 50 of 50 trials with a 20,000-row
// reference — a 1,000-row window's own noise reaches 0.1 std in a tail now and then; a change too
// small to matter is no alarm however many rows prove it, and a large-looking distance on few
// rows is no alarm unless the test confirms it.
//
// Correction: Bonferroni over the features of one report (p × m, at most 1; m = features with
// data). It bounds the chance of any false alarm in the report by 0.05, which is what a "did
// anything drift?" exit code promises; Benjamini–Hochberg bounds only the share of false alarms
// among the alarms, which is weaker for that question.
//
// Categories: the cells are the reference's categories plus one "(unseen)" cell pooling every
// current value the reference never saw (named in unseenCategories, their share reported).
// Vanished categories (in the reference, absent now) are cells with a current count of 0, and
// are listed. The homogeneity test handles both without special cases: a cell's expected counts
// come from both rows, so a category seen on one side only has expected counts above 0 on both
// (goodness of fit against the reference's shares would give an infinite statistic for a single
// unseen value). The Jensen–Shannon and Hellinger distances take zero shares as they are; PSI
// clips them at its epsilon.
//
// A feature with no values on either side (all missing) is reported with status "no_data" and
// no verdict: the missing shares say what happened.

#include "core/monitor/feature_sample.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace orrery::monitor {

enum class DriftTest { Auto, Ks, Psi, ChiSquare, JensenShannon, Wasserstein, Hellinger };

const char *driftTestName(DriftTest test); // "ks", "psi", "chisquare", "jensenshannon", "wasserstein", "hellinger"
std::optional<DriftTest> parseDriftTest(const QString &name);

struct DriftOptions {
    DriftTest test = DriftTest::Auto;       // Auto: by kind and the reference's size (above)
    qint64 smallSampleLimit = 1000;         // reference values up to which the p-value tests are the default
    double alpha = 0.05;
    double distanceThreshold = 0.1;         // Wasserstein (normed), Jensen–Shannon, Hellinger
    double psiThreshold = 0.2;
    double minimumEffect = 0.1;             // what a p-value test's effect size must reach
};

struct FeatureInput {
    QString name;
    QString role = QStringLiteral("feature"); // or "label"
    const FeatureSample *reference = nullptr;
    const FeatureSample *current = nullptr;
};

struct FeatureDrift {
    QString name;
    QString role;
    FeatureKind kind = FeatureKind::Numeric;
    QString status;                 // "drift", "no_drift", "no_data" (live windows: also "insufficient")
    DriftTest test = DriftTest::Ks;
    double statistic = 0.0;
    DriftTest significanceTest = DriftTest::Ks; // where pValue comes from: ks or chisquare
    std::optional<double> pValue;   // unset only for no_data
    std::optional<double> pValueAdjusted;
    double threshold = 0.0;         // on the adjusted p-value (tests) or on the statistic
    double effectSize = 0.0;
    QString effectMeasure;          // "wasserstein_normed" or "jensenshannon" (or the distance itself)
    double effectThreshold = 0.0;
    // Live windows compare binned sketches: the statistic's largest possible error against the
    // exact figure on the same values (live_drift.h); 0 for the batch report, which is exact.
    double errorBound = 0.0;
    bool drift = false;
    qint64 referenceCount = 0, currentCount = 0;
    double referenceMissingShare = 0.0, currentMissingShare = 0.0;
    QStringList unseenCategories;   // categorical: current categories the reference never saw
    double unseenShare = 0.0;       // their share of the current non-missing values
    QStringList vanishedCategories; // reference categories absent now

    QJsonObject toJson() const;
};

struct DriftReport {
    std::vector<FeatureDrift> features;
    int testsCorrected = 0;         // m of the Bonferroni correction
    double alpha = 0.05;
    bool drift = false;             // any feature drifted
    QStringList driftedFeatures;

    QJsonObject toJson() const;     // {"drift", "drifted_features", "correction", "features": [...]}
};

// Compares each feature; `options.test` forces one test for all.
DriftReport compareFeatures(const std::vector<FeatureInput> &features, const DriftOptions &options = {});

// The comparison of one feature before the correction (pValueAdjusted unset, verdict provisional).
FeatureDrift compareFeature(const FeatureInput &feature, const DriftOptions &options);

// The threshold, effect size and provisional verdict of a feature whose test, statistic, p-value
// and counts are set — the one rule of both the batch report and live windows: a p-value test's
// effect is `effectOfChange()` (Jensen–Shannon of the cells for categories, the normed Wasserstein
// distance for numbers), a distance test's is its statistic.
void decideDrift(FeatureDrift &d, bool categorical, const std::function<double()> &effectOfChange, const DriftOptions &options);

// Bonferroni over the report's features that have a p-value, then each verdict and the report's
// summary (compareFeatures ends with it; live windows use it on their binned comparisons).
void applyCorrection(DriftReport &report, const DriftOptions &options);

// What the normed Wasserstein distance must reach to count as an effect between nRef and nCur
// values: max(minimum, 5 sqrt(1/nRef + 1/nCur)) (the .cpp says why).
double wassersteinEffectThreshold(double minimum, qint64 nRef, qint64 nCur);

// The reference standard deviation the Wasserstein distance is normed by (Evidently's floor for
// constant references).
double wassersteinNorm(double referenceStd);

} // namespace orrery::monitor
