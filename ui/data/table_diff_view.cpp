#include "ui/data/table_diff_view.h"

#include "ui/common/stat_format.h"
#include "ui/data/change_highlight_delegate.h"
#include "ui/data/column_diff_model.h"
#include "ui/data/data_table.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace orrery::ui {

TableDiffView::TableDiffView(QWidget *parent)
    : QWidget(parent), m_model(new ColumnDiffModel(this)), m_view(new QTableView(this)), m_summary(new QLabel(this))
{
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_view->setObjectName(QStringLiteral("diffTable"));
    m_view->setModel(m_model);
    setUpDataTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    auto *delegate = new ChangeHighlightDelegate(ColumnDiffModel::ChangedRole, m_view);
    delegate->setGroupStarts({ColumnDiffModel::MeanBefore, ColumnDiffModel::StdBefore, ColumnDiffModel::NullsBefore,
                              ColumnDiffModel::DistinctBefore});
    m_view->setItemDelegate(delegate);
    QHeaderView *header = m_view->horizontalHeader();
    // Figures sit next to the names they belong to; what is left over stays empty on the right
    // rather than pulling names and figures apart.
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(m_view->fontMetrics().horizontalAdvance(QStringLiteral("0.000000")) + 12);
    for (int c = 0; c < ColumnDiffModel::ColumnCount; ++c)
        header->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    // What changed, in words, gets room for a few phrases; the tooltip has them all, one a line.
    header->setSectionResizeMode(ColumnDiffModel::WhatColumn, QHeaderView::Interactive);
    header->resizeSection(ColumnDiffModel::WhatColumn, m_view->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 44);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
}

void TableDiffView::setProfiles(ProfilePtr before, ProfilePtr after)
{
    m_model->setProfiles(std::move(before), std::move(after));
    if (!m_model->hasDiff()) {
        m_summary->clear();
        return;
    }
    const data::TableDiff &diff = m_model->diff();
    int counts[5] = {0, 0, 0, 0, 0};
    for (const data::ColumnChange &c : diff.columns)
        ++counts[c.kind];
    QStringList parts{tr("%1 → %2 rows (%3)")
                          .arg(statformat::count(diff.rowsBefore), statformat::count(diff.rowsAfter),
                               statformat::signedCount(diff.rowsAfter - diff.rowsBefore))};
    const auto add = [&](int n, const QString &one, const QString &many) {
        if (n > 0)
            parts << (n == 1 ? one : many.arg(n));
    };
    add(counts[data::ColumnChange::Changed], tr("1 column changed"), tr("%1 columns changed"));
    add(counts[data::ColumnChange::Retyped], tr("1 column retyped"), tr("%1 columns retyped"));
    add(counts[data::ColumnChange::Added], tr("1 column added"), tr("%1 columns added"));
    add(counts[data::ColumnChange::Removed], tr("1 column removed"), tr("%1 columns removed"));
    if (parts.size() == 1)
        parts << tr("no column changed");
    m_summary->setText(parts.join(QStringLiteral(" · ")));
}

void TableDiffView::clear()
{
    setProfiles(nullptr, nullptr);
}

QString TableDiffView::summaryText() const
{
    return m_summary->text();
}

} // namespace orrery::ui
