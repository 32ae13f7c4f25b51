#include "ui/deployments/rollout_timeline.h"

#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::ui {
namespace {

QColor kindColor(const QString &kind)
{
    if (kind == QLatin1String("aborted") || kind == QLatin1String("rolled_back"))
        return QColor(0xc6, 0x28, 0x28);
    if (kind == QLatin1String("completed") || kind == QLatin1String("promoted"))
        return QColor(0x2e, 0x7d, 0x32);
    if (kind == QLatin1String("paused") || kind == QLatin1String("inconclusive"))
        return QColor(0xb2, 0x6a, 0x00);
    return QColor();
}

// {"1":95,"2":5,"preview":2} → "v1 95 % · v2 5 % · preview v2"
QString weightsText(const QString &json)
{
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    QStringList parts;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() == QLatin1String("preview") || it.key() == QLatin1String("shadow"))
            parts << QStringLiteral("%1 v%2").arg(it.key()).arg(it.value().toInt());
        else
            parts << QStringLiteral("v%1 %2 %").arg(it.key()).arg(it.value().toInt());
    }
    return parts.isEmpty() ? QStringLiteral("—") : parts.join(QStringLiteral(" · "));
}

} // namespace

RolloutTimeline::RolloutTimeline(QWidget *parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("deploymentTimeline"));
    setHeaderLabels({tr("Time"), tr("Event"), tr("Versions"), tr("Traffic after"), tr("Detail"), tr("By")});
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setWordWrap(false);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(DetailColumn, QHeaderView::Stretch);
    header()->setMinimumSectionSize(40);
}

void RolloutTimeline::clearEvents()
{
    clear();
    m_newestId = -1;
    m_count = -1;
}

void RolloutTimeline::setEvents(const QVector<deploy::DeploymentEvent> &events)
{
    const qint64 newest = events.isEmpty() ? 0 : events.first().id;
    if (newest == m_newestId && events.size() == m_count)
        return;
    m_newestId = newest;
    m_count = int(events.size());
    clear();
    for (const deploy::DeploymentEvent &e : events) {
        QString versions = e.stableVersion ? QStringLiteral("v%1").arg(e.stableVersion) : QStringLiteral("—");
        if (e.candidateVersion)
            versions += QStringLiteral(" → v%1").arg(e.candidateVersion);
        auto *item = new QTreeWidgetItem(this, {e.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), e.kind, versions,
                                                weightsText(e.weights), e.detail, e.actor});
        item->setToolTip(DetailColumn, e.detail);
        item->setToolTip(TimeColumn, e.time.toLocalTime().toString(Qt::ISODateWithMs));
        if (const QColor c = kindColor(e.kind); c.isValid()) {
            item->setForeground(KindColumn, c);
            QFont f = item->font(KindColumn);
            f.setBold(true);
            item->setFont(KindColumn, f);
        }
    }
    for (int c : {TimeColumn, KindColumn, VersionsColumn, WeightsColumn, ActorColumn})
        resizeColumnToContents(c);
}

QString RolloutTimeline::kindAt(int row) const
{
    const QTreeWidgetItem *item = topLevelItem(row);
    return item ? item->text(KindColumn) : QString();
}

QString RolloutTimeline::detailAt(int row) const
{
    const QTreeWidgetItem *item = topLevelItem(row);
    return item ? item->text(DetailColumn) : QString();
}

} // namespace orrery::ui
