#pragma once
// BaselineModel: logistic regression on standardized numeric columns and one-hot categories,
// trained by full-batch gradient descent with balanced class weights. It is the `train` stage's
// stand-in until the Training issue's LibTorch trainer lands — named "baseline_logistic"
// everywhere it appears (model kind, run params, logs) so no one mistakes it for the real thing.

#include "core/common/status.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <string>
#include <vector>

namespace orrery::stages {

struct BaselineFeature {
    QString name;
    bool categorical = false;
    double mean = 0.0, stddev = 1.0; // numeric
    QStringList values;              // categorical: one weight per value
};

struct BaselineOptions {
    int epochs = 200;
    double learningRate = 0.5;
    double l2 = 1e-4;
    quint64 seed = 42;
    int maxCategories = 20;
    QStringList features; // empty: every usable column but the label
};

class BaselineModel {
public:
    static constexpr const char *kKind = "orrery.baseline_logistic";

    QString label;
    std::vector<BaselineFeature> features;
    std::vector<double> weights; // one per encoded input
    double bias = 0.0;
    qint64 trainRows = 0;
    double finalLoss = 0.0;

    static Result<BaselineModel> train(const QStringList &columns, const std::vector<std::vector<std::string>> &rows, const QString &label,
                                       const BaselineOptions &options, const std::function<bool()> &cancelled,
                                       const std::function<void(const QString &)> &log);
    Result<std::vector<double>> predict(const QStringList &columns, const std::vector<std::vector<std::string>> &rows) const;

    QByteArray toJson() const;
    static Result<BaselineModel> fromJson(const QByteArray &json);
};

} // namespace orrery::stages
