#include "core/train/evaluation.h"

#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace orrery::train {

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kEps = std::numeric_limits<double>::epsilon();

// Indices by descending score, stable, for the curve-based statistics.
std::vector<size_t> byScoreDescending(const std::vector<double> &scores)
{
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    return order;
}

QJsonObject mapToJson(const MetricMap &m)
{
    QJsonObject o;
    for (auto it = m.begin(); it != m.end(); ++it)
        o.insert(it.key(), std::isfinite(it.value()) ? QJsonValue(it.value()) : QJsonValue());
    return o;
}
} // namespace

double rocAuc(const std::vector<double> &scores, const std::vector<int> &positive)
{
    // Mann–Whitney U with average ranks for ties: exactly roc_auc_score's trapezoidal area.
    const size_t n = scores.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    double rankSumPos = 0.0;
    double nPos = 0.0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            ++j;
        const double rank = (double(i) + double(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            if (positive[order[k]]) {
                rankSumPos += rank;
                nPos += 1.0;
            }
        i = j + 1;
    }
    const double nNeg = double(n) - nPos;
    if (nPos == 0.0 || nNeg == 0.0)
        return kNaN;
    return (rankSumPos - nPos * (nPos + 1.0) / 2.0) / (nPos * nNeg);
}

double averagePrecision(const std::vector<double> &scores, const std::vector<int> &positive)
{
    // AP = Σ (R_k − R_{k−1}) · P_k over distinct thresholds, highest first.
    const auto order = byScoreDescending(scores);
    double totalPos = 0.0;
    for (int p : positive)
        totalPos += p ? 1.0 : 0.0;
    if (totalPos == 0.0)
        return kNaN;
    double tp = 0.0, fp = 0.0, prevRecall = 0.0, ap = 0.0;
    size_t i = 0;
    while (i < order.size()) {
        size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]]) {
            if (positive[order[j]]) tp += 1.0; else fp += 1.0;
            ++j;
        }
        const double recall = tp / totalPos;
        const double precision = tp / (tp + fp);
        ap += (recall - prevRecall) * precision;
        prevRecall = recall;
        i = j;
    }
    return ap;
}

double expectedCalibrationError(const std::vector<double> &confidence, const std::vector<int> &correct, int bins)
{
    std::vector<double> sumConf(size_t(bins), 0.0), sumCorrect(size_t(bins), 0.0), count(size_t(bins), 0.0);
    for (size_t i = 0; i < confidence.size(); ++i) {
        int b = int(confidence[i] * bins);
        b = std::clamp(b, 0, bins - 1);
        sumConf[size_t(b)] += confidence[i];
        sumCorrect[size_t(b)] += correct[i] ? 1.0 : 0.0;
        count[size_t(b)] += 1.0;
    }
    double ece = 0.0;
    const double n = double(confidence.size());
    for (int b = 0; b < bins; ++b)
        if (count[size_t(b)] > 0)
            ece += count[size_t(b)] / n * std::abs(sumCorrect[size_t(b)] / count[size_t(b)] - sumConf[size_t(b)] / count[size_t(b)]);
    return n > 0 ? ece : kNaN;
}

MetricMap classificationMetrics(const std::vector<double> &prob, int classes, const std::vector<int> &labels)
{
    MetricMap m;
    const size_t n = labels.size();
    m.insert(QStringLiteral("rows"), double(n));
    if (n == 0)
        return m;
    std::vector<int> predicted(n);
    double logLoss = 0.0, correct = 0.0;
    for (size_t i = 0; i < n; ++i) {
        const double *row = prob.data() + i * size_t(classes);
        int best = 0;
        if (classes == 2)
            best = row[1] > 0.5 ? 1 : 0;
        else
            for (int k = 1; k < classes; ++k)
                if (row[k] > row[best]) best = k;
        predicted[i] = best;
        correct += best == labels[i] ? 1.0 : 0.0;
        // sklearn normalises each row, then clips.
        double sum = 0.0;
        for (int k = 0; k < classes; ++k) sum += std::clamp(row[k], kEps, 1.0 - kEps);
        logLoss -= std::log(std::clamp(row[labels[i]], kEps, 1.0 - kEps) / sum);
    }
    m.insert(QStringLiteral("accuracy"), correct / double(n));
    m.insert(QStringLiteral("log_loss"), logLoss / double(n));

    auto prf = [&](int cls, double *p, double *r, double *f) {
        double tp = 0, fp = 0, fn = 0;
        for (size_t i = 0; i < n; ++i) {
            if (predicted[i] == cls && labels[i] == cls) tp += 1;
            else if (predicted[i] == cls) fp += 1;
            else if (labels[i] == cls) fn += 1;
        }
        *p = tp + fp > 0 ? tp / (tp + fp) : 0.0;
        *r = tp + fn > 0 ? tp / (tp + fn) : 0.0;
        *f = (*p + *r) > 0 ? 2 * *p * *r / (*p + *r) : 0.0;
    };
    auto curves = [&](int cls, double *auc, double *ap) {
        std::vector<double> s(n);
        std::vector<int> pos(n);
        for (size_t i = 0; i < n; ++i) {
            s[i] = prob[i * size_t(classes) + size_t(cls)];
            pos[i] = labels[i] == cls;
        }
        *auc = rocAuc(s, pos);
        *ap = averagePrecision(s, pos);
    };
    std::vector<double> conf(n);
    std::vector<int> hit(n);
    if (classes == 2) {
        double p, r, f, auc, ap;
        prf(1, &p, &r, &f);
        curves(1, &auc, &ap);
        m.insert(QStringLiteral("precision"), p);
        m.insert(QStringLiteral("recall"), r);
        m.insert(QStringLiteral("f1"), f);
        m.insert(QStringLiteral("roc_auc"), auc);
        m.insert(QStringLiteral("pr_auc"), ap);
        // Binary calibration: P(positive) against the positive outcome (reliability diagram).
        for (size_t i = 0; i < n; ++i) {
            conf[i] = prob[i * 2 + 1];
            hit[i] = labels[i] == 1;
        }
    } else {
        double sp = 0, sr = 0, sf = 0, sauc = 0, sap = 0;
        bool aucDefined = true;
        for (int k = 0; k < classes; ++k) {
            double p, r, f, auc, ap;
            prf(k, &p, &r, &f);
            curves(k, &auc, &ap);
            sp += p; sr += r; sf += f;
            if (std::isnan(auc)) aucDefined = false;
            sauc += auc; sap += std::isnan(ap) ? 0.0 : ap;
        }
        m.insert(QStringLiteral("precision"), sp / classes);
        m.insert(QStringLiteral("recall"), sr / classes);
        m.insert(QStringLiteral("f1"), sf / classes);
        m.insert(QStringLiteral("roc_auc"), aucDefined ? sauc / classes : kNaN);
        m.insert(QStringLiteral("pr_auc"), sap / classes);
        for (size_t i = 0; i < n; ++i) {
            conf[i] = prob[i * size_t(classes) + size_t(predicted[i])];
            hit[i] = predicted[i] == labels[i];
        }
    }
    m.insert(QStringLiteral("calibration_error"), expectedCalibrationError(conf, hit));
    return m;
}

MetricMap regressionMetrics(const std::vector<double> &pred, const std::vector<double> &y)
{
    MetricMap m;
    const size_t n = y.size();
    m.insert(QStringLiteral("rows"), double(n));
    if (n == 0)
        return m;
    double ae = 0, se = 0, ape = 0, mean = 0;
    for (size_t i = 0; i < n; ++i) {
        const double d = pred[i] - y[i];
        ae += std::abs(d);
        se += d * d;
        ape += std::abs(d) / std::max(std::abs(y[i]), kEps);
        mean += y[i];
    }
    mean /= double(n);
    double ss = 0;
    for (size_t i = 0; i < n; ++i)
        ss += (y[i] - mean) * (y[i] - mean);
    m.insert(QStringLiteral("mae"), ae / double(n));
    m.insert(QStringLiteral("rmse"), std::sqrt(se / double(n)));
    m.insert(QStringLiteral("mape"), ape / double(n));
    m.insert(QStringLiteral("r2"), ss > 0 ? 1.0 - se / ss : kNaN);
    return m;
}

QJsonObject Evaluation::toJson() const
{
    QJsonObject o{{QStringLiteral("overall"), mapToJson(overall)}};
    if (!sliceColumn.isEmpty()) {
        QJsonObject s;
        for (auto it = slices.begin(); it != slices.end(); ++it)
            s.insert(it.key(), mapToJson(it.value()));
        o.insert(QStringLiteral("slice_column"), sliceColumn);
        o.insert(QStringLiteral("slices"), s);
    }
    return o;
}

Evaluation evaluateClassification(const std::vector<double> &prob, int classes, const std::vector<int> &labels,
                                  const QStringList &slices, const QString &sliceColumn)
{
    Evaluation e;
    e.overall = classificationMetrics(prob, classes, labels);
    e.sliceColumn = sliceColumn;
    if (slices.size() == int(labels.size()) && !sliceColumn.isEmpty()) {
        QMap<QString, std::vector<size_t>> rows;
        for (size_t i = 0; i < labels.size(); ++i)
            rows[slices[int(i)]].push_back(i);
        for (auto it = rows.begin(); it != rows.end(); ++it) {
            std::vector<double> p;
            std::vector<int> l;
            for (size_t i : it.value()) {
                p.insert(p.end(), prob.begin() + long(i) * classes, prob.begin() + long(i + 1) * classes);
                l.push_back(labels[i]);
            }
            e.slices.insert(it.key(), classificationMetrics(p, classes, l));
        }
    }
    return e;
}

Evaluation evaluateRegression(const std::vector<double> &pred, const std::vector<double> &y, const QStringList &slices,
                              const QString &sliceColumn)
{
    Evaluation e;
    e.overall = regressionMetrics(pred, y);
    e.sliceColumn = sliceColumn;
    if (slices.size() == int(y.size()) && !sliceColumn.isEmpty()) {
        QMap<QString, std::vector<size_t>> rows;
        for (size_t i = 0; i < y.size(); ++i)
            rows[slices[int(i)]].push_back(i);
        for (auto it = rows.begin(); it != rows.end(); ++it) {
            std::vector<double> p, a;
            for (size_t i : it.value()) {
                p.push_back(pred[i]);
                a.push_back(y[i]);
            }
            e.slices.insert(it.key(), regressionMetrics(p, a));
        }
    }
    return e;
}

} // namespace orrery::train
