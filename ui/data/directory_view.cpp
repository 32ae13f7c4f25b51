#include "ui/data/directory_view.h"

#include "ui/common/stat_format.h"
#include "ui/data/data_table.h"
#include "ui/data/file_list_model.h"
#include "ui/data/table_stats_view.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>

namespace orrery::ui {

DirectoryView::DirectoryView(QWidget *parent)
    : QWidget(parent),
      m_model(new FileListModel(this)),
      m_view(new QTableView),
      m_summary(new QLabel),
      m_side(new QStackedWidget),
      m_note(makeNoteLabel()),
      m_stats(new TableStatsView)
{
    m_view->setObjectName(QStringLiteral("fileTable"));
    m_view->setModel(m_model);
    setUpDataTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(FileListModel::PathColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(FileListModel::SizeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FileListModel::HashColumn, QHeaderView::Interactive);
    header->resizeSection(FileListModel::HashColumn, 120);
    layOutDirectoryView(this, m_summary, m_view, m_side, m_note, m_stats);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { Q_EMIT fileSelected(current.isValid() ? current.row() : -1); });
}

void DirectoryView::setFiles(const QVector<ContentFile> &files)
{
    m_model->setFiles(files);
    qint64 total = 0;
    int tables = 0;
    for (const ContentFile &f : files) {
        total += std::max<qint64>(0, f.size);
        tables += isTablePath(f.relpath) ? 1 : 0;
    }
    m_summary->setText(tr("%1 files · %2").arg(statformat::count(files.size()), statformat::bytes(total)));
    showNote(tables > 0 ? tr("Select a CSV file to see its statistics.")
                        : tr("This directory holds no CSV files; statistics are computed for CSV and TSV files."));
}

void DirectoryView::clear()
{
    setFiles({});
}

void DirectoryView::showNote(const QString &text)
{
    m_note->setText(text);
    m_side->setCurrentWidget(m_note);
}

void DirectoryView::showStats(ProfilePtr profile)
{
    m_stats->setProfile(std::move(profile));
    m_side->setCurrentWidget(m_stats);
}

QString DirectoryView::summaryText() const
{
    return m_summary->text();
}

} // namespace orrery::ui
