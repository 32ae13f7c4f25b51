#include "ui/monitoring/monitoring_area.h"

#include "core/common/system_info.h"
#include "core/store/database_worker.h"
#include "core/workspace/workspace.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/monitoring/alerts_panel.h"
#include "ui/monitoring/distribution_chart.h"
#include "ui/monitoring/drift_heatmap.h"
#include "ui/monitoring/time_series_chart.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {

// A 30-day history is ~300 MB of feature rows: mapped, its pages are read without a copy each.
constexpr const char *kLargeReadSql = "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536";
constexpr qint64 kHourMs = 3600LL * 1000;

QTreeWidget *makeTable(const QString &name, const QStringList &headers, QWidget *parent)
{
    auto *t = new QTreeWidget(parent);
    t->setObjectName(name);
    t->setHeaderLabels(headers);
    t->setRootIsDecorated(false);
    t->setUniformRowHeights(true);
    t->setAlternatingRowColors(true);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    t->header()->setMinimumSectionSize(40);
    t->header()->setStretchLastSection(false); // a wide table keeps its figures next to their names
    for (int c = 1; c < headers.size(); ++c)
        t->headerItem()->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    return t;
}

} // namespace

MonitoringArea::MonitoringArea(const AreaInfo &area, Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_worker(new store::DatabaseWorker(QStringLiteral("monitoring"), QLatin1String(kLargeReadSql), this)),
      m_pages(new QStackedWidget(this)),
      m_empty(new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart, m_pages)),
      m_content(new QWidget(m_pages)),
      m_endpointBox(new QComboBox(this)),
      m_spanBox(new QComboBox(this)),
      m_status(new QLabel(this)),
      m_message(new QLabel(this)),
      m_throughput(new TimeSeriesChart(tr("Requests per second"), this)),
      m_latency(new TimeSeriesChart(tr("Latency (ms)"), this)),
      m_heatmapTitle(new QLabel(this)),
      m_heatmap(new DriftHeatmap(this)),
      m_tabs(new QTabWidget(this)),
      m_windowLabel(new QLabel(this)),
      m_newest(new QPushButton(tr("Newest window"), this)),
      m_effect(new TimeSeriesChart(tr("Drift effect"), this)),
      m_distribution(new DistributionChart(this)),
      m_featureNote(new QLabel(this)),
      m_prediction(new DistributionChart(this)),
      m_predictionNote(new QLabel(this)),
      m_metricBox(new QComboBox(this)),
      m_accuracyChart(new TimeSeriesChart(tr("Accuracy from delayed labels"), this)),
      m_accuracyTable(makeTable(QStringLiteral("accuracyTable"),
                                {tr("Version"), tr("Labels"), tr("Accuracy"), tr("Precision"), tr("Recall"), tr("F1"), tr("ROC-AUC"), tr("MAE"), tr("RMSE")}, this)),
      m_quality(makeTable(QStringLiteral("qualityTable"),
                          {tr("Feature"), tr("Kind"), tr("Rows"), tr("Missing"), tr("Out of range"), tr("Unseen"), tr("Drift")}, this)),
      m_alerts(new AlertsPanel(this)),
      m_split(new QSplitter(Qt::Vertical, this)),
      m_poll(new QTimer(this)),
      m_resizeSettle(new QTimer(this))
{
    setObjectName(QStringLiteral("area.") + area.id);
    m_empty->setObjectName(QStringLiteral("monitoringEmpty"));
    buildLayout();

    connect(m_endpointBox, &QComboBox::activated, this, [this](int index) { selectEndpoint(m_endpointBox->itemText(index)); });
    connect(m_spanBox, &QComboBox::activated, this, [this](int index) { setSpanMs(m_spanBox->itemData(index).toLongLong()); });
    connect(m_heatmap, &DriftHeatmap::cellClicked, this, [this](const QString &feature, qint64 windowId) {
        selectFeature(feature, windowId);
        m_tabs->setCurrentIndex(feature == QLatin1String("prediction") ? PredictionTab : FeatureTab);
    });
    connect(m_newest, &QPushButton::clicked, this, &MonitoringArea::showNewestWindow);
    connect(m_metricBox, &QComboBox::activated, this, [this] { applyAccuracy(); });
    connect(m_alerts, &AlertsPanel::acknowledgeRequested, this, &MonitoringArea::acknowledge);
    connect(m_alerts, &AlertsPanel::silenceRequested, this, &MonitoringArea::silence);
    connect(m_poll, &QTimer::timeout, this, [this] { refresh(); });
    m_poll->setInterval(m_idlePollMs);
    m_resizeSettle->setSingleShot(true);
    m_resizeSettle->setInterval(150);
    connect(m_resizeSettle, &QTimer::timeout, this, [this] {
        // Read again only for a change that shows: more windows fit and there are more, the
        // cells got too thin, or the charts' points are off by more than a third. Polls keep
        // the sizes of the last read, so they keep finding its stamp.
        int columns = 0, buckets = 0;
        fittedSizes(columns, buckets);
        const bool moreFit = columns > m_readColumns * 11 / 10 && m_snapshot.windowCount > m_readColumns;
        const bool tooThin = columns < m_readColumns * 3 / 4;
        const bool points = buckets * 3 < m_readBuckets * 2 || buckets * 2 > m_readBuckets * 3;
        if (moreFit || tooThin || points) {
            m_readColumns = columns;
            m_readBuckets = buckets;
            refresh();
        }
    });
    if (navigator)
        navigator->registerHandler(QStringLiteral("monitoring"), this, [this](const ObjectRef &ref) { selectEndpoint(ref.id); });
    clear();
}

MonitoringArea::~MonitoringArea()
{
    delete m_worker; // its thread stops before the widgets its answers are for are destroyed
}

void MonitoringArea::buildLayout()
{
    m_endpointBox->setObjectName(QStringLiteral("monitoringEndpoint"));
    m_endpointBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_endpointBox->setMinimumContentsLength(8);
    m_endpointBox->setToolTip(tr("The endpoint whose traffic, drift, accuracy and alerts are shown"));
    m_spanBox->setObjectName(QStringLiteral("monitoringSpan"));
    m_spanBox->setToolTip(tr("How far back the charts over time reach, from the newest window"));
    for (const auto &[text, ms] : {std::pair{tr("Last hour"), kHourMs}, std::pair{tr("Last 6 hours"), 6 * kHourMs},
                                   std::pair{tr("Last 24 hours"), 24 * kHourMs}, std::pair{tr("Last 7 days"), 7 * 24 * kHourMs},
                                   std::pair{tr("Last 30 days"), 30 * 24 * kHourMs}, std::pair{tr("All history"), qint64(0)}})
        m_spanBox->addItem(text, ms);
    m_spanMs = 24 * kHourMs;
    m_spanBox->setCurrentIndex(2);
    m_status->setObjectName(QStringLiteral("monitoringStatus"));
    m_status->setMinimumWidth(100);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_message->setObjectName(QStringLiteral("monitoringMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    m_throughput->setObjectName(QStringLiteral("throughputChart"));
    m_throughput->setPlaceholder(tr("No request recorded in this span."));
    m_latency->setObjectName(QStringLiteral("latencyChart"));
    m_latency->setPlaceholder(tr("No latency recorded in this span."));
    m_latency->setLegendAlignment(Qt::AlignRight); // the traffic row is short: the plot keeps its height
    m_heatmapTitle->setObjectName(QStringLiteral("heatmapTitle"));
    m_effect->setObjectName(QStringLiteral("effectChart"));
    m_effect->setMinimumTop(0.1);
    m_effect->setValueFormat(QStringLiteral("%.2f"));
    m_distribution->setObjectName(QStringLiteral("distributionChart"));
    m_prediction->setObjectName(QStringLiteral("predictionChart"));
    m_featureNote->setObjectName(QStringLiteral("featureNote"));
    m_featureNote->setWordWrap(true);
    m_featureNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_predictionNote->setObjectName(QStringLiteral("predictionNote"));
    m_predictionNote->setWordWrap(true);
    m_predictionNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_quality->headerItem()->setTextAlignment(QualityKindColumn, Qt::AlignLeft | Qt::AlignVCenter);
    m_quality->headerItem()->setTextAlignment(QualityStatusColumn, Qt::AlignLeft | Qt::AlignVCenter);
    m_metricBox->setObjectName(QStringLiteral("accuracyMetric"));
    m_accuracyChart->setObjectName(QStringLiteral("accuracyChart"));
    m_accuracyChart->setValueFormat(QStringLiteral("%.2f"));
    m_accuracyChart->setPlaceholder(tr("No labelled prediction in this span. Send true labels with POST /v2/models/ENDPOINT/feedback "
                                       "or `orrery-cli monitor feedback import LABELS.csv --endpoint ENDPOINT`."));
    m_windowLabel->setObjectName(QStringLiteral("monitoringWindow"));
    m_newest->setObjectName(QStringLiteral("monitoringNewest"));
    m_newest->setToolTip(tr("Show the newest window again, and follow the new ones as they close"));

    // Top bar.
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(tr("Endpoint:"), this));
    bar->addWidget(m_endpointBox);
    bar->addSpacing(8);
    bar->addWidget(m_spanBox);
    bar->addSpacing(8);
    bar->addWidget(m_status, 1);

    // Traffic: throughput | latency.
    auto *traffic = new QSplitter(Qt::Horizontal, this);
    traffic->addWidget(m_throughput);
    traffic->addWidget(m_latency);
    traffic->setChildrenCollapsible(false);

    // Heatmap with its title, and which window the tabs below show.
    auto *heat = new QWidget(this);
    auto *heatLayout = new QVBoxLayout(heat);
    heatLayout->setContentsMargins(0, 2, 0, 0);
    heatLayout->setSpacing(2);
    auto *heatHeader = new QHBoxLayout;
    heatHeader->setContentsMargins(0, 0, 0, 0);
    heatHeader->addWidget(m_heatmapTitle, 1);
    heatHeader->addWidget(m_windowLabel);
    heatHeader->addWidget(m_newest);
    heatLayout->addLayout(heatHeader);
    heatLayout->addWidget(m_heatmap, 1);
    m_heatmapTitle->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_heatmapTitle->setMinimumWidth(80);
    m_heatmap->setToolTip(QString()); // its own, per cell
    m_heatmapTitle->setToolTip(tr("Each cell is one feature's drift test in one window. Hover a cell for its test, statistic, p-value, "
                                  "effect and threshold; click it to show that feature, in that window, in the tabs below."));

    // Tabs.
    auto *feature = new QWidget(this);
    auto *featureLayout = new QVBoxLayout(feature);
    featureLayout->setContentsMargins(4, 4, 4, 4);
    auto *featureCharts = new QSplitter(Qt::Horizontal, feature);
    featureCharts->addWidget(m_effect);
    featureCharts->addWidget(m_distribution);
    featureCharts->setChildrenCollapsible(false);
    featureLayout->addWidget(featureCharts, 1);
    featureLayout->addWidget(m_featureNote);
    auto *prediction = new QWidget(this);
    auto *predictionLayout = new QVBoxLayout(prediction);
    predictionLayout->setContentsMargins(4, 4, 4, 4);
    predictionLayout->addWidget(m_prediction, 1);
    predictionLayout->addWidget(m_predictionNote);
    auto *accuracy = new QWidget(this);
    auto *accuracyLayout = new QVBoxLayout(accuracy);
    accuracyLayout->setContentsMargins(4, 4, 4, 4);
    auto *metricRow = new QHBoxLayout;
    metricRow->addWidget(new QLabel(tr("Metric:"), accuracy));
    metricRow->addWidget(m_metricBox);
    metricRow->addStretch(1);
    accuracyLayout->addLayout(metricRow);
    auto *accuracySplit = new QSplitter(Qt::Horizontal, accuracy);
    accuracySplit->addWidget(m_accuracyChart);
    accuracySplit->addWidget(m_accuracyTable);
    accuracySplit->setChildrenCollapsible(false);
    accuracySplit->setStretchFactor(0, 3);
    accuracySplit->setStretchFactor(1, 2);
    m_accuracyTable->setMinimumWidth(200);
    accuracyLayout->addWidget(accuracySplit, 1);
    auto *quality = new QWidget(this);
    auto *qualityLayout = new QVBoxLayout(quality);
    qualityLayout->setContentsMargins(4, 4, 4, 4);
    qualityLayout->addWidget(m_quality, 1);
    auto *alerts = new QWidget(this);
    auto *alertsLayout = new QVBoxLayout(alerts);
    alertsLayout->setContentsMargins(4, 4, 4, 4);
    alertsLayout->addWidget(m_alerts, 1);
    m_tabs->setObjectName(QStringLiteral("monitoringTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->insertTab(FeatureTab, feature, tr("Feature"));
    m_tabs->insertTab(PredictionTab, prediction, tr("Prediction"));
    m_tabs->insertTab(AccuracyTab, accuracy, tr("Accuracy"));
    m_tabs->insertTab(QualityTab, quality, tr("Data quality"));
    m_tabs->insertTab(AlertsTab, alerts, tr("Alerts"));

    m_split->addWidget(traffic);
    m_split->addWidget(heat);
    m_split->addWidget(m_tabs);
    m_split->setChildrenCollapsible(false);
    // The heatmap keeps the height its rows were given (fitHeatmap); the charts take the rest.
    m_split->setStretchFactor(0, 1);
    m_split->setStretchFactor(1, 0);
    m_split->setStretchFactor(2, 3);
    m_split->setSizes({180, 180, 460});

    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(bar);
    contentLayout->addWidget(m_message);
    contentLayout->addWidget(m_split, 1);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_pages, 1);
}

void MonitoringArea::setWorkspaceRoot(const QString &root)
{
    clear();
    m_root = root;
    m_databasePath = workspace::Workspace::databasePathFor(root);
    m_worker->setDatabasePath(m_databasePath);
    if (isVisible()) // hidden, it reads when first shown: a long history costs nothing until looked at
        refresh(true);
}

void MonitoringArea::setDatabasePath(const QString &path)
{
    clear();
    m_databasePath = path;
    m_worker->setDatabasePath(path);
    if (isVisible())
        refresh(true);
}

void MonitoringArea::clear()
{
    m_root.clear();
    m_databasePath.clear();
    ++m_request;
    m_reading = false;
    m_readPending = false;
    m_forcePending = false;
    m_actionRunning = false;
    m_worker->setDatabasePath({});
    m_snapshot = {};
    m_endpoint.clear();
    m_feature.clear();
    m_windowId = 0;
    m_updating = true;
    m_endpointBox->clear();
    m_updating = false;
    m_message->hide();
    m_heatmap->setData({});
    m_throughput->clearSeries();
    m_latency->clearSeries();
    m_effect->clearSeries();
    m_distribution->clear();
    m_prediction->clear();
    m_accuracyChart->clearSeries();
    m_accuracyTable->clear();
    m_quality->clear();
    m_alerts->setAlerts({}, 0);
    m_fittedRows = -1;
    m_readColumns = m_readBuckets = 0;
    m_statusText.clear();
    m_status->clear();
    setShowingCharts(false);
    updatePollInterval();
}

bool MonitoringArea::isShowingCharts() const { return m_pages->currentWidget() == m_content; }

void MonitoringArea::setShowingCharts(bool on) { m_pages->setCurrentWidget(on ? m_content : static_cast<QWidget *>(m_empty)); }

void MonitoringArea::setPollIntervalMs(int live, int idle)
{
    m_livePollMs = live;
    m_idlePollMs = idle;
    updatePollInterval();
}

void MonitoringArea::updatePollInterval()
{
    m_poll->setInterval(m_snapshot.servers.isEmpty() ? m_idlePollMs : m_livePollMs);
}

void MonitoringArea::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_databasePath.isEmpty())
        refresh();
    m_poll->start();
}

void MonitoringArea::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll->stop();
}

void MonitoringArea::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    elideStatus();
    // More or fewer heatmap columns or chart points fit: read again once the size settles.
    if (!m_databasePath.isEmpty() && isShowingCharts())
        m_resizeSettle->start();
}

void MonitoringArea::fittedSizes(int &columns, int &buckets) const
{
    // About one point per two pixels of the charts and the heatmap's columns; before the charts
    // were ever laid out (the empty state was showing), from the area's own width.
    const bool laidOut = isShowingCharts() && m_heatmap->width() > 100;
    buckets = std::clamp((laidOut ? std::max(m_throughput->width(), m_effect->width()) : width() / 2) / 2, 100, 800);
    columns = std::clamp(laidOut ? m_heatmap->columnsThatFit() : (width() - 170) / DriftHeatmap::kMinCellWidth, 30, 400);
}

MonitoringQuery MonitoringArea::query() const
{
    MonitoringQuery q;
    q.endpoint = m_endpoint;
    q.feature = m_feature;
    q.windowId = m_windowId;
    q.spanMs = m_spanMs;
    q.heatmapColumns = m_readColumns;
    q.chartBuckets = m_readBuckets;
    if (q.heatmapColumns <= 0 || q.chartBuckets <= 0)
        fittedSizes(q.heatmapColumns, q.chartBuckets);
    return q;
}

void MonitoringArea::refresh(bool force)
{
    if (m_databasePath.isEmpty())
        return;
    if (m_reading) {
        m_readPending = true; // asked again once the one in flight answers
        m_forcePending = m_forcePending || force;
        return;
    }
    m_reading = true;
    const quint64 request = m_request;
    MonitoringQuery q = query();
    m_readColumns = q.heatmapColumns;
    m_readBuckets = q.chartBuckets;
    if (!force) {
        q.knownStamp = m_snapshot.stamp;
        q.knownLabelStamp = m_snapshot.labelStamp;
    }
    m_worker->post<MonitoringSnapshot>([q](store::Database &db) { return loadMonitoringSnapshot(db, q); }, this,
                                       [this, request](const Result<MonitoringSnapshot> &result) {
                                           if (request != m_request)
                                               return; // for a workspace no longer open
                                           m_reading = false;
                                           ++m_reads;
                                           if (!result)
                                               showMessage(tr("Could not read the monitoring tables: %1").arg(result.status().message()), true);
                                           else
                                               apply(*result);
                                           Q_EMIT refreshed();
                                           if (m_readPending) {
                                               const bool again = m_forcePending;
                                               m_readPending = m_forcePending = false;
                                               refresh(again);
                                           }
                                       });
}

void MonitoringArea::selectEndpoint(const QString &endpoint)
{
    if (endpoint == m_snapshot.endpoint && endpoint == m_endpoint)
        return;
    m_endpoint = endpoint;
    m_feature.clear();
    m_windowId = 0;
    refresh(true);
}

void MonitoringArea::selectFeature(const QString &feature, qint64 windowId)
{
    m_feature = feature;
    m_windowId = windowId;
    m_heatmap->setSelection(feature, windowId ? windowId : m_snapshot.windowId);
    refresh(true);
}

void MonitoringArea::showNewestWindow()
{
    m_windowId = 0;
    refresh(true);
}

void MonitoringArea::setSpanMs(qint64 spanMs)
{
    m_spanMs = spanMs;
    m_updating = true;
    const int index = m_spanBox->findData(spanMs);
    if (index >= 0)
        m_spanBox->setCurrentIndex(index);
    m_updating = false;
    refresh(true);
}

void MonitoringArea::showMessage(const QString &text, bool error)
{
    m_message->setStyleSheet(error ? QStringLiteral("color:#c62828") : QString());
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void MonitoringArea::acknowledge(qint64 alertId)
{
    runAlertAction([alertId](store::Database &db) { return acknowledgeAlert(db, alertId, common::osUserName()); });
}

void MonitoringArea::silence(qint64 alertId, qint64 forMs)
{
    runAlertAction([root = m_root, alertId, forMs](store::Database &db) {
        return silenceAlert(db, root, alertId, forMs, common::osUserName(), QDateTime::currentMSecsSinceEpoch());
    });
}

void MonitoringArea::runAlertAction(std::function<Result<QString>(store::Database &)> action)
{
    if (m_actionRunning || m_databasePath.isEmpty())
        return;
    m_actionRunning = true;
    m_alerts->setBusy(true);
    const quint64 request = m_request;
    m_worker->post<QString>(std::move(action), this, [this, request](const Result<QString> &result) {
        if (request != m_request)
            return;
        m_actionRunning = false;
        m_alerts->setBusy(false);
        if (result)
            showMessage(*result, false);
        else
            showMessage(tr("Could not change the alert: %1").arg(result.status().message()), true);
        refresh(); // every read reads the alerts
    });
}

} // namespace orrery::ui
