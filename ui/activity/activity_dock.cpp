#include "ui/activity/activity_dock.h"

#include "ui/activity/audit_table_model.h"
#include "ui/activity/job_list_widget.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace orrery::ui {

ActivityDock::ActivityDock(common::JobTracker *tracker, QWidget *parent)
    : QDockWidget(tr("Activity"), parent),
      m_jobList(new JobListWidget(tracker)),
      m_auditModel(new AuditTableModel(this)),
      m_auditView(new QTableView),
      m_auditNote(new QLabel)
{
    setObjectName(QStringLiteral("activityDock")); // saveState() finds docks by object name
    setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea | Qt::BottomDockWidgetArea);

    m_auditView->setObjectName(QStringLiteral("auditTable"));
    m_auditView->setModel(m_auditModel);
    m_auditView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_auditView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_auditView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_auditView->setAlternatingRowColors(true);
    m_auditView->setWordWrap(false);
    // Targets are shown relative to the workspace; elided in the middle, a cell keeps both the
    // path's start and the file's name ("data/…ions.csv"), and an action its verb ("works…init").
    m_auditView->setTextElideMode(Qt::ElideMiddle);
    m_auditView->setShowGrid(false);
    m_auditView->verticalHeader()->hide();
    m_auditView->verticalHeader()->setDefaultSectionSize(m_auditView->fontMetrics().height() + 8);
    QHeaderView *header = m_auditView->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // Widths by fitAuditColumns() (see the header); the user may still drag them until the next fit.
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true); // Why
    m_auditView->setColumnHidden(AuditTableModel::SeqColumn, true);
    m_auditView->viewport()->installEventFilter(this); // resizes: the dock's width, a scroll bar came or went
    connect(m_auditModel, &QAbstractItemModel::modelReset, this, &ActivityDock::fitAuditColumns);
    connect(m_auditModel, &QAbstractItemModel::rowsInserted, this, &ActivityDock::fitAuditColumns);
    connect(m_auditModel, &QAbstractItemModel::dataChanged, this, &ActivityDock::fitAuditColumns);

    m_auditNote->setObjectName(QStringLiteral("auditNote"));
    m_auditNote->setWordWrap(true);
    m_auditNote->setForegroundRole(QPalette::PlaceholderText);

    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(sectionLabel(tr("Running jobs")));
    layout->addWidget(m_jobList);
    layout->addSpacing(8);
    layout->addWidget(sectionLabel(tr("Audit log")));
    layout->addWidget(m_auditView, 1);
    layout->addWidget(m_auditNote);
    layout->addStretch(); // keeps the sections together at the top while the table is hidden
    setWidget(content);
    setWorkspaceOpen(false);
}

int ActivityDock::minimumTargetWidth() const
{
    // Twelve letters as wide as 'n' (wider than most of a path's: averageCharWidth() left
    // "fraud-project" elided) and the cell's margins on both sides.
    const int margin = m_auditView->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_auditView) + 1;
    return m_auditView->fontMetrics().horizontalAdvance(QString(12, QLatin1Char('n'))) + 2 * margin + 4;
}

bool ActivityDock::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_auditView->viewport() && event->type() == QEvent::Resize)
        fitAuditColumns();
    return QDockWidget::eventFilter(watched, event);
}

void ActivityDock::fitAuditColumns()
{
    QHeaderView *header = m_auditView->horizontalHeader();
    // QTableView makes sizeHintForColumn protected; QAbstractItemView's is public and the same call.
    const QAbstractItemView *view = m_auditView;
    const auto want = [&](int column) { return qMax(view->sizeHintForColumn(column), header->sectionSizeHint(column)); };
    const int chars = m_auditView->fontMetrics().averageCharWidth();
    const int time = want(AuditTableModel::TimeColumn);
    int who = want(AuditTableModel::WhoColumn);
    int what = want(AuditTableModel::WhatColumn);
    int target = want(AuditTableModel::TargetColumn);
    const int minTarget = minimumTargetWidth();
    // Room given up in order: the Target's beyond its minimum, then What's down to ~8
    // characters, then Who's down to ~5. Past that the table scrolls sideways.
    int over = time + who + what + target - m_auditView->viewport()->width();
    const auto giveUp = [&over](int &width, int least) {
        const int taken = qBound(0, over, qMax(0, width - least));
        width -= taken;
        over -= taken;
    };
    target = qMax(target, minTarget);
    giveUp(target, minTarget);
    giveUp(what, chars * 8);
    giveUp(who, chars * 5);
    header->resizeSection(AuditTableModel::TimeColumn, time);
    header->resizeSection(AuditTableModel::WhoColumn, who);
    header->resizeSection(AuditTableModel::WhatColumn, what);
    header->resizeSection(AuditTableModel::TargetColumn, target);
}

QLabel *ActivityDock::sectionLabel(const QString &text)
{
    auto *label = new QLabel(text);
    QFont bold = label->font();
    bold.setWeight(QFont::DemiBold);
    label->setFont(bold);
    return label;
}

void ActivityDock::setWorkspaceOpen(bool open)
{
    m_auditView->setVisible(open);
    if (!open) {
        m_auditModel->clear();
        m_auditNote->setText(tr("Open a workspace to see who changed what in it, and why."));
    } else {
        m_auditNote->clear();
    }
    m_auditNote->setVisible(!open);
}

void ActivityDock::setAuditProblem(const QString &message)
{
    m_auditNote->setText(message.isEmpty() ? QString() : tr("Could not read the audit log: %1").arg(message));
    m_auditNote->setVisible(!message.isEmpty() || !m_auditView->isVisibleTo(this));
}

} // namespace orrery::ui
