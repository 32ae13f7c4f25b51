#include "ui/deployments/live_metrics_panel.h"

#include "ui/deployments/request_rate_chart.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {

constexpr int kTransferTimeoutMs = 3000;
constexpr qint64 kMaxBodyBytes = 8 * 1024 * 1024; // a server with hundreds of versions stays far below

QString versionLabel(const QString &version)
{
    bool number = false;
    version.toInt(&number);
    return number ? QStringLiteral("v") + version : version;
}

QString msText(double ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    return ms < 10 ? QString::number(ms, 'f', 2) : QString::number(ms, 'f', 1);
}

} // namespace

LiveMetricsPanel::LiveMetricsPanel(QWidget *parent)
    : QWidget(parent),
      m_network(new QNetworkAccessManager(this)),
      m_timer(new QTimer(this)),
      m_status(new QLabel(this)),
      m_table(new QTreeWidget(this)),
      m_chart(new RequestRateChart(this))
{
    setObjectName(QStringLiteral("deploymentLive"));
    m_network->setProxy(QNetworkProxy::NoProxy);
    m_status->setObjectName(QStringLiteral("liveStatus"));
    m_status->setWordWrap(true);
    m_table->setObjectName(QStringLiteral("liveFigures"));
    m_table->setHeaderLabels({tr("Endpoint"), tr("Version"), tr("Weight"), tr("Requests/s"), tr("Errors"), tr("p50 ms"), tr("p99 ms")});
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->header()->setMinimumSectionSize(36);
    for (int c = WeightColumn; c <= P99Column; ++c)
        m_table->headerItem()->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_chart);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    m_timer->setInterval(kDefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &LiveMetricsPanel::scrape);
    setServerUrl(QString());
}

LiveMetricsPanel::~LiveMetricsPanel()
{
    if (m_inFlight)
        m_inFlight->abort();
}

void LiveMetricsPanel::setIntervalMs(int ms) { m_timer->setInterval(ms); }

void LiveMetricsPanel::setServerUrl(const QString &url)
{
    if (url == m_url && !url.isEmpty())
        return;
    m_url = url;
    if (m_inFlight) {
        m_inFlight->abort(); // its answer is for the old server; onReply drops it
        m_inFlight = nullptr;
    }
    m_havePrevious = false;
    m_firstMs = 0;
    m_figures.clear();
    m_chart->clear();
    rebuildTable();
    m_status->setText(url.isEmpty() ? tr("Live figures appear while a server runs.") : tr("Reading %1/metrics…").arg(url));
    if (!url.isEmpty() && isVisible()) {
        m_timer->start();
        scrape();
    } else if (url.isEmpty()) {
        m_timer->stop();
    }
}

void LiveMetricsPanel::setEndpoint(const QString &endpoint)
{
    if (endpoint == m_endpoint)
        return;
    m_endpoint = endpoint;
    m_chart->clear();
    rebuildTable();
}

bool LiveMetricsPanel::shows(const QString &endpoint) const
{
    return m_endpoint.isEmpty() || endpoint == m_endpoint || endpoint == m_endpoint + QStringLiteral("-preview");
}

void LiveMetricsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_url.isEmpty()) {
        m_timer->start();
        scrape();
    }
}

void LiveMetricsPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void LiveMetricsPanel::scrape()
{
    if (m_url.isEmpty() || m_inFlight)
        return; // one at a time: a slow server is not asked again before it answers
    QNetworkRequest request(QUrl(m_url + QStringLiteral("/metrics")));
    request.setTransferTimeout(kTransferTimeoutMs);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Orrery-Window/1"));
    QNetworkReply *reply = m_network->get(request);
    m_inFlight = reply;
    const QString url = m_url;
    connect(reply, &QNetworkReply::finished, this, [this, reply, url] { onReply(reply, url); });
}

void LiveMetricsPanel::onReply(QNetworkReply *reply, const QString &url)
{
    reply->deleteLater();
    if (reply == m_inFlight)
        m_inFlight = nullptr;
    if (url != m_url)
        return; // the server changed meanwhile
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        m_status->setText(tr("Could not read %1/metrics: %2").arg(url, status ? tr("HTTP %1").arg(status) : reply->errorString()));
        m_status->setStyleSheet(QStringLiteral("color:#c62828"));
        Q_EMIT scraped();
        return;
    }
    const QByteArray body = reply->read(kMaxBodyBytes);
    const MetricsScrape current = parseMetricsScrape(body, now);
    ++m_scrapes;
    m_status->setStyleSheet(QString());
    if (!m_havePrevious) {
        m_previous = current;
        m_havePrevious = true;
        m_firstMs = now;
        m_status->setText(tr("%1/metrics: the figures start with the next reading.").arg(url));
        Q_EMIT scraped();
        return;
    }
    m_figures = liveFigures(m_previous, current);
    const double seconds = double(current.timeMs - m_previous.timeMs) / 1000.0;
    m_previous = current;
    m_status->setText(tr("%1/metrics, over the last %2 s").arg(url).arg(seconds, 0, 'f', 1));
    const double x = double(now - m_firstMs) / 1000.0;
    for (const VersionFigures &f : std::as_const(m_figures))
        if (shows(f.endpoint))
            m_chart->addPoint(QStringLiteral("%1 %2").arg(f.endpoint, versionLabel(f.version)), x, f.requestsPerSecond);
    rebuildTable();
    Q_EMIT scraped();
}

void LiveMetricsPanel::rebuildTable()
{
    m_table->clear();
    for (const VersionFigures &f : std::as_const(m_figures)) {
        if (!shows(f.endpoint))
            continue;
        auto *item = new QTreeWidgetItem(m_table, {f.endpoint, versionLabel(f.version), f.weight < 0 ? QStringLiteral("—") : QStringLiteral("%1 %").arg(f.weight),
                                                   QString::number(f.requestsPerSecond, 'f', 1),
                                                   f.requests > 0 ? QStringLiteral("%1 %").arg(f.errorRate * 100, 0, 'f', 2) : QStringLiteral("—"),
                                                   msText(f.p50Ms), msText(f.p99Ms)});
        for (int c = WeightColumn; c <= P99Column; ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        if (f.requests > 0 && f.errorRate > 0.01)
            item->setForeground(ErrorColumn, QColor(0xc6, 0x28, 0x28));
    }
    for (int c = 0; c < m_table->columnCount(); ++c)
        m_table->resizeColumnToContents(c);
}

} // namespace orrery::ui
