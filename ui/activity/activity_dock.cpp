#include "ui/activity/activity_dock.h"

#include "ui/activity/audit_table_model.h"
#include "ui/activity/job_list_widget.h"

#include <QHeaderView>
#include <QLabel>
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
    // Targets inside the workspace are shown relative to it, so the start of each cell says most.
    m_auditView->setTextElideMode(Qt::ElideRight);
    m_auditView->setShowGrid(false);
    m_auditView->verticalHeader()->hide();
    m_auditView->verticalHeader()->setDefaultSectionSize(m_auditView->fontMetrics().height() + 8);
    QHeaderView *header = m_auditView->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    for (int column : {AuditTableModel::SeqColumn, AuditTableModel::TimeColumn, AuditTableModel::WhoColumn,
                       AuditTableModel::WhatColumn})
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    // Target takes the room that is left; Why is usually short and its full text is in the tooltip.
    header->setSectionResizeMode(AuditTableModel::TargetColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(AuditTableModel::WhyColumn, QHeaderView::Interactive);
    header->resizeSection(AuditTableModel::WhyColumn, 90);
    header->setStretchLastSection(false);

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
