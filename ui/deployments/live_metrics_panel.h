#pragma once
// LiveMetricsPanel: request rate, error rate and p50/p99 latency per serving version, about once a
// second, from the server's /metrics over loopback (no token needed there) — a table and a chart
// of the request rate per version. Each figure covers the interval between two scrapes
// (live_figures.h), so the first scrape shows nothing yet.
//
// The GET goes through QNetworkAccessManager's asynchronous reply (never waited on): one scrape at
// a time, each with a transfer timeout, no proxy; a failed scrape is shown and the next tick tries
// again. Scraping runs only while the panel is visible and a server URL is set.
//
// Threads: GUI thread.

#include "ui/deployments/live_figures.h"

#include <QWidget>

class QLabel;
class QNetworkAccessManager;
class QNetworkReply;
class QTimer;
class QTreeWidget;

namespace orrery::ui {

class RequestRateChart;

class LiveMetricsPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 1000;
    enum Column { EndpointColumn, VersionColumn, WeightColumn, RateColumn, ErrorColumn, P50Column, P99Column };
    explicit LiveMetricsPanel(QWidget *parent = nullptr);
    ~LiveMetricsPanel() override;

    // "http://127.0.0.1:P" (empty: no server; the figures clear).
    void setServerUrl(const QString &url);
    QString serverUrl() const { return m_url; }
    // Only this endpoint's versions (and its preview's) in the table and chart; empty: all.
    void setEndpoint(const QString &endpoint);
    void setIntervalMs(int ms);

    const QVector<VersionFigures> &figures() const { return m_figures; }
    int scrapes() const { return m_scrapes; }
    QTreeWidget *table() const { return m_table; }
    RequestRateChart *chart() const { return m_chart; }
    QLabel *statusLabel() const { return m_status; }

Q_SIGNALS:
    // After each scrape was applied, good or failed (tests wait on it).
    void scraped();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void scrape();
    void onReply(QNetworkReply *reply, const QString &url);
    void rebuildTable();
    bool shows(const QString &endpoint) const;

    QNetworkAccessManager *m_network;
    QTimer *m_timer;
    QLabel *m_status;
    QTreeWidget *m_table;
    RequestRateChart *m_chart;
    QString m_url;
    QString m_endpoint;
    QNetworkReply *m_inFlight = nullptr;
    MetricsScrape m_previous;
    bool m_havePrevious = false;
    qint64 m_firstMs = 0;
    QVector<VersionFigures> m_figures;
    int m_scrapes = 0;
};

} // namespace orrery::ui
