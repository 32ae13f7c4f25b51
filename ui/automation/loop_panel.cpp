#include "ui/automation/loop_panel.h"

#include "core/common/duration.h"
#include "ui/automation/automation_format.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {
namespace fmt = automationformat;

namespace {

// A heartbeat older than this is worth a warning: `ct run` beats well within it while it works.
constexpr qint64 kStaleHeartbeatMs = 60'000;

QString coloured(const QString &html, const char *color) { return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(QLatin1String(color), html); }
QString esc(const QString &text) { return text.toHtmlEscaped(); }

QLabel *makeLabel(const QString &name, QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setObjectName(name);
    l->setWordWrap(true);
    l->setTextFormat(Qt::RichText);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

} // namespace

LoopPanel::LoopPanel(QWidget *parent)
    : QWidget(parent),
      m_state(makeLabel(QStringLiteral("automationLoopState"), this)),
      m_policies(makeLabel(QStringLiteral("automationPolicies"), this)),
      m_process(makeLabel(QStringLiteral("automationProcess"), this)),
      m_decision(makeLabel(QStringLiteral("automationDecision"), this)),
      m_triggers(new QTreeWidget(this)),
      m_pause(new QPushButton(tr("Pause"), this)),
      m_resume(new QPushButton(tr("Resume"), this)),
      m_trigger(new QPushButton(tr("Trigger now"), this))
{
    m_pause->setObjectName(QStringLiteral("automation.pause"));
    m_pause->setToolTip(tr("No new iteration starts until Resume; one in progress goes on (as `orrery-cli ct pause`)"));
    m_resume->setObjectName(QStringLiteral("automation.resume"));
    m_resume->setToolTip(tr("Let iterations start again; triggers that fired meanwhile start one at the loop's next check"));
    m_trigger->setObjectName(QStringLiteral("automation.trigger"));
    m_trigger->setToolTip(tr("Ask for a retrain by hand (as `orrery-cli ct trigger`); the loop takes it in at its next check"));

    m_triggers->setObjectName(QStringLiteral("automationTriggers"));
    m_triggers->setHeaderLabels({tr("Trigger"), tr("Watches"), tr("Next firing"), tr("Now")});
    m_triggers->setRootIsDecorated(false);
    m_triggers->setUniformRowHeights(true);
    m_triggers->setSelectionMode(QAbstractItemView::NoSelection);
    m_triggers->setWordWrap(false);
    m_triggers->header()->setStretchLastSection(true);
    m_triggers->header()->setMinimumSectionSize(40);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_state, 1);
    top->addWidget(m_pause);
    top->addWidget(m_resume);
    top->addWidget(m_trigger);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addLayout(top);
    layout->addWidget(m_policies);
    layout->addWidget(m_process);
    layout->addWidget(m_decision);
    layout->addWidget(m_triggers);

    connect(m_pause, &QPushButton::clicked, this, &LoopPanel::pauseRequested);
    connect(m_resume, &QPushButton::clicked, this, &LoopPanel::resumeRequested);
    connect(m_trigger, &QPushButton::clicked, this, &LoopPanel::triggerRequested);
    clear();
}

void LoopPanel::clear()
{
    m_known = m_paused = m_manual = m_busy = false;
    for (QLabel *l : {m_state, m_policies, m_process, m_decision})
        l->clear();
    m_triggers->clear();
    fitTriggers();
    updateButtons();
}

void LoopPanel::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

void LoopPanel::updateButtons()
{
    m_pause->setEnabled(m_known && !m_busy && !m_paused);
    m_resume->setEnabled(m_known && !m_busy && m_paused);
    m_trigger->setEnabled(m_known && !m_busy && m_manual);
    m_trigger->setToolTip(m_known && !m_manual
                              ? tr("ct.yaml does not let a retrain be asked for by hand (triggers.manual is false, or ct.yaml does not load)")
                              : tr("Ask for a retrain by hand (as `orrery-cli ct trigger`); the loop takes it in at its next check"));
}

void LoopPanel::setSnapshot(const AutomationSnapshot &snap)
{
    const ct::LoopState &loop = snap.loop;
    const qint64 now = snap.now;
    m_known = true;
    m_paused = loop.paused;
    m_manual = snap.config && snap.config->triggers.manual;
    updateButtons();

    // The loop's state, and whether a process runs it.
    if (loop.paused) {
        m_state->setText(tr("<b>%1</b> by %2 at %3%4 — no new iteration starts until Resume")
                             .arg(coloured(tr("Loop paused"), "#b26a00"), esc(loop.pausedBy), fmt::time(loop.pausedAt),
                                  loop.pausedReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(esc(loop.pausedReason))));
    } else if (!snap.loopHolder.isEmpty()) {
        m_state->setText(tr("<b>%1</b> — %2 starts an iteration when a trigger fires and the policies allow it")
                             .arg(coloured(tr("Loop running"), "#2e7d32"), esc(snap.loopHolder)));
    } else {
        m_state->setText(tr("<b>%1</b>, but no <code>orrery-cli ct run</code> holds the loop's lock: nothing starts until one runs")
                             .arg(coloured(tr("Loop on"), "#757575")));
    }

    // The policies' memory.
    QStringList policies;
    if (snap.config) {
        const ct::PolicyConfig &p = snap.config->policies;
        const qint64 end = loop.lastRetrain + p.cooldownMs;
        if (!loop.lastRetrain)
            policies << tr("Cool-down %1: no iteration started yet").arg(common::durationText(p.cooldownMs));
        else if (end > now)
            policies << tr("Cool-down %1: <b>until %2</b> (%3)").arg(common::durationText(p.cooldownMs), fmt::time(end), fmt::relative(end, now));
        else
            policies << tr("Cool-down %1: over (last start %2)").arg(common::durationText(p.cooldownMs), fmt::time(loop.lastRetrain));
        const int today = loop.countOnDay(now);
        policies << (today >= p.maxPerDay ? tr("<b>%1 of %2</b> iterations started today (UTC): the maximum") : tr("%1 of %2 iterations started today (UTC)"))
                        .arg(today)
                        .arg(p.maxPerDay);
        if (p.requireApproval)
            policies << tr("approval required before the canary");
    } else {
        policies << tr("%1 iterations started today (UTC)").arg(loop.countOnDay(now));
    }
    m_policies->setText(policies.join(QStringLiteral(" · ")));

    // The iteration in progress and its process.
    if (snap.active) {
        const ct::Iteration &a = *snap.active;
        QString text;
        switch (a.state) {
        case ct::IterationState::Running: {
            text = tr("<b>Iteration %1</b>, started %2: step <b>%3</b> — PID %4 on %5, heartbeat %6")
                       .arg(a.id)
                       .arg(fmt::relative(a.created, now), esc(a.step.isEmpty() ? QStringLiteral("-") : a.step))
                       .arg(a.ownerPid)
                       .arg(esc(a.ownerHost), fmt::relative(a.heartbeat, now));
            if (now - a.heartbeat > kStaleHeartbeatMs)
                text += QStringLiteral(" ") + coloured(tr("(no heartbeat for %1: its process may be gone; the next <code>ct run</code> fails it cleanly)")
                                                           .arg(fmt::span(now - a.heartbeat)),
                                                       "#c62828");
            break;
        }
        case ct::IterationState::WaitingApproval:
            text = tr("<b>Iteration %1</b> %2 since %3%4 — Approve or Reject it below (or <code>orrery-cli ct approve %1</code>)")
                       .arg(a.id)
                       .arg(coloured(tr("waits for approval"), "#b26a00"), fmt::time(a.updated),
                            a.reason.isEmpty() ? QString() : QStringLiteral(": ") + esc(a.reason));
            break;
        case ct::IterationState::Approved:
            text = tr("<b>Iteration %1</b> approved by %2: the loop takes it on at its next check").arg(a.id).arg(esc(a.decidedBy));
            break;
        case ct::IterationState::Done:
            break;
        }
        m_process->setText(text);
    } else if (!snap.iterations.isEmpty()) {
        const ct::Iteration &last = snap.iterations.first();
        m_process->setText(tr("No iteration in progress. Last: iteration %1, %2 at %3.")
                               .arg(last.id)
                               .arg(esc(fmt::iterationStatus(last)), fmt::time(last.finished)));
    } else {
        m_process->setText(tr("No iteration yet."));
    }

    // What the loop would decide now.
    if (!snap.configProblem.isEmpty())
        m_decision->setText(coloured(tr("ct.yaml: %1").arg(esc(snap.configProblem)).replace(QLatin1Char('\n'), QStringLiteral("<br>")), "#c62828"));
    else if (snap.decision)
        m_decision->setText(tr("<b>Now:</b> %1%2").arg(snap.decision->start ? tr("an iteration would start: ") : QString(), esc(snap.decision->reason)));
    else
        m_decision->clear();
    setTriggers(snap.triggers, now);
}

void LoopPanel::setTriggers(const QVector<TriggerRow> &rows, qint64 now)
{
    // Rebuilt only when the rows change in number; otherwise the cells are rewritten in place.
    if (m_triggers->topLevelItemCount() != rows.size()) {
        m_triggers->clear();
        for (int i = 0; i < rows.size(); ++i)
            new QTreeWidgetItem(m_triggers);
    }
    for (int i = 0; i < rows.size(); ++i) {
        const TriggerRow &r = rows[i];
        QTreeWidgetItem *item = m_triggers->topLevelItem(i);
        item->setText(KindColumn, r.kind);
        item->setText(WatchesColumn, r.watches);
        item->setToolTip(WatchesColumn, r.watches);
        item->setText(NextColumn, r.next ? QStringLiteral("%1 (%2)").arg(fmt::time(r.next), fmt::relative(r.next, now)) : QStringLiteral("—"));
        item->setText(NowColumn, r.state);
        item->setToolTip(NowColumn, r.reason.isEmpty() ? r.state : QStringLiteral("%1\n\n%2").arg(r.state, r.reason));
        QFont f = item->font(NowColumn);
        f.setBold(r.firing);
        item->setFont(NowColumn, f);
        item->setForeground(NowColumn, !r.firing ? m_triggers->palette().text() : QBrush(QColor(r.state.startsWith(QLatin1String("pending")) ? 0xb26a00 : 0x2e7d32)));
    }
    for (int c : {KindColumn, WatchesColumn, NextColumn})
        m_triggers->resizeColumnToContents(c);
    fitTriggers();
}

void LoopPanel::fitTriggers()
{
    // As tall as its rows (at least two), so the timeline below gets the rest of the area.
    const int rows = qMax(2, m_triggers->topLevelItemCount());
    const int rowHeight = m_triggers->topLevelItemCount() > 0 ? m_triggers->sizeHintForRow(0) : m_triggers->fontMetrics().height() + 4;
    m_triggers->setFixedHeight(m_triggers->header()->sizeHint().height() + rows * rowHeight + 2 * m_triggers->frameWidth() + 2);
}

} // namespace orrery::ui
