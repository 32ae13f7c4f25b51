// MonitoringArea: a snapshot into the charts, tables and labels (the rest is monitoring_area.cpp).
#include "ui/monitoring/monitoring_area.h"

#include "ui/common/stat_format.h"
#include "ui/monitoring/alerts_panel.h"
#include "ui/monitoring/distribution_chart.h"
#include "ui/monitoring/drift_heatmap.h"
#include "ui/monitoring/time_series_chart.h"

#include <QComboBox>
#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabBar>
#include <QTimer>
#include <QTabWidget>
#include <QTreeWidget>

#include <algorithm>
#include <cmath>

namespace orrery::ui {
namespace {

const QColor kThroughput(0x2f, 0x6f, 0xb3);
const QColor kP50(0x2f, 0x6f, 0xb3);
const QColor kP99(0xd9, 0x6c, 0x1e);
const QColor kEffect(0x2f, 0x6f, 0xb3);
const QColor kThreshold(0x80, 0x80, 0x80);
const QColor kAlarm(0xd9, 0x35, 0x30);
const QList<QColor> kVersionColors{QColor(0x2f, 0x6f, 0xb3), QColor(0xd9, 0x6c, 0x1e), QColor(0x3a, 0x9a, 0x4a), QColor(0x8e, 0x44, 0xad),
                                   QColor(0x7f, 0x7f, 0x7f), QColor(0xb8, 0x86, 0x0b)};

QString clock(qint64 ms, bool seconds = false)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    const QString time = t.toString(seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
    return t.date() == QDate::currentDate() ? time : t.toString(QStringLiteral("yyyy-MM-dd ")) + time;
}

QString duration(qint64 ms)
{
    if (ms % (3600LL * 1000) == 0)
        return QStringLiteral("%1 h").arg(ms / (3600LL * 1000));
    if (ms % 60000 == 0)
        return QStringLiteral("%1 min").arg(ms / 60000);
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 ms").arg(ms);
}

QString figure(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("—");
    const double a = std::abs(v);
    if (a != 0 && a < 1e-3)
        return QString::number(v, 'e', 2);
    return QString::number(v, 'g', 3);
}

QString metricText(double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("—"); }

QString share(double v) { return statformat::percent(v); }

QString testLine(const DriftCell &c)
{
    if (!c.present)
        return QString();
    const QString verdict = c.alarm ? QObject::tr("<b style='color:#c62828'>in alarm</b>")
                          : c.drifted ? QObject::tr("drifted this window, not in alarm yet")
                          : c.status == QLatin1String("no_data") || c.status == QLatin1String("insufficient") ? QObject::tr("no verdict (%1)").arg(c.status)
                                                                                                              : QObject::tr("no drift");
    return QObject::tr("%1: statistic %2, p-value %3 (threshold %4); effect %5 (threshold %6) — %7")
        .arg(c.test.isEmpty() ? QStringLiteral("—") : c.test, figure(c.statistic), figure(c.pValue), figure(c.threshold), figure(c.effect),
             figure(c.effectThreshold), verdict);
}

QTreeWidgetItem *addRow(QTreeWidget *table, const QStringList &cells)
{
    auto *item = new QTreeWidgetItem(table, cells);
    for (int c = 1; c < cells.size(); ++c)
        item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

// The accuracy metrics the Metric box offers: (key, title) for classifiers, then regressors.
const QList<std::pair<QString, QString>> &classifierMetrics()
{
    static const QList<std::pair<QString, QString>> m{{QStringLiteral("accuracy"), QObject::tr("Accuracy")},
                                                     {QStringLiteral("roc_auc"), QObject::tr("ROC-AUC")},
                                                     {QStringLiteral("f1"), QObject::tr("F1")},
                                                     {QStringLiteral("precision"), QObject::tr("Precision")},
                                                     {QStringLiteral("recall"), QObject::tr("Recall")}};
    return m;
}
const QList<std::pair<QString, QString>> &regressorMetrics()
{
    static const QList<std::pair<QString, QString>> m{{QStringLiteral("mae"), QObject::tr("MAE")}, {QStringLiteral("rmse"), QObject::tr("RMSE")}};
    return m;
}

double metricOf(const monitor::AccuracyFigures &f, const QString &key)
{
    if (key == QLatin1String("accuracy"))
        return f.accuracy;
    if (key == QLatin1String("roc_auc"))
        return f.rocAuc;
    if (key == QLatin1String("f1"))
        return f.f1;
    if (key == QLatin1String("precision"))
        return f.precision;
    if (key == QLatin1String("recall"))
        return f.recall;
    if (key == QLatin1String("mae"))
        return f.mae;
    if (key == QLatin1String("rmse"))
        return f.rmse;
    return qQNaN();
}

QString versionLabel(const QString &version)
{
    bool number = false;
    version.toInt(&number);
    return number ? QStringLiteral("v") + version : version;
}

} // namespace

void MonitoringArea::apply(const MonitoringSnapshot &snap)
{
    if (!snap.dataRead) {
        // No window closed: the alerts and the servers are new, and the accuracy when labels came.
        m_snapshot.stamp = snap.stamp;
        m_snapshot.dataRead = false;
        m_snapshot.accuracyRead = snap.accuracyRead;
        m_snapshot.servers = snap.servers;
        m_snapshot.alerts = snap.alerts;
        if (snap.accuracyRead) {
            m_snapshot.labelStamp = snap.labelStamp;
            m_snapshot.accuracyBucketMs = snap.accuracyBucketMs;
            m_snapshot.accuracy = snap.accuracy;
            m_snapshot.accuracySeries = snap.accuracySeries;
            applyAccuracy();
        }
        applyAlerts();
        updateStatus();
        updatePollInterval();
        return;
    }
    ++m_dataReads;
    const MonitoringSnapshot previous = m_snapshot;
    m_snapshot = snap;
    if (!snap.accuracyRead) { // the query's shape changed (a feature, a window), not the labels
        m_snapshot.accuracyBucketMs = previous.accuracyBucketMs;
        m_snapshot.accuracy = previous.accuracy;
        m_snapshot.accuracySeries = previous.accuracySeries;
    }
    // What was shown is what stays chosen (a default feature does not jump with the next alarm).
    m_endpoint = snap.endpoint;
    m_feature = snap.feature;
    if (m_windowId && m_windowId != snap.windowId)
        m_windowId = 0; // the chosen window is gone (retention): follow the newest again
    m_updating = true;
    QStringList items;
    for (int i = 0; i < m_endpointBox->count(); ++i)
        items << m_endpointBox->itemText(i);
    if (items != snap.endpoints) {
        m_endpointBox->clear();
        m_endpointBox->addItems(snap.endpoints);
    }
    m_endpointBox->setCurrentIndex(int(snap.endpoints.indexOf(snap.endpoint)));
    m_updating = false;
    setShowingCharts(snap.windowCount > 0 || (!snap.endpoint.isEmpty() && isShowingCharts()));
    // The first read may have guessed the sizes (the charts were not laid out yet): check them
    // once the layout settles.
    m_resizeSettle->start();
    applyCharts();
    applyAccuracy();
    applyAlerts();
    updateStatus();
    updatePollInterval();
}

void MonitoringArea::applyCharts()
{
    const MonitoringSnapshot &s = m_snapshot;
    // Traffic.
    QVector<QPointF> rate, p50, p99;
    for (const TrafficPoint &p : s.traffic) {
        rate.append(QPointF(double(p.time), p.requestsPerSecond));
        p50.append(QPointF(double(p.time), p.p50Ms));
        p99.append(QPointF(double(p.time), p.p99Ms));
    }
    m_throughput->clearSeries();
    m_latency->clearSeries();
    m_throughput->setTimeRange(s.from, s.to);
    m_latency->setTimeRange(s.from, s.to);
    if (!s.traffic.isEmpty()) {
        m_throughput->setSeries(tr("requests/s"), rate, kThroughput);
        m_latency->setSeries(tr("p50"), p50, kP50);
        m_latency->setSeries(tr("p99"), p99, kP99);
    }
    const bool bucketed = s.bucketMs > s.windowMs;
    m_throughput->setTitle(bucketed ? tr("Requests per second (per %1)").arg(duration(s.bucketMs)) : tr("Requests per second"));
    m_latency->setTitle(bucketed ? tr("Latency, ms (per %1: p50 weighted by requests, largest p99)").arg(duration(s.bucketMs)) : tr("Latency, ms"));

    // The heatmap.
    m_heatmap->setData(s.heatmap);
    m_heatmap->setSelection(s.feature, s.windowId);
    m_heatmapTitle->setText(s.heatmap.windowIds.isEmpty() ? tr("<b>Drift per feature</b>")
                                                          : tr("<b>Drift per feature</b> — the newest %1 of %L2 windows (%3 each)")
                                                                .arg(s.heatmap.windowIds.size())
                                                                .arg(s.windowCount)
                                                                .arg(duration(s.windowMs)));
    fitHeatmap();

    // The feature over time: its effect, the threshold, the windows in alarm.
    m_effect->clearSeries();
    m_effect->setTimeRange(s.from, s.to);
    QVector<QPointF> effect, threshold, alarms;
    for (const EffectPoint &p : s.effect) {
        effect.append(QPointF(double(p.time), p.effect));
        threshold.append(QPointF(double(p.time), p.threshold));
        if (p.alarm)
            alarms.append(QPointF(double(p.time), std::isfinite(p.effect) ? p.effect : p.threshold));
    }
    if (!s.effect.isEmpty()) {
        m_effect->setSeries(tr("effect"), effect, kEffect);
        m_effect->setSeries(tr("threshold"), threshold, kThreshold, TimeSeriesChart::Style::Dashed);
        if (!alarms.isEmpty())
            m_effect->setSeries(tr("in alarm"), alarms, kAlarm, TimeSeriesChart::Style::Markers);
    }
    m_effect->setTitle(s.feature.isEmpty() ? tr("Drift effect") : bucketed ? tr("Drift effect of %1 (largest per %2)").arg(s.feature, duration(s.bucketMs))
                                                                          : tr("Drift effect of %1").arg(s.feature));
    m_tabs->setTabText(FeatureTab, s.feature.isEmpty() ? tr("Feature") : tr("Feature: %1").arg(s.feature));

    // The selected window.
    const bool newest = s.windowId == s.newestWindowId;
    const QString window = s.windowId ? tr("window %1–%2").arg(clock(s.windowStart, true), QDateTime::fromMSecsSinceEpoch(s.windowEnd).toString(QStringLiteral("HH:mm:ss")))
                                      : QString();
    m_windowLabel->setText(s.windowId ? (newest ? tr("Below: the newest %1").arg(window) : tr("Below: %1 (chosen)").arg(window)) : QString());
    m_newest->setEnabled(!newest && s.windowId);
    const QString reference = s.model.isEmpty() ? tr("no reference") : tr("%1 v%2").arg(s.model).arg(s.version);
    if (s.distribution.feature.isEmpty()) {
        m_distribution->clear(s.feature.isEmpty() ? QString() : tr("%1: not in this window").arg(s.feature));
        m_featureNote->clear();
    } else {
        m_distribution->setDistribution(s.distribution, tr("%1: reference (%2) vs this window").arg(s.feature, reference));
        QString note = testLine(s.distribution.cell);
        if (!s.distribution.note.isEmpty())
            note += QStringLiteral(" · ") + s.distribution.note.toHtmlEscaped();
        if (!s.windowReference.isEmpty() && s.windowReference != reference)
            note += tr(" · tested against %1; the reference bars are %2's profile").arg(s.windowReference.toHtmlEscaped(), reference.toHtmlEscaped());
        m_featureNote->setText(note);
    }
    if (s.prediction.feature.isEmpty()) {
        m_prediction->clear(tr("No \"prediction\" feature in this window"));
        m_predictionNote->setText(s.predictedClasses.isEmpty() ? tr("The serving process profiles the model's score as the feature \"prediction\".")
                                                               : tr("Predicted classes in this window: %1").arg(s.predictedClasses));
    } else {
        m_prediction->setDistribution(s.prediction, tr("The model's score: reference (%1) vs this window").arg(reference));
        QString note = testLine(s.prediction.cell);
        if (!s.predictedClasses.isEmpty())
            note = tr("Predicted classes in this window: %1<br>").arg(s.predictedClasses.toHtmlEscaped()) + note;
        if (!s.prediction.note.isEmpty())
            note += QStringLiteral(" · ") + s.prediction.note.toHtmlEscaped();
        m_predictionNote->setText(note);
    }

    // Data quality in the selected window.
    m_quality->clear();
    for (const QualityRow &q : s.quality) {
        QTreeWidgetItem *item = addRow(m_quality, {q.feature, q.kind, statformat::count(q.rows), share(q.missing),
                                                   q.kind == QLatin1String("numeric") ? share(q.outOfRange) : QStringLiteral("—"),
                                                   q.kind == QLatin1String("categorical") ? share(q.unseen) : QStringLiteral("—"), q.status});
        item->setTextAlignment(QualityKindColumn, Qt::AlignLeft | Qt::AlignVCenter);
        item->setTextAlignment(QualityStatusColumn, Qt::AlignLeft | Qt::AlignVCenter);
        for (const auto &[column, value] : {std::pair{int(MissingColumn), q.missing}, std::pair{int(OutOfRangeColumn), q.outOfRange},
                                            std::pair{int(UnseenColumn), q.unseen}})
            if (value > 0.1)
                item->setForeground(column, QColor(0xc6, 0x28, 0x28));
            else if (value > 0.01)
                item->setForeground(column, QColor(0xb2, 0x6a, 0x00));
        if (q.status == QLatin1String("drift"))
            item->setForeground(QualityStatusColumn, QColor(0xc6, 0x28, 0x28));
    }
    for (int c = 0; c < m_quality->columnCount(); ++c)
        m_quality->resizeColumnToContents(c);
    m_tabs->setTabToolTip(QualityTab, window.isEmpty() ? QString() : tr("Missing, out-of-range and unseen shares per feature in the %1").arg(window));
}

void MonitoringArea::applyAccuracy()
{
    const MonitoringSnapshot &s = m_snapshot;
    const bool regressor = !s.accuracy.isEmpty() && std::all_of(s.accuracy.cbegin(), s.accuracy.cend(), [](const auto &f) { return !f.classifier; });
    const auto &metrics = regressor ? regressorMetrics() : classifierMetrics();
    const QString wanted = m_metricBox->currentData().toString();
    if (m_metricBox->count() != metrics.size() || m_metricBox->itemData(0).toString() != metrics.first().first) {
        m_metricBox->clear();
        for (const auto &[key, title] : metrics)
            m_metricBox->addItem(title, key);
    }
    const int index = m_metricBox->findData(wanted);
    m_metricBox->setCurrentIndex(index >= 0 ? index : 0);
    const QString key = m_metricBox->currentData().toString();

    m_accuracyChart->clearSeries();
    m_accuracyChart->setTimeRange(s.from, s.to);
    m_accuracyChart->setMinimumTop(0.1);
    m_accuracyChart->setFixedTop(regressor ? 0 : 1.0); // MAE and RMSE are in the label's units
    QStringList versions;
    for (const monitor::AccuracyFigures &f : s.accuracy)
        versions << f.version;
    for (int v = 0; v < versions.size(); ++v) {
        QVector<QPointF> points;
        for (const monitor::AccuracyFigures &f : s.accuracySeries)
            if (f.version == versions[v])
                points.append(QPointF(double(f.from), metricOf(f, key)));
        m_accuracyChart->setSeries(versionLabel(versions[v]), points, kVersionColors[v % kVersionColors.size()]);
    }
    m_accuracyChart->setTitle(s.accuracy.isEmpty() ? tr("Accuracy from delayed labels")
                                                   : tr("%1 per model version, per %2 of prediction time%3")
                                                         .arg(m_metricBox->currentText(), duration(s.accuracyBucketMs),
                                                              regressor ? QString() : tr(" (threshold 0.5)")));

    m_accuracyTable->clear();
    for (const monitor::AccuracyFigures &f : s.accuracy) {
        QTreeWidgetItem *item = addRow(m_accuracyTable, {versionLabel(f.version), statformat::count(f.labels), metricText(f.accuracy), metricText(f.precision),
                                                         metricText(f.recall), metricText(f.f1), metricText(f.rocAuc), metricText(f.mae), metricText(f.rmse)});
        item->setTextAlignment(VersionColumn, Qt::AlignLeft | Qt::AlignVCenter);
        if (f.skipped)
            item->setToolTip(LabelsColumn, tr("%L1 more labels could not be scored (a class the output does not have, or text)").arg(f.skipped));
    }
    for (int c = AccuracyValueColumn; c <= RocAucColumn; ++c)
        m_accuracyTable->setColumnHidden(c, regressor);
    m_accuracyTable->setColumnHidden(MaeColumn, !regressor);
    m_accuracyTable->setColumnHidden(RmseColumn, !regressor);
    for (int c = 0; c < m_accuracyTable->columnCount(); ++c)
        m_accuracyTable->resizeColumnToContents(c);
    m_accuracyTable->setToolTip(s.accuracy.isEmpty() ? QString() : tr("Over the span shown, %1 – %2, by prediction time").arg(clock(s.from), clock(s.to)));
}

void MonitoringArea::applyAlerts()
{
    m_alerts->setAlerts(m_snapshot.alerts, QDateTime::currentMSecsSinceEpoch());
    const int firing = m_alerts->firingCount();
    const int pending = m_alerts->activeCount() - firing;
    m_tabs->setTabText(AlertsTab, firing ? tr("Alerts (%1 firing)").arg(firing) : pending ? tr("Alerts (%1 pending)").arg(pending) : tr("Alerts"));
    m_tabs->tabBar()->setTabTextColor(AlertsTab, firing ? QColor(0xc6, 0x28, 0x28) : palette().color(QPalette::WindowText));
}

void MonitoringArea::updateStatus()
{
    const MonitoringSnapshot &s = m_snapshot;
    QStringList parts;
    if (s.windowCount)
        parts << tr("%L1 windows of %2, newest %3").arg(s.windowCount).arg(duration(s.windowMs), clock(s.to, true));
    else if (!s.endpoint.isEmpty())
        parts << tr("no window recorded for %1 yet").arg(s.endpoint);
    if (!s.reference.isEmpty())
        parts << tr("compared with %1").arg(s.reference);
    if (!s.servers.isEmpty())
        parts << tr("live: a server runs at %1").arg(s.servers.first().url());
    else
        parts << tr("no server runs (orrery-cli serve records new windows)");
    m_statusText = parts.join(QStringLiteral(" · "));
    m_status->setToolTip(m_statusText);
    elideStatus();
}

void MonitoringArea::elideStatus()
{
    m_status->setText(m_status->fontMetrics().elidedText(m_statusText, Qt::ElideRight, std::max(0, m_status->width() - 2)));
}

void MonitoringArea::fitHeatmap()
{
    // The heatmap's section is at least as tall as its rows need (up to a cap: a hundred features
    // get thinner rows, not the whole area); its stretch is 0, so the charts take the rest.
    const int rows = int(m_snapshot.heatmap.features.size());
    if (rows == m_fittedRows)
        return;
    m_fittedRows = rows;
    const int want = m_heatmapTitle->sizeHint().height() + 2 * fontMetrics().height() + 16 + std::max(4, rows) * 15;
    m_heatmap->parentWidget()->setMinimumHeight(std::min(want, 300));
}

} // namespace orrery::ui
