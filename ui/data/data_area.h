#pragma once
// DataArea: the Data area of the workbench — the workspace's datasets (tracked outs with their
// status), the versions of the selected one from git history, and below them the statistics of
// the selected version or the diff of two (DataDetailPanel).
//
// While the workspace tracks no data the area shows its empty state, with how to start; it
// switches to the real view as soon as a poll finds a .dvc file. Everything that touches the disk
// runs on jobs: the status poll (DatasetPoller), the version list (a git walk), listings and
// profiles (in the panel). A version list that arrives after the user selected another dataset
// is dropped.
//
// Selection: one version shows its statistics; two (Ctrl-click, or "Compare with" in the
// version's context menu) show the diff, older → newer in list order.
//
// Threads: GUI thread only.

#include "ui/data/data_types.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>

class QLabel;
class QMenu;
class QStackedWidget;
class QTableView;

namespace orrery::common {
class Job;
class JobTracker;
}

namespace orrery::ui {

class DataDetailPanel;
class DatasetListModel;
class DatasetPoller;
class EmptyState;
class Navigator;
class VersionListModel;
struct AreaInfo;

class DataArea : public QWidget {
    Q_OBJECT
public:
    DataArea(const AreaInfo &area, common::JobTracker *tracker, QWidget *parent = nullptr);
    ~DataArea() override;

    void setWorkspaceRoot(const QString &root);
    void clear();

    bool isShowingData() const;
    EmptyState *emptyState() const { return m_empty; }
    DatasetListModel *datasetModel() const { return m_datasets; }
    QTableView *datasetView() const { return m_datasetView; }
    VersionListModel *versionModel() const { return m_versions; }
    QTableView *versionView() const { return m_versionView; }
    DataDetailPanel *detailPanel() const { return m_detail; }
    DatasetPoller *poller() const { return m_poller; }
    // Selects version rows `a` and `b` together (what "Compare with…" does).
    void compareVersions(int a, int b);
    // Other areas open a dataset here through `navigator` (kind "dataset", id its path in the
    // workspace, as a model's lineage names it).
    void registerWith(Navigator *navigator);
    // Selects the dataset at `path` (now, or when the poll lists it); a path the workspace does not
    // track as a dataset is said in the note above the list.
    void showDataset(const QString &path);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void applyDatasets(const QVector<DatasetEntry> &entries);
    void showPollProblem(const QString &message);
    void onDatasetSelectionChanged();
    void loadVersions(const DatasetEntry &entry);
    void applyVersions(const DatasetEntry &entry, const QVector<DataVersion> &versions);
    void onVersionSelectionChanged();
    void showVersionMenu(const QPoint &pos);
    QList<int> selectedVersionRows() const;
    void selectVersionRows(const QList<int> &rows);

    DatasetPoller *m_poller;
    DatasetListModel *m_datasets;
    VersionListModel *m_versions;
    QStackedWidget *m_pages;
    EmptyState *m_empty;
    QWidget *m_content;
    QTableView *m_datasetView;
    QLabel *m_datasetNote;
    QLabel *m_versionTitle;
    QLabel *m_versionNote;
    QTableView *m_versionView;
    DataDetailPanel *m_detail;

    QString m_root;
    QString m_selectedPath;          // the dataset whose versions are listed
    QString m_pendingPath;           // showDataset() before the poll listed the datasets
    QString m_versionsFingerprint;   // of that dataset when its versions were read
    QStringList m_selectedRevisions; // kept across reloads of the version list
    QString m_detailKey;             // what the panel shows, to skip asking for it again
    quint64 m_versionRequest = 0;
    QPointer<common::Job> m_versionJob;
    bool m_restoringSelection = false;
};

} // namespace orrery::ui
