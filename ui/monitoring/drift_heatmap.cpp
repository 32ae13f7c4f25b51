#include "ui/monitoring/drift_heatmap.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace orrery::ui {
namespace {

constexpr int kRowHeight = 18;   // preferred
constexpr int kMinRowHeight = 7;
constexpr int kMaxLabelWidth = 150;

QString figure(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("—");
    const double a = std::abs(v);
    if (a != 0 && a < 1e-3)
        return QString::number(v, 'e', 2);
    return QString::number(v, 'g', 3);
}

QString timeText(qint64 ms, const QString &format) { return QDateTime::fromMSecsSinceEpoch(ms).toString(format); }

} // namespace

DriftHeatmap::DriftHeatmap(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("driftHeatmap"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void DriftHeatmap::setData(const DriftHeatmapData &data)
{
    m_data = data;
    measureLabels();
    m_hoverRow = m_hoverColumn = -1;
    updateGeometry();
    update();
}

void DriftHeatmap::measureLabels()
{
    const QFontMetrics fm(font());
    m_labelWidth = 0;
    for (const QString &f : m_data.features)
        m_labelWidth = std::max(m_labelWidth, fm.horizontalAdvance(f));
}

void DriftHeatmap::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        measureLabels();
    QWidget::changeEvent(event);
}

void DriftHeatmap::setSelection(const QString &feature, qint64 windowId)
{
    m_feature = feature;
    m_windowId = windowId;
    update();
}

DriftHeatmap::CellState DriftHeatmap::stateOf(const DriftCell &cell)
{
    if (!cell.present || cell.status == QLatin1String("no_data") || cell.status == QLatin1String("insufficient"))
        return CellState::NoData;
    if (cell.alarm)
        return CellState::Alarm;
    if (cell.drifted)
        return CellState::Near;
    if (std::isfinite(cell.effect) && std::isfinite(cell.effectThreshold) && cell.effectThreshold > 0
        && cell.effect >= kNearShare * cell.effectThreshold)
        return CellState::Near;
    return CellState::Below;
}

QColor DriftHeatmap::colorOf(CellState state)
{
    switch (state) {
    case CellState::Below: return QColor(0x5c, 0xb8, 0x5c);
    case CellState::Near: return QColor(0xf0, 0xad, 0x2e);
    case CellState::Alarm: return QColor(0xd9, 0x35, 0x30);
    case CellState::NoData: return QColor(0xc4, 0xc4, 0xc4);
    }
    return Qt::gray;
}

DriftHeatmap::CellState DriftHeatmap::cellState(int row, int column) const
{
    if (row < 0 || row >= m_data.cells.size() || column < 0 || column >= m_data.cells[row].size())
        return CellState::NoData;
    return stateOf(m_data.cells[row][column]);
}

DriftHeatmap::Geometry DriftHeatmap::geometry() const
{
    Geometry g;
    const QFontMetrics fm(font());
    g.labelWidth = std::min(kMaxLabelWidth, m_labelWidth + 10);
    const int top = fm.height() + 6;        // the legend
    const int bottom = fm.height() + 4;     // the time labels
    const int columns = std::max<int>(1, int(m_data.windowIds.size()));
    const int rows = std::max<int>(1, int(m_data.features.size()));
    const int availableWidth = std::max(1, width() - g.labelWidth - 4);
    const int availableHeight = std::max(1, height() - top - bottom);
    g.cellWidth = std::min<double>(kMaxCellWidth, double(availableWidth) / columns);
    g.cellHeight = std::clamp<double>(double(availableHeight) / rows, kMinRowHeight, kRowHeight + 4);
    g.grid = QRect(g.labelWidth, top, int(std::ceil(g.cellWidth * columns)), int(std::ceil(g.cellHeight * rows)));
    return g;
}

QRect DriftHeatmap::cellRect(int row, int column) const
{
    if (row < 0 || row >= m_data.features.size() || column < 0 || column >= m_data.windowIds.size())
        return {};
    return cellRect(geometry(), row, column);
}

QRect DriftHeatmap::cellRect(const Geometry &g, int row, int column)
{
    const int x0 = g.grid.left() + int(std::floor(column * g.cellWidth));
    const int x1 = g.grid.left() + int(std::floor((column + 1) * g.cellWidth));
    const int y0 = g.grid.top() + int(std::floor(row * g.cellHeight));
    const int y1 = g.grid.top() + int(std::floor((row + 1) * g.cellHeight));
    return QRect(x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0));
}

bool DriftHeatmap::cellAt(const QPoint &pos, int &row, int &column) const
{
    const Geometry g = geometry();
    if (m_data.features.isEmpty() || m_data.windowIds.isEmpty() || !g.grid.contains(pos))
        return false;
    column = int((pos.x() - g.grid.left()) / g.cellWidth);
    row = int((pos.y() - g.grid.top()) / g.cellHeight);
    return row >= 0 && row < m_data.features.size() && column >= 0 && column < m_data.windowIds.size();
}

int DriftHeatmap::columnsThatFit() const
{
    const Geometry g = geometry();
    return std::max(10, (width() - g.labelWidth - 4) / kMinCellWidth);
}

QSize DriftHeatmap::sizeHint() const
{
    const QFontMetrics fm(font());
    const int rows = std::max<int>(4, int(m_data.features.size()));
    return QSize(600, 2 * fm.height() + 10 + rows * kRowHeight);
}

QSize DriftHeatmap::minimumSizeHint() const
{
    const QFontMetrics fm(font());
    const int rows = std::max<int>(2, int(m_data.features.size()));
    return QSize(240, 2 * fm.height() + 10 + std::min(rows * 12, 8 * 12));
}

QString DriftHeatmap::toolTipAt(const QPoint &pos) const
{
    int row = 0, column = 0;
    if (!cellAt(pos, row, column))
        return QString();
    const DriftCell &c = m_data.cells[row][column];
    const QString when = QStringLiteral("%1 – %2").arg(timeText(m_data.starts[column], QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                                       timeText(m_data.ends[column], QStringLiteral("HH:mm:ss")));
    QStringList lines{QStringLiteral("<b>%1</b> — window %2").arg(m_data.features[row].toHtmlEscaped(), when)};
    if (!c.present) {
        lines << tr("No row for this feature in this window.");
    } else {
        const CellState state = stateOf(c);
        const QString verdict = state == CellState::Alarm ? tr("in alarm (drift after hysteresis)")
                              : state == CellState::NoData ? tr("no verdict: %1").arg(c.status)
                              : c.drifted                   ? tr("drifted this window; not in alarm yet")
                              : state == CellState::Near    ? tr("near its threshold")
                                                            : tr("below its threshold");
        lines << tr("Test: %1 — statistic %2, p-value %3 (threshold %4)")
                     .arg(c.test.isEmpty() ? QStringLiteral("—") : c.test, figure(c.statistic), figure(c.pValue), figure(c.threshold));
        lines << tr("Effect: %1 (threshold %2)").arg(figure(c.effect), figure(c.effectThreshold));
        lines << verdict;
    }
    lines << tr("<i>Click to show this feature in this window.</i>");
    return lines.join(QStringLiteral("<br>"));
}

bool DriftHeatmap::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void DriftHeatmap::mousePressEvent(QMouseEvent *event)
{
    int row = 0, column = 0;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), row, column)) {
        m_feature = m_data.features[row];
        m_windowId = m_data.windowIds[column];
        update();
        Q_EMIT cellClicked(m_feature, m_windowId);
        return;
    }
    QWidget::mousePressEvent(event);
}

void DriftHeatmap::mouseMoveEvent(QMouseEvent *event)
{
    int row = -1, column = -1;
    if (!cellAt(event->position().toPoint(), row, column))
        row = column = -1;
    if (row != m_hoverRow || column != m_hoverColumn) {
        m_hoverRow = row;
        m_hoverColumn = column;
        setCursor(row >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void DriftHeatmap::leaveEvent(QEvent *event)
{
    m_hoverRow = m_hoverColumn = -1;
    update();
    QWidget::leaveEvent(event);
}

void DriftHeatmap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QFontMetrics fm(font());
    const Geometry g = geometry();

    // Legend, on the top line.
    {
        int x = g.labelWidth;
        const int y = 2;
        const int box = fm.height() - 4;
        const QList<std::pair<CellState, QString>> keys{{CellState::Below, tr("below threshold")},
                                                        {CellState::Near, tr("near (≥ 80 %) or drifting")},
                                                        {CellState::Alarm, tr("in alarm")},
                                                        {CellState::NoData, tr("no data")}};
        for (const auto &[state, text] : keys) {
            p.fillRect(QRect(x, y + 2, box, box), colorOf(state));
            x += box + 4;
            p.setPen(palette().color(QPalette::WindowText));
            p.drawText(QRect(x, y, fm.horizontalAdvance(text) + 2, fm.height()), Qt::AlignVCenter | Qt::AlignLeft, text);
            x += fm.horizontalAdvance(text) + 14;
        }
    }
    if (m_data.features.isEmpty() || m_data.windowIds.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(0, fm.height() + 6, 0, 0), Qt::AlignCenter, tr("No drift windows yet."));
        return;
    }

    // Cells: a one-pixel gap between them while they are wide enough to spare it.
    const bool gap = g.cellWidth >= 5;
    for (int r = 0; r < m_data.features.size(); ++r) {
        for (int c = 0; c < m_data.windowIds.size(); ++c) {
            QRect cell = cellRect(g, r, c);
            if (gap)
                cell.adjust(0, 0, -1, -1);
            p.fillRect(cell, colorOf(cellState(r, c)));
        }
    }
    // The selected window (a column outline) and the hovered cell.
    const int selectedColumn = int(m_data.windowIds.indexOf(m_windowId));
    if (selectedColumn >= 0) {
        const QRect top = cellRect(g, 0, selectedColumn), bottom = cellRect(g, int(m_data.features.size()) - 1, selectedColumn);
        p.setPen(QPen(palette().color(QPalette::WindowText), 1.5));
        p.drawRect(top.united(bottom).adjusted(0, 0, -1, -1));
    }
    if (m_hoverRow >= 0) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2));
        p.drawRect(cellRect(g, m_hoverRow, m_hoverColumn).adjusted(0, 0, -1, -1));
    }

    // Row labels: the selected feature bold.
    for (int r = 0; r < m_data.features.size(); ++r) {
        const QRect row = cellRect(g, r, 0);
        QFont f = font();
        f.setBold(m_data.features[r] == m_feature);
        if (g.cellHeight < fm.height())
            f.setPointSizeF(std::max(6.0, f.pointSizeF() * g.cellHeight / fm.height()));
        p.setFont(f);
        p.setPen(palette().color(m_data.features[r] == m_feature ? QPalette::Highlight : QPalette::WindowText));
        const QString text = QFontMetrics(f).elidedText(m_data.features[r], Qt::ElideMiddle, g.labelWidth - 8);
        p.drawText(QRect(0, row.top(), g.labelWidth - 6, row.height()), Qt::AlignVCenter | Qt::AlignRight, text);
    }
    p.setFont(font());

    // Time labels under the grid: the first window, the last, and between them where they fit.
    const qint64 span = m_data.ends.last() - m_data.starts.first();
    const QString format = span > 20LL * 3600 * 1000 ? QStringLiteral("MMM d HH:mm") : span < 10LL * 60 * 1000 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    const int labelWidth = fm.horizontalAdvance(timeText(m_data.starts.first(), format)) + 16;
    const int y = g.grid.bottom() + 3;
    p.setPen(palette().color(QPalette::WindowText));
    const int columns = int(m_data.windowIds.size());
    const int every = std::max(1, int(std::ceil(labelWidth / g.cellWidth)));
    int lastRight = -1;
    for (int c = 0; c < columns; c += every) {
        const QRect cell = cellRect(g, 0, c);
        const QString text = timeText(m_data.starts[c], format);
        const int w = fm.horizontalAdvance(text);
        const int x = std::clamp(cell.center().x() - w / 2, g.grid.left(), width() - w - 2);
        if (x <= lastRight + 8)
            continue;
        // Keep room for the last column's label.
        if (c != columns - 1 && x + w + 8 > cellRect(g, 0, columns - 1).center().x() - w / 2 && columns > 1)
            break;
        p.drawLine(cell.center().x(), g.grid.bottom() + 1, cell.center().x(), y);
        p.drawText(QRect(x, y, w + 2, fm.height()), Qt::AlignLeft | Qt::AlignTop, text);
        lastRight = x + w;
    }
    if (columns > 1) {
        const QRect cell = cellRect(g, 0, columns - 1);
        const QString text = timeText(m_data.starts[columns - 1], format);
        const int w = fm.horizontalAdvance(text);
        const int x = std::clamp(cell.center().x() - w / 2, g.grid.left(), width() - w - 2);
        if (x > lastRight + 8) {
            p.drawLine(cell.center().x(), g.grid.bottom() + 1, cell.center().x(), y);
            p.drawText(QRect(x, y, w + 2, fm.height()), Qt::AlignLeft | Qt::AlignTop, text);
        }
    }
}

} // namespace orrery::ui
