#include "ui/data/data_area.h"

#include "core/common/job.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/data/data_detail_panel.h"
#include "ui/data/data_table.h"
#include "ui/data/data_worker.h"
#include "ui/data/dataset_list_model.h"
#include "ui/data/dataset_poller.h"
#include "ui/data/version_list_model.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <memory>

namespace orrery::ui {
namespace {

QWidget *section(QLabel *title, QLabel *note, QTableView *view, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto *heading = new QHBoxLayout;
    heading->addWidget(title);
    heading->addStretch();
    heading->addWidget(note);
    layout->addLayout(heading);
    layout->addWidget(view, 1);
    return box;
}

} // namespace

DataArea::DataArea(const AreaInfo &area, common::JobTracker *tracker, QWidget *parent)
    : QWidget(parent),
      m_poller(new DatasetPoller(this)),
      m_datasets(new DatasetListModel(this)),
      m_versions(new VersionListModel(this)),
      m_pages(new QStackedWidget(this)),
      m_empty(new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart)),
      m_content(new QWidget),
      m_datasetView(new QTableView),
      m_datasetNote(makeNoteLabel()),
      m_versionTitle(makeSectionLabel(tr("Versions"))),
      m_versionNote(makeNoteLabel()),
      m_versionView(new QTableView),
      m_detail(new DataDetailPanel(tracker))
{
    setObjectName(QStringLiteral("area.") + area.id);
    m_empty->setObjectName(QStringLiteral("area.%1.empty").arg(area.id));
    m_content->setObjectName(QStringLiteral("area.%1.content").arg(area.id));

    m_datasetView->setObjectName(QStringLiteral("datasetTable"));
    m_datasetView->setModel(m_datasets);
    setUpDataTable(m_datasetView);
    m_datasetView->setSelectionMode(QAbstractItemView::SingleSelection);
    QHeaderView *datasetHeader = m_datasetView->horizontalHeader();
    datasetHeader->setStretchLastSection(false);
    datasetHeader->setSectionResizeMode(DatasetListModel::PathColumn, QHeaderView::Stretch);
    for (int c : {DatasetListModel::SizeColumn, DatasetListModel::FilesColumn, DatasetListModel::StatusColumn})
        datasetHeader->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_datasetNote->setObjectName(QStringLiteral("datasetNote"));
    m_datasetNote->setWordWrap(false);

    m_versionView->setObjectName(QStringLiteral("versionTable"));
    m_versionView->setModel(m_versions);
    setUpDataTable(m_versionView);
    // Ctrl-click (or Shift-click) a second version to compare: extended selection does both.
    m_versionView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_versionView->setContextMenuPolicy(Qt::CustomContextMenu);
    QHeaderView *versionHeader = m_versionView->horizontalHeader();
    versionHeader->setStretchLastSection(false);
    for (int c : {VersionListModel::VersionColumn, VersionListModel::DateColumn, VersionListModel::AuthorColumn,
                  VersionListModel::HashColumn})
        versionHeader->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    versionHeader->setSectionResizeMode(VersionListModel::SummaryColumn, QHeaderView::Stretch);
    m_versionNote->setObjectName(QStringLiteral("versionNote"));
    m_versionNote->setWordWrap(false);
    m_versionNote->setText(tr("Ctrl-click a second version to compare"));

    auto *top = new QSplitter(Qt::Horizontal);
    top->setChildrenCollapsible(false);
    top->addWidget(section(makeSectionLabel(tr("Datasets")), m_datasetNote, m_datasetView, top));
    top->addWidget(section(m_versionTitle, m_versionNote, m_versionView, top));
    top->setStretchFactor(0, 2);
    top->setStretchFactor(1, 3);
    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("dataSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(top);
    split->addWidget(m_detail);
    // The lists are short (a few datasets, a few versions); the statistics need the height.
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    split->setSizes({200, 600});
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(10, 8, 10, 8);
    contentLayout->addWidget(split);

    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);

    connect(m_poller, &DatasetPoller::loaded, this, &DataArea::applyDatasets);
    connect(m_poller, &DatasetPoller::failed, this, &DataArea::showPollProblem);
    connect(m_datasetView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DataArea::onDatasetSelectionChanged);
    connect(m_versionView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DataArea::onVersionSelectionChanged);
    connect(m_versionView, &QWidget::customContextMenuRequested, this, &DataArea::showVersionMenu);
    clear();
}

DataArea::~DataArea()
{
    if (m_versionJob)
        m_versionJob->cancel();
}

void DataArea::setWorkspaceRoot(const QString &root)
{
    clear();
    m_root = root;
    m_detail->setWorkspaceRoot(root);
    m_poller->setRoot(root);
}

void DataArea::clear()
{
    m_root.clear();
    m_pendingPath.clear();
    m_poller->clear();
    ++m_versionRequest;
    m_selectedPath.clear();
    m_versionsFingerprint.clear();
    m_selectedRevisions.clear();
    m_detailKey.clear();
    m_datasets->clear();
    m_versions->clear();
    m_datasetNote->clear();
    m_versionTitle->setText(tr("Versions"));
    m_detail->setWorkspaceRoot(QString());
    m_pages->setCurrentWidget(m_empty);
}

bool DataArea::isShowingData() const
{
    return m_pages->currentWidget() == m_content;
}

void DataArea::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_poller->setActive(true);
    m_poller->refresh();
}

void DataArea::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poller->setActive(false); // status costs a little each time: only while someone looks
}

void DataArea::applyDatasets(const QVector<DatasetEntry> &entries)
{
    m_datasetNote->clear();
    if (entries.isEmpty()) {
        m_datasets->clear();
        m_pages->setCurrentWidget(m_empty);
        return;
    }
    m_pages->setCurrentWidget(m_content);
    QString keep = m_selectedPath; // a reset of the model may clear the selection
    m_datasets->setEntries(entries);
    if (!m_pendingPath.isEmpty()) {
        keep = m_pendingPath;
        if (m_datasets->findPath(keep) < 0)
            m_datasetNote->setText(tr("%1 is not a dataset this workspace tracks (it may be a pipeline's working file)").arg(m_pendingPath));
        m_pendingPath.clear();
    }
    // Files counts only mean something for directories; a column of blanks is noise.
    const bool anyDirectory = std::any_of(entries.begin(), entries.end(), [](const DatasetEntry &e) { return e.isDirectory; });
    m_datasetView->setColumnHidden(DatasetListModel::FilesColumn, !anyDirectory);
    int row = m_datasets->findPath(keep);
    if (row < 0)
        row = 0; // something is always selected, so the area never opens on blank panes
    const QModelIndex wanted = m_datasets->index(row, 0);
    if (!m_datasetView->selectionModel()->isRowSelected(row, {})) {
        m_datasetView->selectionModel()->select(wanted, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_datasetView->setCurrentIndex(wanted);
    } else if (m_datasets->entryAt(row).fingerprint() != m_versionsFingerprint) {
        loadVersions(m_datasets->entryAt(row)); // same dataset, new state: re-read its versions
    }
}

void DataArea::registerWith(Navigator *navigator)
{
    navigator->registerHandler(QStringLiteral("dataset"), this, [this](const ObjectRef &ref) { showDataset(ref.id); });
}

void DataArea::showDataset(const QString &path)
{
    if (m_datasets->rowCount() == 0) {
        m_pendingPath = path; // the first poll has not answered yet
        return;
    }
    const int row = m_datasets->findPath(path);
    if (row < 0) {
        m_datasetNote->setText(tr("%1 is not a dataset this workspace tracks (it may be a pipeline's working file)").arg(path));
        return;
    }
    m_datasetNote->clear();
    const QModelIndex wanted = m_datasets->index(row, 0);
    m_datasetView->selectionModel()->select(wanted, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_datasetView->setCurrentIndex(wanted);
    m_datasetView->scrollTo(wanted);
}

void DataArea::showPollProblem(const QString &message)
{
    // A broken .dvc file must not look like "no data": show the view and say what is wrong.
    m_pages->setCurrentWidget(m_content);
    m_datasetNote->setText(tr("Could not read the data status"));
    m_datasetNote->setToolTip(message);
    if (m_datasets->rowCount() == 0)
        m_detail->showPlaceholder(tr("Could not read the workspace's data:\n%1").arg(message));
}

void DataArea::onDatasetSelectionChanged()
{
    const QModelIndexList rows = m_datasetView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        ++m_versionRequest;
        m_selectedPath.clear();
        m_versionsFingerprint.clear();
        m_versions->clear();
        m_versionTitle->setText(tr("Versions"));
        m_detailKey.clear();
        m_detail->showPlaceholder(tr("Select a dataset to see its versions."));
        return;
    }
    const DatasetEntry &entry = m_datasets->entryAt(rows.first().row());
    if (entry.path != m_selectedPath)
        m_selectedRevisions.clear(); // another dataset: its newest version is a better start
    m_selectedPath = entry.path;
    loadVersions(entry);
}

void DataArea::loadVersions(const DatasetEntry &entry)
{
    const quint64 request = ++m_versionRequest;
    m_versionsFingerprint = entry.fingerprint();
    m_versionTitle->setText(tr("Versions of %1").arg(entry.path));
    if (m_versionJob)
        m_versionJob->cancel();
    auto versions = std::make_shared<QVector<DataVersion>>();
    auto *job = new common::Job(tr("Reading versions of %1").arg(entry.path), [root = m_root, entry, versions](common::JobContext &) -> Status {
        ORRERY_ASSIGN_OR_RETURN(auto loaded, dataworker::loadVersions(root, entry));
        *versions = std::move(loaded);
        return Status::ok();
    }, this);
    m_versionJob = job;
    connect(job, &common::Job::finished, this, [this, job, request, entry, versions](const Status &status) {
        job->deleteLater();
        if (request != m_versionRequest)
            return; // another dataset was selected (or this one changed) meanwhile
        if (!status) {
            m_versions->clear();
            m_detail->showPlaceholder(tr("Could not read the history of %1:\n%2").arg(entry.dvcFile, status.message()));
            return;
        }
        applyVersions(entry, *versions);
    });
    job->start();
}

void DataArea::applyVersions(const DatasetEntry &entry, const QVector<DataVersion> &versions)
{
    const QStringList wanted = m_selectedRevisions;
    m_restoringSelection = true; // the reset clears the selection: not a user's choice
    m_versions->setVersions(entry.path, versions);
    QList<int> rows;
    for (const QString &revision : wanted)
        if (int row = m_versions->findRevision(revision); row >= 0)
            rows << row;
    if (rows.isEmpty() && !versions.isEmpty())
        rows << 0; // the newest version
    selectVersionRows(rows);
    m_restoringSelection = false;
    if (versions.isEmpty()) {
        m_detailKey.clear();
        m_detail->showPlaceholder(tr("%1 has no versions yet: commit %2 to record one.").arg(entry.path, entry.dvcFile));
        return;
    }
    onVersionSelectionChanged();
}

QList<int> DataArea::selectedVersionRows() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_versionView->selectionModel()->selectedRows())
        rows << index.row();
    std::sort(rows.begin(), rows.end());
    return rows;
}

void DataArea::selectVersionRows(const QList<int> &rows)
{
    QItemSelection selection;
    for (int row : rows)
        selection.select(m_versions->index(row, 0), m_versions->index(row, VersionListModel::ColumnCount - 1));
    m_versionView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!rows.isEmpty())
        m_versionView->selectionModel()->setCurrentIndex(m_versions->index(rows.last(), 0), QItemSelectionModel::NoUpdate);
}

void DataArea::compareVersions(int a, int b)
{
    selectVersionRows({a, b});
}

void DataArea::onVersionSelectionChanged()
{
    if (m_restoringSelection)
        return;
    const int datasetRow = m_datasets->findPath(m_selectedPath);
    if (datasetRow < 0)
        return;
    const DatasetEntry &entry = m_datasets->entryAt(datasetRow);
    const QList<int> rows = selectedVersionRows();
    m_selectedRevisions.clear();
    QStringList key{entry.path};
    for (int row : rows) {
        m_selectedRevisions << m_versions->versionAt(row).revision;
        key << m_versions->versionAt(row).revision << m_versions->versionAt(row).md5 << m_versions->versionAt(row).contentPath;
    }
    // A poll that re-read the versions without changing what is selected asks for nothing new.
    const QString detailKey = key.join(QLatin1Char('|'));
    if (detailKey == m_detailKey)
        return;
    m_detailKey = detailKey;
    if (rows.size() == 1)
        m_detail->showVersion(entry, m_versions->versionAt(rows.first()));
    else if (rows.size() == 2) // the list is newest first: the lower row is the older version
        m_detail->showComparison(entry, m_versions->versionAt(rows.last()), m_versions->versionAt(rows.first()));
    else if (rows.isEmpty())
        m_detail->showPlaceholder(QString());
    else
        m_detail->showPlaceholder(tr("%1 versions selected: select one to see its statistics, or two to compare them.").arg(rows.size()));
}

void DataArea::showVersionMenu(const QPoint &pos)
{
    const QModelIndex index = m_versionView->indexAt(pos);
    if (!index.isValid() || m_versions->rowCount() < 2)
        return;
    const int row = index.row();
    QMenu menu(this);
    menu.addAction(tr("Show Statistics"), this, [this, row] { selectVersionRows({row}); });
    QMenu *compare = menu.addMenu(tr("Compare With"));
    compare->setObjectName(QStringLiteral("menu.compareWith"));
    for (int other = 0; other < m_versions->rowCount(); ++other) {
        if (other == row)
            continue;
        const DataVersion &v = m_versions->versionAt(other);
        const QString text = v.isWorkspace() ? tr("The Workspace") : tr("%1  %2").arg(v.shortId(), v.summary);
        compare->addAction(text, this, [this, row, other] { compareVersions(row, other); });
    }
    menu.exec(m_versionView->viewport()->mapToGlobal(pos));
}

} // namespace orrery::ui
