#pragma once
// The metrics of a binary classifier's scores against 0/1 labels — what the evaluate stage writes
// and what the register stage compares a challenger and the champion on (the same rows): counts
// at a threshold, precision, recall, F1, accuracy, ROC AUC (trapezoid over the distinct scores)
// and average precision (the step sum over recall), with ROC and PR curves of at most ~200 points.

#include <QJsonArray>
#include <QJsonObject>

#include <vector>

namespace orrery::stages {

struct BinaryMetrics {
    QJsonObject metrics; // rows, positives, accuracy, precision, recall, f1, roc_auc, average_precision, threshold, tp, fp, tn, fn
    QJsonArray roc;      // {fpr, tpr, threshold}
    QJsonArray pr;       // {recall, precision, threshold}
    QJsonArray confusion; // one {actual, predicted} per row
};

// scores and labels have the same, non-zero size.
BinaryMetrics scoreBinary(const std::vector<double> &scores, const std::vector<int> &labels, double threshold);

} // namespace orrery::stages
