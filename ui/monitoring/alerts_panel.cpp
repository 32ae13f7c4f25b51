#include "ui/monitoring/alerts_panel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace orrery::ui {
namespace {

constexpr qint64 kHour = 3600LL * 1000;

QString timeText(qint64 ms)
{
    if (ms <= 0)
        return QString();
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    return t.date() == QDate::currentDate() ? t.toString(QStringLiteral("HH:mm:ss")) : t.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QColor stateColor(const QString &state)
{
    if (state == QLatin1String("firing"))
        return QColor(0xc6, 0x28, 0x28);
    if (state == QLatin1String("pending"))
        return QColor(0xb2, 0x6a, 0x00);
    return QColor(0x2e, 0x7d, 0x32);
}

} // namespace

AlertsPanel::AlertsPanel(QWidget *parent)
    : QWidget(parent),
      m_table(new QTreeWidget(this)),
      m_acknowledge(new QPushButton(tr("Acknowledge"), this)),
      m_silence(new QToolButton(this)),
      m_note(new QLabel(this))
{
    setObjectName(QStringLiteral("monitoringAlerts"));
    m_table->setObjectName(QStringLiteral("alertsTable"));
    m_table->setHeaderLabels({tr("Alert"), tr("State"), tr("Since"), tr("Value"), tr("Labels"), tr("Summary"), tr("Acknowledged"), tr("Silenced until")});
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->header()->setMinimumSectionSize(40);
    m_table->header()->setStretchLastSection(false);
    m_table->headerItem()->setTextAlignment(ValueColumn, Qt::AlignRight | Qt::AlignVCenter);

    m_acknowledge->setObjectName(QStringLiteral("alertAcknowledge"));
    m_acknowledge->setToolTip(tr("Record that you have seen this alert: your name and the time go into the alert and the audit log"));
    m_silence->setObjectName(QStringLiteral("alertSilence"));
    m_silence->setText(tr("Silence"));
    m_silence->setToolTip(tr("Hold this alert's notifications (webhooks, Alertmanager) for a while; it keeps being evaluated and shown"));
    m_silence->setPopupMode(QToolButton::InstantPopup);
    m_silence->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *menu = new QMenu(m_silence);
    for (const auto &[text, ms] : {std::pair{tr("for 1 hour"), kHour}, std::pair{tr("for 4 hours"), 4 * kHour}, std::pair{tr("for 1 day"), 24 * kHour}}) {
        QAction *a = menu->addAction(text);
        a->setObjectName(QStringLiteral("silence%1h").arg(ms / kHour));
        connect(a, &QAction::triggered, this, [this, ms = ms] {
            if (const qint64 id = selectedAlert())
                Q_EMIT silenceRequested(id, ms);
        });
    }
    m_silence->setMenu(menu);
    m_note->setObjectName(QStringLiteral("alertsNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_acknowledge);
    buttons->addWidget(m_silence);
    buttons->addWidget(m_note, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);

    connect(m_acknowledge, &QPushButton::clicked, this, [this] {
        if (const qint64 id = selectedAlert())
            Q_EMIT acknowledgeRequested(id);
    });
    connect(m_table, &QTreeWidget::itemSelectionChanged, this, &AlertsPanel::updateButtons);
    setAlerts({}, 0);
}

void AlertsPanel::setAlerts(const QVector<AlertRow> &alerts, qint64 nowMs)
{
    const qint64 keep = selectedAlert();
    m_alerts = alerts;
    m_table->clear();
    for (const AlertRow &a : alerts) {
        QString acknowledged;
        if (!a.acknowledgedBy.isEmpty())
            acknowledged = tr("%1 at %2").arg(a.acknowledgedBy, timeText(a.acknowledgedAt));
        const QString silenced = a.silencedUntil > nowMs ? timeText(a.silencedUntil) : QString();
        const qint64 since = a.state == QLatin1String("resolved") ? a.resolvedAt : a.state == QLatin1String("firing") && a.firedAt ? a.firedAt : a.activeSince;
        const QString state = a.state == QLatin1String("resolved") ? tr("resolved") : a.state;
        auto *item = new QTreeWidgetItem(m_table, {a.rule, state, timeText(since), std::isfinite(a.value) ? QString::number(a.value, 'g', 4) : QStringLiteral("—"),
                                                   a.labels, a.summary, acknowledged, silenced});
        item->setData(RuleColumn, IdRole, a.id);
        item->setForeground(StateColumn, stateColor(a.state));
        QFont bold = item->font(StateColumn);
        bold.setBold(a.state != QLatin1String("resolved"));
        item->setFont(StateColumn, bold);
        item->setTextAlignment(ValueColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setToolTip(SinceColumn, tr("active since %1%2%3")
                                          .arg(timeText(a.activeSince),
                                               a.firedAt ? tr(", firing since %1").arg(timeText(a.firedAt)) : QString(),
                                               a.resolvedAt ? tr(", resolved at %1").arg(timeText(a.resolvedAt)) : QString()));
        item->setToolTip(LabelsColumn, a.labels);
        item->setToolTip(SummaryColumn, a.summary);
    }
    for (int c = 0; c < m_table->columnCount(); ++c)
        m_table->resizeColumnToContents(c);
    m_table->setColumnWidth(LabelsColumn, std::min(m_table->columnWidth(LabelsColumn), 260));
    m_table->setColumnWidth(SummaryColumn, std::min(m_table->columnWidth(SummaryColumn), 320));
    if (keep)
        selectAlert(keep);
    if (!selectedAlert() && m_table->topLevelItemCount() && activeCount())
        m_table->setCurrentItem(m_table->topLevelItem(0));
    m_note->setText(alerts.isEmpty() ? tr("No alert on this endpoint in the last week. Rules come from alerts.yaml at the workspace root "
                                          "(or the defaults: drift, accuracy below 0.8, p99 above 0.5 s, errors above 5 %).")
                                     : QString());
    updateButtons();
}

void AlertsPanel::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

qint64 AlertsPanel::selectedAlert() const
{
    const QTreeWidgetItem *item = m_table->currentItem();
    return item && item->isSelected() ? item->data(RuleColumn, IdRole).toLongLong() : 0;
}

bool AlertsPanel::selectAlert(qint64 id)
{
    for (int i = 0; i < m_table->topLevelItemCount(); ++i)
        if (m_table->topLevelItem(i)->data(RuleColumn, IdRole).toLongLong() == id) {
            m_table->setCurrentItem(m_table->topLevelItem(i));
            return true;
        }
    return false;
}

int AlertsPanel::activeCount() const
{
    return int(std::count_if(m_alerts.cbegin(), m_alerts.cend(), [](const AlertRow &a) { return a.state != QLatin1String("resolved"); }));
}

int AlertsPanel::firingCount() const
{
    return int(std::count_if(m_alerts.cbegin(), m_alerts.cend(), [](const AlertRow &a) { return a.state == QLatin1String("firing"); }));
}

void AlertsPanel::updateButtons()
{
    const qint64 id = selectedAlert();
    const auto it = std::find_if(m_alerts.cbegin(), m_alerts.cend(), [id](const AlertRow &a) { return a.id == id; });
    const bool active = it != m_alerts.cend() && it->state != QLatin1String("resolved");
    m_acknowledge->setEnabled(active && !m_busy); // a resolved alert needs no one to look at it any more
    m_silence->setEnabled(id != 0 && !m_busy);
}

} // namespace orrery::ui
