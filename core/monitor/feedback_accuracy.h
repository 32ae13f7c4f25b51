#pragma once
// FeedbackAccuracy: how well each model version predicted, from the delayed labels — the
// `feedback` rows matched to the prediction log (feedback.prediction_id → predictions.id, both
// migration 11). A reader: torch-free, no state of its own, so the Monitoring area (on its worker
// thread) and the CLI compute the same figures the same way.
//
// What is scored: each labelled row of a logged prediction, in the span [from, to) of the
// *prediction's* time (how the model did on the traffic of that time, whenever the label came).
// A row labelled twice counts once, with its newest label (a correction replaces the first).
//   - classifiers (the first output is not named "prediction"): the row's scores are the first
//     output's values — two or more: class probabilities, a row's predicted class is its argmax;
//     one: the score of class 1, predicted 1 when >= the threshold. The label is label_number (a
//     label_text that reads as a number counts as that number). Binary (width <= 2): accuracy,
//     precision, recall and F1 for class 1 at `threshold` (0.5) on the score of class 1, and
//     ROC-AUC (the Mann–Whitney statistic with ties counted a half: the trapezoid under the ROC
//     curve, scikit-learn's roc_auc_score). More classes: accuracy only (the rest are NaN).
//     Labels that name no class of the output (2 for a binary model, -1, 0.5, text such as
//     "fraud": the class names are the model's signature's, which this reader does not look up)
//     are skipped and counted.
//   - regressors (the first output is named "prediction", as core/train exports them): MAE and
//     RMSE of the row's first value against label_number.
// A figure that is undefined is NaN: precision with no positive prediction, recall and ROC-AUC
// with no positive label, ROC-AUC with no negative one.
//
// Cost: one indexed pass over the endpoint's labels received since `from` (feedback_endpoint_time),
// each joined to its prediction by primary key; outputs are read by a small scanner of the log's
// own JSON, not a JSON document per row.
//
// Threads: a FeedbackAccuracy uses the Database it was given, on that Database's thread.

#include "core/common/status.h"

#include <QString>
#include <QVector>

#include <vector>

namespace orrery::store {
class Database;
}

namespace orrery::monitor {

struct AccuracyFigures {
    QString version;         // the prediction's model version ("2")
    qint64 from = 0;         // the span, ms since the epoch (prediction time), [from, to)
    qint64 to = 0;
    qint64 labels = 0;       // labelled rows scored
    qint64 skipped = 0;      // labelled rows that could not be scored (see above)
    bool classifier = true;
    int classes = 2;         // classifiers: the output's width (1 counts as 2)
    qint64 positives = 0;    // binary: rows labelled 1
    double accuracy = qQNaN();
    double precision = qQNaN();
    double recall = qQNaN();
    double f1 = qQNaN();
    double rocAuc = qQNaN();
    double mae = qQNaN();    // regressors
    double rmse = qQNaN();
};

// One labelled row as scored (the unit the figures are computed from; tests build them by hand).
struct ScoredRow {
    std::vector<double> outputs; // the row of the first output
    double label = 0;
};

class FeedbackAccuracy {
public:
    static constexpr double kDefaultThreshold = 0.5;

    explicit FeedbackAccuracy(store::Database &db, double threshold = kDefaultThreshold);

    // Per version over [fromMs, toMs), ordered by version (numerically).
    Result<QVector<AccuracyFigures>> rolling(const QString &endpoint, qint64 fromMs, qint64 toMs);
    // Per version and bucket: the buckets [fromMs + i·bucketMs, fromMs + (i+1)·bucketMs) before
    // toMs that hold a label, ordered by version then time.
    Result<QVector<AccuracyFigures>> series(const QString &endpoint, qint64 fromMs, qint64 toMs, qint64 bucketMs);

    // Both from one pass over the labels (what a dashboard shows together).
    Status rollingAndSeries(const QString &endpoint, qint64 fromMs, qint64 toMs, qint64 bucketMs, QVector<AccuracyFigures> &rolling,
                            QVector<AccuracyFigures> &series);

    // The figures of `rows` (all of one version); `regressor` picks MAE/RMSE.
    static AccuracyFigures compute(const std::vector<ScoredRow> &rows, bool regressor, double threshold = kDefaultThreshold);
    // ROC-AUC of `scores` for 0/1 `labels` (ties count a half); NaN without both classes.
    static double rocAuc(const std::vector<double> &scores, const std::vector<int> &labels);

private:
    struct Labelled;
    Result<std::vector<Labelled>> read(const QString &endpoint, qint64 fromMs, qint64 toMs);
    QVector<AccuracyFigures> group(const std::vector<Labelled> &rows, qint64 fromMs, qint64 toMs, qint64 bucketMs) const;
    static AccuracyFigures computeRows(const std::vector<const ScoredRow *> &rows, bool regressor, double threshold);

    store::Database &m_db;
    double m_threshold;
};

} // namespace orrery::monitor
