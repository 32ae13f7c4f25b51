#pragma once
// Evaluation statistics, defined as scikit-learn defines them (its functions are the tests'
// oracle), on plain vectors — torch-free, so registry gates and monitoring can use them too.
//
// Classification (binary: the positive class is class 1, threshold 0.5; multiclass: macro
// averages, ROC-AUC one-vs-rest):
//   accuracy, precision, recall, f1          sklearn.metrics.*_score (zero_division=0)
//   roc_auc                                  roc_auc_score (ties get the average rank)
//   pr_auc                                   average_precision_score (step-wise, not trapezoid)
//   log_loss                                 log_loss (probabilities clipped to [eps, 1-eps],
//                                            eps = 2.22e-16 as sklearn 1.2's float64 "auto")
//   calibration_error                        expected calibration error: 10 equal-width bins of
//                                            the predicted (top-class) probability,
//                                            Σ |bin|/n · |mean(outcome) − mean(probability)|
// Regression: mae, rmse, mape (|y − ŷ| / max(|y|, eps), as mean_absolute_percentage_error), r2.
//
// A statistic that is undefined (ROC-AUC of a slice with one class) is NaN; JSON writes null.

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace orrery::train {

using MetricMap = QMap<QString, double>;

// `probabilities`: rows × classes, row-major (binary: 2 columns, P(class 0), P(class 1)).
// `labels`: class indices.
MetricMap classificationMetrics(const std::vector<double> &probabilities, int classes, const std::vector<int> &labels);
MetricMap regressionMetrics(const std::vector<double> &predicted, const std::vector<double> &actual);

double rocAuc(const std::vector<double> &scores, const std::vector<int> &positive);
double averagePrecision(const std::vector<double> &scores, const std::vector<int> &positive);
double expectedCalibrationError(const std::vector<double> &confidence, const std::vector<int> &correct, int bins = 10);

struct Evaluation {
    MetricMap overall;
    QMap<QString, MetricMap> slices; // slice value → the same statistics on its rows
    QString sliceColumn;
    QJsonObject toJson() const;
};

Evaluation evaluateClassification(const std::vector<double> &probabilities, int classes, const std::vector<int> &labels,
                                  const QStringList &slices = {}, const QString &sliceColumn = {});
Evaluation evaluateRegression(const std::vector<double> &predicted, const std::vector<double> &actual,
                              const QStringList &slices = {}, const QString &sliceColumn = {});

} // namespace orrery::train
