#include "ui/registry/registry_area.h"

#include "core/workspace/workspace.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/registry/lineage_graph_view.h"
#include "core/store/database_worker.h"
#include "ui/registry/version_html.h"
#include "ui/registry/webhooks_panel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {

constexpr int kSortRole = Qt::UserRole + 1;
constexpr int kVersionRole = Qt::UserRole + 2;
const QString kChampion = QStringLiteral("champion");
const QString kChallenger = QStringLiteral("challenger");

QStandardItem *cell(const QString &text, const QVariant &sortKey)
{
    auto *item = new QStandardItem(text);
    item->setEditable(false);
    item->setData(sortKey, kSortRole);
    return item;
}

QString aliasText(int version)
{
    return version ? QStringLiteral("v%1").arg(version) : QStringLiteral("—");
}

} // namespace

RegistryArea::RegistryArea(const AreaInfo &area, Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_navigator(navigator),
      m_worker(new store::DatabaseWorker(QStringLiteral("registry"), QString(), this)),
      m_pages(new QStackedWidget(this)),
      m_empty(new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart, m_pages)),
      m_content(new QWidget(m_pages)),
      m_modelView(new QTreeWidget(m_content)),
      m_filter(new QLineEdit(m_content)),
      m_versionModel(new QStandardItemModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_versionView(new QTreeView(m_content)),
      m_promote(new QPushButton(m_content)),
      m_blocked(new QLabel(m_content)),
      m_demote(new QPushButton(tr("Demote champion"), m_content)),
      m_archive(new QPushButton(tr("Archive"), m_content)),
      m_status(new QLabel(m_content)),
      m_tabs(new QTabWidget(m_content)),
      m_detail(new QTextBrowser(m_tabs)),
      m_card(new QTextBrowser(m_tabs)),
      m_compareA(new QComboBox(m_content)),
      m_compareB(new QComboBox(m_content)),
      m_openRunA(new QPushButton(m_content)),
      m_openRunB(new QPushButton(m_content)),
      m_diffRuns(new QPushButton(tr("Diff the runs"), m_content)),
      m_compare(new QTextBrowser(m_content)),
      m_auditView(new QTreeWidget(m_content)),
      m_aliasView(new QTreeWidget(m_content)),
      m_lineage(new LineageGraphView(navigator, m_content)),
      m_poll(new QTimer(this))
{
    setObjectName(QStringLiteral("area.") + area.id);
    m_empty->setObjectName(QStringLiteral("registryEmpty"));

    // Models.
    m_modelView->setObjectName(QStringLiteral("registryModels"));
    m_modelView->setHeaderLabels({tr("Model"), tr("Versions"), tr("Champion"), tr("Challenger"), tr("Updated")});
    m_modelView->setRootIsDecorated(false);
    m_modelView->setUniformRowHeights(true);
    m_modelView->setMinimumWidth(120);
    m_modelView->header()->setStretchLastSection(false);
    m_modelView->header()->setMinimumSectionSize(40);
    for (int c = 0; c < 5; ++c)
        m_modelView->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    // Versions.
    m_filter->setObjectName(QStringLiteral("registryFilter"));
    m_filter->setPlaceholderText(tr("Filter versions (alias, validation, run, any text)"));
    m_filter->setClearButtonEnabled(true);
    m_proxy->setSourceModel(m_versionModel);
    m_proxy->setSortRole(kSortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_versionView->setObjectName(QStringLiteral("registryVersions"));
    m_versionView->setModel(m_proxy);
    m_versionView->setRootIsDecorated(false);
    m_versionView->setUniformRowHeights(true);
    m_versionView->setSortingEnabled(true);
    m_versionView->header()->setStretchLastSection(false);
    m_versionView->sortByColumn(VersionColumn, Qt::DescendingOrder);
    m_versionView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_versionView->setSelectionBehavior(QAbstractItemView::SelectRows);

    // Actions.
    m_promote->setObjectName(QStringLiteral("registryPromote"));
    m_demote->setObjectName(QStringLiteral("registryDemote"));
    m_archive->setObjectName(QStringLiteral("registryArchive"));
    m_blocked->setObjectName(QStringLiteral("registryBlocked"));
    m_blocked->setWordWrap(true);
    m_blocked->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setObjectName(QStringLiteral("registryStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_demote->setToolTip(tr("Give champion back to the version that held it before"));
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_promote);
    actions->addWidget(m_blocked, 1);
    actions->addWidget(m_demote);
    actions->addWidget(m_archive);

    // Tabs.
    m_detail->setObjectName(QStringLiteral("registryDetail"));
    m_card->setObjectName(QStringLiteral("registryCard"));
    m_compare->setObjectName(QStringLiteral("registryCompare"));
    m_detail->setOpenLinks(false);
    m_card->setOpenExternalLinks(true);
    m_tabs->addTab(m_detail, tr("Version"));
    m_tabs->addTab(m_card, tr("Model card"));
    auto *comparePage = new QWidget(m_tabs);
    for (QComboBox *box : {m_compareA, m_compareB}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
    }
    auto *compareBar = new QHBoxLayout;
    compareBar->addWidget(new QLabel(tr("Compare"), comparePage));
    compareBar->addWidget(m_compareA);
    compareBar->addWidget(new QLabel(tr("with"), comparePage));
    compareBar->addWidget(m_compareB);
    compareBar->addStretch(1);
    compareBar->addWidget(m_openRunA);
    compareBar->addWidget(m_openRunB);
    compareBar->addWidget(m_diffRuns);
    auto *compareLayout = new QVBoxLayout(comparePage);
    compareLayout->setContentsMargins(4, 4, 4, 4);
    compareLayout->addLayout(compareBar);
    compareLayout->addWidget(m_compare, 1);
    m_tabs->addTab(comparePage, tr("Compare"));
    auto *historyPage = new QSplitter(Qt::Vertical, m_tabs);
    m_auditView->setObjectName(QStringLiteral("registryAudit"));
    m_auditView->setHeaderLabels({tr("Time"), tr("Action"), tr("Target"), tr("Actor"), tr("Reason")});
    m_auditView->setRootIsDecorated(false);
    m_aliasView->setObjectName(QStringLiteral("registryAliasHistory"));
    m_aliasView->setHeaderLabels({tr("Time"), tr("Alias"), tr("Change"), tr("Actor"), tr("Reason")});
    m_aliasView->setRootIsDecorated(false);
    historyPage->addWidget(m_auditView);
    historyPage->addWidget(m_aliasView);
    m_tabs->addTab(historyPage, tr("History"));
    m_webhooks = new WebhooksPanel(m_worker, m_tabs);
    m_tabs->addTab(m_webhooks, tr("Webhooks"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_webhooks && !m_path.isEmpty())
            m_webhooks->refresh();
    });

    // Layout: models | (versions + actions) over (tabs | lineage).
    auto *left = new QWidget(m_content);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto *modelsTitle = new QLabel(tr("<b>Models</b>"), left);
    leftLayout->addWidget(modelsTitle);
    leftLayout->addWidget(m_modelView, 1);
    auto *top = new QWidget(m_content);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_filter);
    topLayout->addWidget(m_versionView, 1);
    topLayout->addLayout(actions);
    topLayout->addWidget(m_status);
    auto *bottom = new QSplitter(Qt::Horizontal, m_content);
    bottom->addWidget(m_tabs);
    auto *lineagePage = new QWidget(bottom);
    auto *lineageLayout = new QVBoxLayout(lineagePage);
    lineageLayout->setContentsMargins(0, 0, 0, 0);
    lineageLayout->addWidget(new QLabel(tr("<b>Lineage</b> — click a data or run node to open it"), lineagePage));
    lineageLayout->addWidget(m_lineage, 1);
    bottom->addWidget(lineagePage);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    auto *right = new QSplitter(Qt::Vertical, m_content);
    right->addWidget(top);
    right->addWidget(bottom);
    right->setStretchFactor(0, 2);
    right->setStretchFactor(1, 3);
    auto *main = new QSplitter(Qt::Horizontal, m_content);
    main->addWidget(left);
    main->addWidget(right);
    main->setStretchFactor(0, 1);
    main->setStretchFactor(1, 4);
    main->setSizes({430, 1170});
    bottom->setSizes({700, 480});
    // The panes may shrink below what their contents would like, so the area fits the window's
    // smallest width beside the mode bar and the Activity dock (tst_main_window: 1111 px).
    left->setMinimumWidth(150);
    top->setMinimumWidth(360);
    m_tabs->setMinimumWidth(280);
    lineagePage->setMinimumWidth(150);
    m_blocked->setWordWrap(true);
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(6, 6, 6, 6);
    contentLayout->addWidget(main);

    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);

    connect(m_modelView, &QTreeWidget::itemSelectionChanged, this, [this] {
        if (m_updating)
            return;
        const auto items = m_modelView->selectedItems();
        if (!items.isEmpty())
            selectModel(items.first()->text(0));
    });
    connect(m_versionView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (m_updating)
            return;
        const QModelIndexList rows = m_versionView->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        m_selectedVersion = rows.first().data(kVersionRole).toInt();
        showSelectedVersion();
    });
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_promote, &QPushButton::clicked, this, [this] { runAction(RegistryAction::Promote); });
    connect(m_demote, &QPushButton::clicked, this, [this] { runAction(RegistryAction::Demote); });
    connect(m_archive, &QPushButton::clicked, this, [this] {
        const auto *v = versionOf(m_selectedVersion);
        runAction(v && v->archived ? RegistryAction::Unarchive : RegistryAction::Archive);
    });
    connect(m_compareA, &QComboBox::currentIndexChanged, this, [this] { updateCompare(); });
    connect(m_compareB, &QComboBox::currentIndexChanged, this, [this] { updateCompare(); });
    auto openRun = [this](QComboBox *box) {
        if (const auto *v = versionOf(box->currentData().toInt()); v && m_navigator && !v->runId.isEmpty())
            m_navigator->open({QStringLiteral("run"), v->runId});
    };
    connect(m_openRunA, &QPushButton::clicked, this, [=] { openRun(m_compareA); });
    connect(m_openRunB, &QPushButton::clicked, this, [=] { openRun(m_compareB); });
    connect(m_diffRuns, &QPushButton::clicked, this, [this] {
        const auto *a = versionOf(m_compareA->currentData().toInt());
        const auto *b = versionOf(m_compareB->currentData().toInt());
        if (a && b && m_navigator)
            m_navigator->open({QStringLiteral("run_diff"), a->runId + QLatin1Char(',') + b->runId});
    });
    m_poll->setInterval(kPollIntervalMs);
    connect(m_poll, &QTimer::timeout, this, &RegistryArea::refresh);
    if (navigator) {
        navigator->registerHandler(QStringLiteral("model_version"), this, [this](const ObjectRef &ref) {
            const int slash = ref.id.lastIndexOf(QLatin1Char('/'));
            if (slash > 0)
                showVersion(ref.id.left(slash), ref.id.mid(slash + 1).toInt());
        });
    }
    clear();
}

RegistryArea::~RegistryArea()
{
    delete m_worker; // its thread stops before the views its answers are for are destroyed
}

void RegistryArea::setWorkspaceRoot(const QString &root)
{
    setDatabasePath(workspace::Workspace::databasePathFor(root));
}

void RegistryArea::setDatabasePath(const QString &path)
{
    clear();
    m_path = path;
    m_cacheRoot = QFileInfo(path).absolutePath() + QStringLiteral("/cache");
    m_worker->setDatabasePath(path);
    refresh();
}

void RegistryArea::clear()
{
    m_path.clear();
    ++m_request;
    m_worker->setDatabasePath({});
    m_webhooks->clear();
    m_snapshot = {};
    m_selectedModel.clear();
    m_selectedVersion = 0;
    m_pendingModel.clear();
    m_pendingVersion = 0;
    m_updating = true;
    m_modelView->clear();
    m_versionModel->clear();
    m_updating = false;
    m_status->clear();
    m_lineage->clear();
    m_pages->setCurrentWidget(m_empty);
}

bool RegistryArea::isShowingModels() const
{
    return m_pages->currentWidget() == m_content;
}

void RegistryArea::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_path.isEmpty())
        refresh();
    m_poll->start();
}

void RegistryArea::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll->stop();
}

void RegistryArea::refresh()
{
    if (m_path.isEmpty())
        return;
    const quint64 request = ++m_request;
    const QString model = m_selectedModel;
    if (m_tabs->currentWidget() == m_webhooks)
        m_webhooks->refresh(); // its deliveries move while the poll runs
    m_worker->post<RegistrySnapshot>(
        [model](store::Database &db) { return loadRegistrySnapshot(db, model); }, this,
        [this, request](const Result<RegistrySnapshot> &result) {
            if (request != m_request)
                return; // overtaken by a newer request
            if (!result) {
                m_status->setText(tr("Could not read the registry: %1").arg(result.status().message()));
                return;
            }
            apply(*result);
            Q_EMIT refreshed();
        });
}

void RegistryArea::selectModel(const QString &name)
{
    if (name == m_selectedModel)
        return;
    m_selectedModel = name;
    m_selectedVersion = 0;
    refresh();
}

void RegistryArea::selectVersion(int version)
{
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QModelIndex index = m_proxy->index(r, 0);
        if (index.data(kVersionRole).toInt() == version) {
            m_versionView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_versionView->scrollTo(index);
            return;
        }
    }
}

void RegistryArea::showVersion(const QString &name, int version)
{
    m_pendingModel = name;
    m_pendingVersion = version;
    if (name == m_selectedModel && versionOf(version)) {
        m_pendingModel.clear();
        m_filter->clear();
        selectVersion(version);
        return;
    }
    m_selectedModel = name;
    m_selectedVersion = version;
    refresh();
}

const registry::ModelVersion *RegistryArea::versionOf(int number) const
{
    for (const registry::ModelVersion &v : m_snapshot.versions)
        if (v.version == number)
            return &v;
    return nullptr;
}

void RegistryArea::apply(const RegistrySnapshot &snap)
{
    if (snap.models.isEmpty()) {
        m_snapshot = snap;
        m_pages->setCurrentWidget(m_empty);
        return;
    }
    m_pages->setCurrentWidget(m_content);
    if (snap.model != snap.requestedModel && snap.requestedModel == m_selectedModel) {
        // Nothing was selected, or the selected model is gone: the worker read the first model.
        m_selectedModel = snap.model;
        m_selectedVersion = 0;
    }
    if (snap.model != m_selectedModel)
        return; // the selection moved on meanwhile; its own request follows
    if (snap.fingerprint == m_snapshot.fingerprint)
        return;
    m_snapshot = snap;
    rebuildModels();
    if (m_pendingModel == snap.model) {
        m_selectedVersion = m_pendingVersion;
        m_pendingModel.clear();
        m_filter->clear();
    }
    if (!versionOf(m_selectedVersion)) {
        // The challenger first (the version to decide on), else the champion, else the newest.
        const registry::RegisteredModel *model = nullptr;
        for (const auto &m : snap.models)
            if (m.name == snap.model)
                model = &m;
        int pick = model ? model->aliasVersion(kChallenger) : 0;
        if (!pick && model)
            pick = model->aliasVersion(kChampion);
        if (!pick && !snap.versions.isEmpty())
            pick = snap.versions.first().version;
        m_selectedVersion = pick;
    }
    rebuildVersions();
    rebuildHistory();
    rebuildCompareChoices();
    showSelectedVersion();
}

void RegistryArea::rebuildModels()
{
    m_updating = true;
    m_modelView->clear();
    for (const registry::RegisteredModel &m : std::as_const(m_snapshot.models)) {
        auto *item = new QTreeWidgetItem(m_modelView, {m.name, QString::number(m.versionCount), aliasText(m.aliasVersion(kChampion)),
                                                       aliasText(m.aliasVersion(kChallenger)), registryTime(m.lastUpdatedTime)});
        item->setToolTip(0, m.description.isEmpty() ? m.name : m.description);
        for (int c = 1; c < 4; ++c)
            item->setTextAlignment(c, Qt::AlignCenter);
        if (m.name == m_selectedModel)
            item->setSelected(true);
    }
    m_updating = false;
}

void RegistryArea::rebuildVersions()
{
    m_updating = true;
    QStringList metricKeys;
    for (const registry::ModelVersion &v : std::as_const(m_snapshot.versions))
        metricKeys += v.metrics().keys();
    metricKeys.removeDuplicates();
    metricKeys.sort();
    m_versionModel->clear();
    QStringList headers{tr("Version"), tr("Aliases"), tr("Validation"), tr("Servable"), tr("Created"), tr("Source run")};
    m_versionModel->setHorizontalHeaderLabels(headers + metricKeys);
    for (const registry::ModelVersion &v : std::as_const(m_snapshot.versions)) {
        QList<QStandardItem *> row;
        QString number = QStringLiteral("v%1").arg(v.version);
        if (v.archived)
            number += tr(" (archived)");
        row << cell(number, v.version);
        row << cell(v.aliases.join(QStringLiteral(", ")), v.aliases.join(QLatin1Char(',')));
        const QString validation = v.validation == registry::Validation::Passed ? tr("passed")
                                 : v.validation == registry::Validation::Failed ? tr("failed") : tr("not run");
        auto *val = cell(validation, validation);
        if (v.validation != registry::Validation::NotRun)
            val->setForeground(QColor(v.validation == registry::Validation::Passed ? 0x1a7f37 : 0xc62828));
        row << val;
        auto *servable = cell(v.servable() ? tr("yes") : tr("no"), v.servable());
        servable->setToolTip(v.servable() ? tr("Servable") : v.notServableReason);
        row << servable;
        row << cell(registryTime(v.creationTime), v.creationTime);
        const QString run = v.lineage.value(QStringLiteral("run_name")).toString();
        auto *runItem = cell(run.isEmpty() ? v.runId.left(8) : run, run.isEmpty() ? v.runId : run);
        runItem->setToolTip(v.runId);
        row << runItem;
        const auto metrics = v.metrics();
        for (const QString &k : std::as_const(metricKeys)) {
            if (metrics.contains(k)) {
                auto *m = cell(QString::number(metrics.value(k), 'g', 4), metrics.value(k));
                m->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                row << m;
            } else {
                row << cell(QString(), QVariant(-1e300));
            }
        }
        if (v.archived)
            for (auto *item : row)
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        row.first()->setData(v.version, kVersionRole);
        for (auto *item : row)
            item->setData(v.version, kVersionRole);
        m_versionModel->appendRow(row);
    }
    for (int c = 0; c < m_versionModel->columnCount(); ++c)
        m_versionView->resizeColumnToContents(c);
    m_updating = false;
    selectVersion(m_selectedVersion);
}

void RegistryArea::rebuildHistory()
{
    m_auditView->clear();
    for (const audit::AuditEntry &e : std::as_const(m_snapshot.audit)) {
        auto *item = new QTreeWidgetItem(m_auditView, {e.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), e.action, e.target, e.actor, e.reason});
        item->setToolTip(2, e.details);
        item->setToolTip(4, e.reason);
    }
    m_aliasView->clear();
    for (const registry::AliasChange &c : std::as_const(m_snapshot.aliasHistory)) {
        const QString change = c.version ? (c.previous ? tr("v%1 → v%2").arg(c.previous).arg(c.version) : tr("→ v%1").arg(c.version))
                                         : tr("v%1 → removed").arg(c.previous);
        auto *item = new QTreeWidgetItem(m_aliasView, {registryTime(c.time), c.alias, change, c.actor, c.reason});
        item->setToolTip(4, c.reason);
    }
    for (auto *view : {m_auditView, m_aliasView})
        for (int c = 0; c < 4; ++c)
            view->resizeColumnToContents(c);
}

void RegistryArea::rebuildCompareChoices()
{
    const int a = m_compareA->currentData().toInt();
    const int b = m_compareB->currentData().toInt();
    for (QComboBox *box : {m_compareA, m_compareB}) {
        QSignalBlocker block(box);
        box->clear();
        for (const registry::ModelVersion &v : std::as_const(m_snapshot.versions)) {
            QString text = QStringLiteral("v%1").arg(v.version);
            if (!v.aliases.isEmpty())
                text += QStringLiteral(" (%1)").arg(v.aliases.join(QStringLiteral(", ")));
            box->addItem(text, v.version);
        }
    }
    // Kept when still there; else the champion against the selected version.
    int champion = 0;
    for (const auto &m : std::as_const(m_snapshot.models))
        if (m.name == m_snapshot.model)
            champion = m.aliasVersion(kChampion);
    auto pick = [](QComboBox *box, int wanted, int fallback) {
        int i = box->findData(wanted);
        if (i < 0)
            i = box->findData(fallback);
        QSignalBlocker block(box);
        box->setCurrentIndex(std::max(i, 0));
    };
    const int otherDefault = m_snapshot.versions.size() > 1 ? m_snapshot.versions.at(1).version : 0;
    pick(m_compareA, a, champion && champion != m_selectedVersion ? champion : otherDefault);
    pick(m_compareB, b, m_selectedVersion);
    updateCompare();
}

void RegistryArea::updateCompare()
{
    const auto *a = versionOf(m_compareA->currentData().toInt());
    const auto *b = versionOf(m_compareB->currentData().toInt());
    m_openRunA->setText(a ? tr("v%1's run").arg(a->version) : tr("Run"));
    m_openRunB->setText(b ? tr("v%1's run").arg(b->version) : tr("Run"));
    m_openRunA->setToolTip(tr("Open the run in Experiments"));
    m_openRunB->setToolTip(tr("Open the run in Experiments"));
    const bool canRun = m_navigator && m_navigator->canOpen(QStringLiteral("run"));
    m_openRunA->setVisible(canRun);
    m_openRunB->setVisible(canRun);
    m_openRunA->setEnabled(a && !a->runId.isEmpty());
    m_openRunB->setEnabled(b && !b->runId.isEmpty());
    m_diffRuns->setObjectName(QStringLiteral("diffRuns"));
    m_diffRuns->setToolTip(tr("The two runs' params, metrics and code diff in Experiments"));
    m_diffRuns->setVisible(m_navigator && m_navigator->canOpen(QStringLiteral("run_diff")));
    m_diffRuns->setEnabled(a && b && !a->runId.isEmpty() && !b->runId.isEmpty() && a->runId != b->runId);
    if (!a || !b) {
        m_compare->setHtml(QStringLiteral("<p>%1</p>").arg(tr("Choose two versions.").toHtmlEscaped()));
        return;
    }
    m_compare->setHtml(versionCompareHtml(*a, *b));
}

void RegistryArea::showSelectedVersion()
{
    const registry::ModelVersion *v = versionOf(m_selectedVersion);
    if (!v) {
        m_detail->setHtml(QStringLiteral("<p>%1</p>").arg(tr("Select a version.").toHtmlEscaped()));
        m_card->clear();
        m_lineage->clear();
        updateActions();
        return;
    }
    m_detail->setHtml(versionDetailHtml(*v, m_snapshot.blockers.value(v->version)));
    if (v->card.trimmed().isEmpty())
        m_card->setMarkdown(tr("*No model card yet.* Write one with `orrery-cli models card %1 %2 --set CARD.md`.").arg(v->name).arg(v->version));
    else
        m_card->setMarkdown(v->card);
    m_lineage->setVersion(*v);
    if (int i = m_compareB->findData(v->version); i >= 0 && !m_updating)
        m_compareB->setCurrentIndex(i);
    updateActions();
}

void RegistryArea::updateActions()
{
    const registry::ModelVersion *v = versionOf(m_selectedVersion);
    int champion = 0;
    for (const auto &m : std::as_const(m_snapshot.models))
        if (m.name == m_snapshot.model)
            champion = m.aliasVersion(kChampion);
    const QString blocker = v ? m_snapshot.blockers.value(v->version) : QString();
    // While endpoints serve the model, Promote rolls the version out on them instead.
    QStringList endpoints, rollingOut;
    bool servesEverywhere = !m_snapshot.endpoints.isEmpty();
    for (const deploy::Deployment &d : std::as_const(m_snapshot.endpoints)) {
        endpoints << d.endpoint;
        if (v && d.rollingOut() && d.candidateVersion == v->version)
            rollingOut << d.endpoint;
        servesEverywhere = servesEverywhere && v && d.stableVersion == v->version && !d.rollingOut();
    }
    const bool serving = !endpoints.isEmpty();
    // Button and note name the first endpoint and how many more; the tooltip lists them all (a
    // model served on a dozen endpoints squeezed the versions table to one row).
    const auto onEndpoints = [&](const QStringList &names) {
        return names.size() == 1 ? names.first() : tr("%1 and %n more", nullptr, int(names.size()) - 1).arg(names.first());
    };
    m_promote->setText(!v ? tr("Promote") : serving ? tr("Promote v%1: roll out on %2").arg(v->version).arg(onEndpoints(endpoints))
                                                   : tr("Promote v%1 to champion").arg(v->version));
    m_promote->setToolTip(serving ? tr("Starts the rollout on %1").arg(endpoints.join(QStringLiteral(", "))) : QString());
    const bool isChampion = v && v->version == champion && (!serving || servesEverywhere);
    m_promote->setEnabled(v && blocker.isEmpty() && !isChampion && rollingOut.isEmpty() && !m_actionRunning);
    QString why;
    if (!v)
        why = tr("Select a version.");
    else if (!rollingOut.isEmpty())
        why = tr("v%1 is rolling out on %2 (see Deployments).").arg(v->version).arg(onEndpoints(rollingOut));
    else if (isChampion)
        why = tr("v%1 is the champion.").arg(v->version);
    else if (!blocker.isEmpty())
        why = tr("Blocked: %1").arg(blocker);
    else if (serving)
        why = tr("Gates passed: Promote starts v%1's rollout on %2; champion moves when it completes.").arg(v->version).arg(onEndpoints(endpoints));
    else
        why = tr("Gates passed: v%1 may replace %2.").arg(v->version).arg(champion ? tr("champion v%1").arg(champion) : tr("no champion"));
    m_blocked->setText(why);
    m_blocked->setToolTip(why);
    m_blocked->setStyleSheet(v && !blocker.isEmpty() && !isChampion ? QStringLiteral("color:#c62828") : QString());
    m_demote->setEnabled(champion != 0 && !m_actionRunning);
    m_archive->setText(v && v->archived ? tr("Unarchive v%1").arg(v->version) : v ? tr("Archive v%1").arg(v->version) : tr("Archive"));
    m_archive->setEnabled(v && !m_actionRunning);
}

void RegistryArea::runAction(RegistryAction action)
{
    if (m_snapshot.model.isEmpty() || m_actionRunning)
        return;
    const QString model = m_snapshot.model;
    const int version = m_selectedVersion;
    const QString reason = action == RegistryAction::Promote ? tr("promoted in the Registry area")
                         : action == RegistryAction::Demote  ? tr("demoted in the Registry area")
                                                             : tr("changed in the Registry area");
    m_actionRunning = true;
    updateActions();
    m_status->setText(tr("Working…"));
    const QString cacheRoot = m_cacheRoot;
    m_worker->post<QString>(
        [=](store::Database &db) { return registryAction(db, action, model, version, reason, cacheRoot); }, this,
        [this](const Result<QString> &result) {
            m_actionRunning = false;
            m_status->setStyleSheet(result ? QString() : QStringLiteral("color:#c62828"));
            m_status->setText(result ? *result : result.status().message());
            m_snapshot.fingerprint.clear(); // redraw whatever comes back
            updateActions();
            refresh();
        });
}

} // namespace orrery::ui
