#pragma once
// RegistryArea: the Registry area of the workbench, over core/registry's ModelRegistry.
//
//   models (left)  | name, versions, champion vN, challenger vN, updated
//   versions       | the selected model's versions: version, aliases, validation, servable,
//                  | created, source run and a column per lineage metric; sortable, filterable
//   actions        | Promote (the selected version), Demote, Archive/Unarchive; when
//                  | ModelRegistry::promotionBlocker gives a reason, Promote is disabled and the
//                  | reason is shown beside it. While an endpoint serves the model, Promote starts
//                  | that endpoint's rollout of the version (champion moves when it completes)
//   tabs           | Version (gates with explanations, servable or why not, metrics, params,
//                  | signature, data, commit), Card (Markdown), Compare (two versions side by side),
//                  | History (the model's audit entries and its alias history)
//   lineage graph  | data → pipeline run → training run → version; nodes open the dataset in Data
//                  | and the runs in Experiments through the Navigator
//
// The area registers with the Navigator as the handler of kind "model_version" (id "NAME/VERSION").
// Every read and write runs on a store::DatabaseWorker (its own connection); while shown the area polls
// every ~2 s, so versions registered from a terminal appear. With no model yet it shows its empty
// state, which says how models get there (`orrery-cli models register`, the pipeline's register stage).
//
// Threads: GUI thread only.

#include "ui/registry/registry_snapshot.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QStandardItemModel;
class QTabWidget;
class QTextBrowser;
class QTimer;
class QTreeView;
class QTreeWidget;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class EmptyState;
class LineageGraphView;
class Navigator;
class WebhooksPanel;
struct AreaInfo;

class RegistryArea : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPollIntervalMs = 2000;
    // Fixed columns of the versions table; metric columns follow.
    enum Column { VersionColumn, AliasesColumn, ValidationColumn, ServableColumn, CreatedColumn, RunColumn, FixedColumns };

    // Registers with `navigator` as the area that opens model versions (may be null).
    RegistryArea(const AreaInfo &area, Navigator *navigator, QWidget *parent = nullptr);
    ~RegistryArea() override;

    void setWorkspaceRoot(const QString &root);
    // Opens a database directly (tests).
    void setDatabasePath(const QString &path);
    void clear();
    // Polls now.
    void refresh();
    // Selects model `name` and its version `version` once they are loaded (the Navigator's handler).
    void showVersion(const QString &name, int version);

    bool isShowingModels() const;
    QString selectedModel() const { return m_selectedModel; }
    int selectedVersion() const { return m_selectedVersion; }
    const RegistrySnapshot &snapshot() const { return m_snapshot; }
    EmptyState *emptyState() const { return m_empty; }
    QTreeWidget *modelView() const { return m_modelView; }
    QTreeView *versionView() const { return m_versionView; }
    QSortFilterProxyModel *versionProxy() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPushButton *promoteButton() const { return m_promote; }
    QPushButton *demoteButton() const { return m_demote; }
    QPushButton *archiveButton() const { return m_archive; }
    QLabel *blockedLabel() const { return m_blocked; }
    QLabel *statusLabel() const { return m_status; }
    QTextBrowser *detailView() const { return m_detail; }
    QTextBrowser *cardView() const { return m_card; }
    QTextBrowser *compareView() const { return m_compare; }
    QComboBox *compareA() const { return m_compareA; }
    QComboBox *compareB() const { return m_compareB; }
    QTreeWidget *auditView() const { return m_auditView; }
    QTreeWidget *aliasView() const { return m_aliasView; }
    LineageGraphView *lineageView() const { return m_lineage; }
    QTabWidget *tabs() const { return m_tabs; }
    store::DatabaseWorker *worker() const { return m_worker; }
    WebhooksPanel *webhooksPanel() const { return m_webhooks; }

    void selectModel(const QString &name);
    void selectVersion(int version);

Q_SIGNALS:
    // After each snapshot was applied (tests wait on it).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void apply(const RegistrySnapshot &snap);
    void rebuildModels();
    void rebuildVersions();
    void rebuildHistory();
    void rebuildCompareChoices();
    void showSelectedVersion();
    void updateActions();
    void updateCompare();
    void runAction(RegistryAction action);
    const registry::ModelVersion *versionOf(int number) const;

    Navigator *m_navigator;
    store::DatabaseWorker *m_worker;
    QStackedWidget *m_pages;
    EmptyState *m_empty;
    QWidget *m_content;
    QTreeWidget *m_modelView;
    QLineEdit *m_filter;
    QStandardItemModel *m_versionModel;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_versionView;
    QPushButton *m_promote;
    QLabel *m_blocked;
    QPushButton *m_demote;
    QPushButton *m_archive;
    QLabel *m_status;
    QTabWidget *m_tabs;
    QTextBrowser *m_detail;
    QTextBrowser *m_card;
    QComboBox *m_compareA;
    QComboBox *m_compareB;
    QPushButton *m_openRunA;
    QPushButton *m_openRunB;
    QPushButton *m_diffRuns;
    QTextBrowser *m_compare;
    QTreeWidget *m_auditView;
    QTreeWidget *m_aliasView;
    LineageGraphView *m_lineage;
    WebhooksPanel *m_webhooks;
    QTimer *m_poll;

    QString m_path;
    QString m_cacheRoot; // beside the database: .orrery/cache
    RegistrySnapshot m_snapshot;
    QString m_selectedModel;
    int m_selectedVersion = 0;
    QString m_pendingModel; // showVersion() waiting for its model and version
    int m_pendingVersion = 0;
    quint64 m_request = 0;
    bool m_actionRunning = false;
    bool m_updating = false; // rebuilding views: selection signals are ours, not the user's
};

} // namespace orrery::ui
