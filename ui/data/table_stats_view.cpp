#include "ui/data/table_stats_view.h"

#include "ui/common/stat_format.h"
#include "ui/data/column_stats_model.h"
#include "ui/data/data_table.h"
#include "ui/data/histogram_delegate.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace orrery::ui {

TableStatsView::TableStatsView(QWidget *parent)
    : QWidget(parent), m_model(new ColumnStatsModel(this)), m_view(new QTableView(this)), m_summary(new QLabel(this))
{
    m_summary->setObjectName(QStringLiteral("statsSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_view->setObjectName(QStringLiteral("statsTable"));
    m_view->setModel(m_model);
    setUpDataTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setItemDelegateForColumn(ColumnStatsModel::HistogramColumn,
                                     new HistogramDelegate(ColumnStatsModel::HistogramRole, m_view));
    // Room for the bars: taller rows than a plain list, still ~25 columns on a laptop screen.
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 14);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    for (int c = 0; c < ColumnStatsModel::ColumnCount; ++c)
        header->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    // Top values can be long: they take what is left and elide, the full list is in the tooltip.
    header->setSectionResizeMode(ColumnStatsModel::TopColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(ColumnStatsModel::HistogramColumn, QHeaderView::Fixed);
    header->resizeSection(ColumnStatsModel::HistogramColumn, 130);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
}

void TableStatsView::setProfile(ProfilePtr profile)
{
    if (profile) {
        m_summary->setText(tr("%1 rows × %2 columns · %3")
                               .arg(statformat::count(profile->rows), statformat::count(qint64(profile->columns.size())),
                                    statformat::bytes(profile->bytes)));
    } else {
        m_summary->clear();
    }
    m_model->setProfile(std::move(profile));
}

void TableStatsView::clear()
{
    setProfile(nullptr);
}

QString TableStatsView::summaryText() const
{
    return m_summary->text();
}

} // namespace orrery::ui
