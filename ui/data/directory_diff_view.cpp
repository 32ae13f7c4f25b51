#include "ui/data/directory_diff_view.h"

#include "ui/data/change_highlight_delegate.h"
#include "ui/data/data_table.h"
#include "ui/data/file_change_model.h"
#include "ui/data/table_diff_view.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>

namespace orrery::ui {

DirectoryDiffView::DirectoryDiffView(QWidget *parent)
    : QWidget(parent),
      m_model(new FileChangeModel(this)),
      m_view(new QTableView),
      m_summary(new QLabel),
      m_side(new QStackedWidget),
      m_note(makeNoteLabel()),
      m_diff(new TableDiffView)
{
    m_summary->setObjectName(QStringLiteral("directoryDiffSummary"));
    m_view->setObjectName(QStringLiteral("fileChangeTable"));
    m_view->setModel(m_model);
    setUpDataTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setItemDelegate(new ChangeHighlightDelegate(FileChangeModel::ChangedRole, m_view));
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(FileChangeModel::ChangeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FileChangeModel::PathColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(FileChangeModel::SizeBefore, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FileChangeModel::SizeAfter, QHeaderView::ResizeToContents);
    layOutDirectoryView(this, m_summary, m_view, m_side, m_note, m_diff);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { Q_EMIT changeSelected(current.isValid() ? current.row() : -1); });
}

void DirectoryDiffView::setChanges(const QVector<FileChange> &changes)
{
    m_model->setChanges(changes);
    if (changes.isEmpty()) {
        m_summary->setText(tr("The two versions hold the same files."));
        showNote(QString());
        return;
    }
    m_summary->setText(tr("%1 added · %2 removed · %3 modified")
                           .arg(m_model->count(FileChange::Added))
                           .arg(m_model->count(FileChange::Removed))
                           .arg(m_model->count(FileChange::Modified)));
    showNote(tr("Select a modified CSV file to compare its statistics."));
}

void DirectoryDiffView::clear()
{
    m_model->clear();
    m_summary->clear();
    showNote(QString());
}

void DirectoryDiffView::showNote(const QString &text)
{
    m_note->setText(text);
    m_side->setCurrentWidget(m_note);
}

void DirectoryDiffView::showDiff(ProfilePtr before, ProfilePtr after)
{
    m_diff->setProfiles(std::move(before), std::move(after));
    m_side->setCurrentWidget(m_diff);
}

QString DirectoryDiffView::summaryText() const
{
    return m_summary->text();
}

} // namespace orrery::ui
