#include "core/stages/binary_metrics.h"

#include <QString>

#include <algorithm>

namespace orrery::stages {

BinaryMetrics scoreBinary(const std::vector<double> &scores, const std::vector<int> &labels, double threshold)
{
    const size_t n = scores.size();
    qint64 tp = 0, fp = 0, tn = 0, fn = 0;
    QJsonArray confusion;
    for (size_t i = 0; i < n; ++i) {
        const int pred = scores[i] >= threshold ? 1 : 0;
        if (pred && labels[i]) ++tp;
        else if (pred && !labels[i]) ++fp;
        else if (!pred && labels[i]) ++fn;
        else ++tn;
        confusion.append(QJsonObject{{QStringLiteral("actual"), QString::number(labels[i])}, {QStringLiteral("predicted"), QString::number(pred)}});
    }
    const qint64 positives = tp + fn, negatives = tn + fp;
    // Curves: sweep thresholds from the highest score down, one point per distinct score.
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    struct Point { double fpr, tpr, precision, recall, threshold; };
    std::vector<Point> points;
    points.push_back({0, 0, 1, 0, 1.0});
    double auc = 0, ap = 0, prevFpr = 0, prevTpr = 0, prevRecall = 0;
    qint64 ctp = 0, cfp = 0;
    for (size_t k = 0; k < n; ++k) {
        const size_t i = order[k];
        (labels[i] ? ctp : cfp)++;
        if (k + 1 < n && scores[order[k + 1]] == scores[i])
            continue;
        const double tpr = positives ? double(ctp) / double(positives) : 0;
        const double fpr = negatives ? double(cfp) / double(negatives) : 0;
        const double precision = double(ctp) / double(ctp + cfp);
        auc += (fpr - prevFpr) * (tpr + prevTpr) / 2.0;
        ap += (tpr - prevRecall) * precision;
        prevFpr = fpr;
        prevTpr = tpr;
        prevRecall = tpr;
        points.push_back({fpr, tpr, precision, tpr, scores[i]});
    }
    // At most ~200 points per curve, always keeping both ends.
    const size_t stride = std::max<size_t>(1, points.size() / 200);
    QJsonArray roc, pr;
    for (size_t k = 0; k < points.size(); k += stride) {
        const auto &p = points[k];
        roc.append(QJsonObject{{QStringLiteral("fpr"), p.fpr}, {QStringLiteral("tpr"), p.tpr}, {QStringLiteral("threshold"), p.threshold}});
        pr.append(QJsonObject{{QStringLiteral("recall"), p.recall}, {QStringLiteral("precision"), p.precision}, {QStringLiteral("threshold"), p.threshold}});
        if (k + stride >= points.size() && k != points.size() - 1) {
            const auto &last = points.back();
            roc.append(QJsonObject{{QStringLiteral("fpr"), last.fpr}, {QStringLiteral("tpr"), last.tpr}, {QStringLiteral("threshold"), last.threshold}});
            pr.append(QJsonObject{{QStringLiteral("recall"), last.recall}, {QStringLiteral("precision"), last.precision}, {QStringLiteral("threshold"), last.threshold}});
        }
    }
    const double precision = tp + fp ? double(tp) / double(tp + fp) : 0.0;
    const double recall = positives ? double(tp) / double(positives) : 0.0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    QJsonObject metrics{{QStringLiteral("rows"), double(n)},
                        {QStringLiteral("positives"), double(positives)},
                        {QStringLiteral("accuracy"), double(tp + tn) / double(n)},
                        {QStringLiteral("precision"), precision},
                        {QStringLiteral("recall"), recall},
                        {QStringLiteral("f1"), f1},
                        {QStringLiteral("roc_auc"), auc},
                        {QStringLiteral("average_precision"), ap},
                        {QStringLiteral("threshold"), threshold},
                        {QStringLiteral("tp"), double(tp)},
                        {QStringLiteral("fp"), double(fp)},
                        {QStringLiteral("tn"), double(tn)},
                        {QStringLiteral("fn"), double(fn)}};
    BinaryMetrics out;
    out.metrics = metrics;
    out.roc = roc;
    out.pr = pr;
    out.confusion = confusion;
    return out;
}

} // namespace orrery::stages
