#include "core/monitor/drift_report_html.h"

#include "core/common/clock.h"
#include "core/monitor/drift_statistics.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace orrery::monitor {

namespace {

constexpr int kBins = 20;
constexpr int kMaxCategories = 20;
constexpr int kWidth = 420, kHeight = 140;

QString esc(const QString &s) { return s.toHtmlEscaped(); }

QString num(double v, int precision = 4)
{
    if (std::isnan(v))
        return QStringLiteral("–");
    return QString::number(v, 'g', precision);
}

// Two bar series (reference grey, current orange) of shares, side by side per cell.
QString barsSvg(const std::vector<double> &ref, const std::vector<double> &cur, const QStringList &labels)
{
    const size_t n = ref.size();
    double top = 0;
    for (size_t i = 0; i < n; ++i)
        top = std::max({top, ref[i], cur[i]});
    if (top <= 0)
        top = 1;
    const double slot = double(kWidth) / double(std::max<size_t>(n, 1));
    QString svg = QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" role=\"img\">").arg(kWidth).arg(kHeight + 16);
    for (size_t i = 0; i < n; ++i) {
        const double x = slot * double(i);
        const double hr = (kHeight - 4) * ref[i] / top, hc = (kHeight - 4) * cur[i] / top;
        const QString title = labels.isEmpty() ? QString() : QStringLiteral("<title>%1: reference %2, current %3</title>").arg(esc(labels[int(i)]), num(ref[i], 3), num(cur[i], 3));
        svg += QStringLiteral("<g>%1<rect x=\"%2\" y=\"%3\" width=\"%4\" height=\"%5\" fill=\"#9aa4b1\"/>"
                              "<rect x=\"%6\" y=\"%7\" width=\"%4\" height=\"%8\" fill=\"#e8762d\" fill-opacity=\"0.85\"/></g>")
                   .arg(title, num(x + slot * 0.05, 6), num(kHeight - hr, 6), num(slot * 0.45, 6), num(hr, 6), num(x + slot * 0.5, 6), num(kHeight - hc, 6), num(hc, 6));
    }
    svg += QStringLiteral("<line x1=\"0\" y1=\"%1\" x2=\"%2\" y2=\"%1\" stroke=\"#444\"/>").arg(kHeight).arg(kWidth);
    if (!labels.isEmpty() && labels.size() <= 12)
        for (int i = 0; i < labels.size(); ++i)
            svg += QStringLiteral("<text x=\"%1\" y=\"%2\" font-size=\"9\" text-anchor=\"middle\">%3</text>")
                       .arg(num(slot * (i + 0.5), 6)).arg(kHeight + 12).arg(esc(labels[i].left(10)));
    return svg + QStringLiteral("</svg>");
}

QString numericChart(const FeatureSample &ref, const FeatureSample &cur)
{
    const auto &a = ref.sorted(), &b = cur.sorted();
    double lo = std::min(sortedQuantile(a, 0.01), sortedQuantile(b, 0.01));
    double hi = std::max(sortedQuantile(a, 0.99), sortedQuantile(b, 0.99));
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    auto shares = [&](const std::vector<double> &v) {
        std::vector<double> s(kBins, 0.0);
        for (double x : v) {
            int bin = int(std::floor((x - lo) / (hi - lo) * kBins));
            s[size_t(std::clamp(bin, 0, kBins - 1))] += 1.0;
        }
        for (double &x : s)
            x /= double(v.size());
        return s;
    };
    return barsSvg(shares(a), shares(b), {}) + QStringLiteral("<div class=\"axis\">%1 … %2</div>").arg(num(lo), num(hi));
}

QString categoricalChart(const FeatureSample &ref, const FeatureSample &cur)
{
    std::vector<std::pair<qint64, QString>> order;
    for (const auto &[name, count] : ref.categoryCounts())
        order.emplace_back(-count, name);
    std::sort(order.begin(), order.end());
    if (order.size() > size_t(kMaxCategories))
        order.resize(kMaxCategories);
    std::vector<double> r, c;
    QStringList labels;
    for (const auto &[negCount, name] : order) {
        r.push_back(double(-negCount) / double(ref.count()));
        const auto it = cur.categoryCounts().find(name);
        c.push_back(it == cur.categoryCounts().end() ? 0.0 : double(it->second) / double(cur.count()));
        labels << name;
    }
    qint64 unseen = 0;
    for (const auto &[name, count] : cur.categoryCounts())
        if (!ref.categoryCounts().count(name))
            unseen += count;
    if (unseen > 0) {
        r.push_back(0.0);
        c.push_back(double(unseen) / double(cur.count()));
        labels << QStringLiteral("(unseen)");
    }
    return barsSvg(r, c, labels);
}

} // namespace

QByteArray driftReportHtml(const DriftHtmlInput &input)
{
    const DriftReport &report = *input.report;
    QString html;
    html += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift report</title>\n<style>"
                           "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
                           "td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}.drift{color:#c0392b;font-weight:bold}"
                           ".ok{color:#2e7d32}.axis{font-size:11px;color:#666}.feature{display:inline-block;margin:1em 2em 1em 0;vertical-align:top}"
                           ".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}</style></head><body>\n");
    html += QStringLiteral("<h1>Drift report</h1>\n<p>Reference <code>%1</code> (%2 rows) against current <code>%3</code> (%4 rows), %5.</p>\n")
                .arg(esc(input.referencePath)).arg(input.referenceRows).arg(esc(input.currentPath)).arg(input.currentRows)
                .arg(common::Clock::system().now().toString(Qt::ISODate));
    html += report.drift ? QStringLiteral("<p class=\"drift\">Drift in %1 of %2 features: %3.</p>\n")
                               .arg(report.driftedFeatures.size()).arg(report.features.size()).arg(esc(report.driftedFeatures.join(QStringLiteral(", "))))
                         : QStringLiteral("<p class=\"ok\">No drift in %1 features.</p>\n").arg(report.features.size());
    html += QStringLiteral("<p>p-values are Bonferroni-corrected over %1 tests (α = %2); a test reports drift only when its effect size also reaches its threshold.</p>\n")
                .arg(report.testsCorrected).arg(report.alpha);
    html += QStringLiteral("<table><tr><th>feature</th><th>type</th><th>test</th><th>statistic</th><th>p-value (adj.)</th><th>threshold</th>"
                           "<th>effect size</th><th>missing ref / cur</th><th>verdict</th></tr>\n");
    for (const FeatureDrift &f : report.features) {
        const bool noData = f.status == QLatin1String("no_data");
        html += QStringLiteral("<tr><td>%1%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td><td>%8</td><td>%9</td><td class=\"%10\">%11</td></tr>\n")
                    .arg(esc(f.name), f.role == QLatin1String("label") ? QStringLiteral(" (label)") : QString(),
                         f.kind == FeatureKind::Numeric ? QStringLiteral("numeric") : QStringLiteral("categorical"),
                         QLatin1String(driftTestName(f.test)), noData ? QStringLiteral("–") : num(f.statistic),
                         f.pValueAdjusted ? num(*f.pValueAdjusted) : QStringLiteral("–"), num(f.threshold, 3),
                         noData ? QStringLiteral("–") : QStringLiteral("%1 (%2)").arg(num(f.effectSize), esc(f.effectMeasure)),
                         QStringLiteral("%1% / %2%").arg(num(100 * f.referenceMissingShare, 3), num(100 * f.currentMissingShare, 3)))
                    .arg(f.drift ? QStringLiteral("drift") : QStringLiteral("ok"), esc(f.status));
    }
    html += QStringLiteral("</table>\n");
    for (const QString &s : input.skipped)
        html += QStringLiteral("<p>Skipped %1</p>\n").arg(esc(s));
    html += QStringLiteral("<h2>Distributions</h2><p class=\"legend\"><span style=\"background:#9aa4b1\"></span>reference"
                           "<span style=\"background:#e8762d\"></span>current (shares)</p>\n");
    for (size_t i = 0; i < report.features.size() && i < input.samples.size(); ++i) {
        const FeatureDrift &f = report.features[i];
        const auto [ref, cur] = input.samples[i];
        html += QStringLiteral("<div class=\"feature\"><h3 class=\"%1\">%2</h3>").arg(f.drift ? QStringLiteral("drift") : QStringLiteral("ok"), esc(f.name));
        if (ref->count() == 0 || cur->count() == 0)
            html += QStringLiteral("<p>no values on one side</p>");
        else
            html += f.kind == FeatureKind::Numeric ? numericChart(*ref, *cur) : categoricalChart(*ref, *cur);
        if (!f.unseenCategories.isEmpty())
            html += QStringLiteral("<p>unseen categories (%1% of current): %2</p>").arg(num(100 * f.unseenShare, 3), esc(f.unseenCategories.mid(0, 20).join(QStringLiteral(", "))));
        if (!f.vanishedCategories.isEmpty())
            html += QStringLiteral("<p>vanished categories: %1</p>").arg(esc(f.vanishedCategories.mid(0, 20).join(QStringLiteral(", "))));
        html += QStringLiteral("</div>\n");
    }
    html += QStringLiteral("</body></html>\n");
    return html.toUtf8();
}

} // namespace orrery::monitor
