#include "ui/deployments/traffic_split_delegate.h"

#include "ui/deployments/endpoint_table_model.h"

#include <QApplication>
#include <QPainter>
#include <QVariantMap>

namespace orrery::ui {
namespace {

QColor roleColor(const QString &role)
{
    if (role == QLatin1String("stable"))
        return QColor(0x42, 0x7a, 0xc9);
    if (role == QLatin1String("candidate"))
        return QColor(0xe6, 0x8a, 0x19);
    return QColor(0x8e, 0x6c, 0xc2); // preview, shadow
}

} // namespace

void TrafficSplitDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const QVariantList parts = index.data(EndpointTableModel::WeightsRole).toList();
    QRect bar = option.rect.adjusted(3, 4, -3, -4);
    if (parts.isEmpty() || bar.width() < 20) {
        painter->drawText(bar, Qt::AlignVCenter | Qt::AlignLeft, tr("no traffic"));
        return;
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    // Room for the tags (preview, shadow) after the bar.
    int tags = 0;
    for (const QVariant &p : parts)
        if (p.toMap().value(QStringLiteral("percent")).toInt() == 0)
            ++tags;
    const int tagWidth = tags ? std::min(90, bar.width() / 3) : 0;
    QRect weighted = bar.adjusted(0, 0, -tagWidth * tags, 0);
    int x = weighted.left();
    const QFontMetrics fm(option.font);
    for (int i = 0; i < parts.size(); ++i) {
        const QVariantMap p = parts[i].toMap();
        const int percent = p.value(QStringLiteral("percent")).toInt();
        const QString role = p.value(QStringLiteral("role")).toString();
        const QString label = QStringLiteral("v%1 %2 %").arg(p.value(QStringLiteral("version")).toInt()).arg(percent);
        QRect seg;
        if (percent > 0) {
            const bool last = i + 1 == parts.size() || parts[i + 1].toMap().value(QStringLiteral("percent")).toInt() == 0;
            const int w = last ? weighted.right() + 1 - x : std::max(2, weighted.width() * percent / 100);
            seg = QRect(x, weighted.top(), w, weighted.height());
            x += w;
            painter->fillRect(seg, roleColor(role));
        } else {
            seg = QRect(weighted.right() + 1 + tagWidth * (i - (parts.size() - tags)), bar.top(), tagWidth, bar.height()).adjusted(3, 0, 0, 0);
            painter->fillRect(seg, QBrush(roleColor(role), Qt::BDiagPattern));
            painter->setPen(roleColor(role));
            painter->drawRect(seg.adjusted(0, 0, -1, -1));
        }
        QString text = percent > 0 ? label : QStringLiteral("%1 v%2").arg(role).arg(p.value(QStringLiteral("version")).toInt());
        if (fm.horizontalAdvance(text) + 4 > seg.width() && percent > 0)
            text = QStringLiteral("%1 %").arg(percent); // a thin canary keeps its share at least
        if (fm.horizontalAdvance(text) + 4 <= seg.width()) {
            painter->setPen(percent > 0 ? Qt::white : option.palette.color(QPalette::Text));
            painter->drawText(seg, Qt::AlignCenter, text);
        }
    }
    painter->restore();
}

QSize TrafficSplitDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    s.setWidth(std::max(s.width(), 220));
    s.setHeight(std::max(s.height(), option.fontMetrics.height() + 10));
    return s;
}

} // namespace orrery::ui
