#include "ui/automation/iteration_panel.h"

#include "ui/automation/automation_format.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace orrery::ui {
namespace fmt = automationformat;

namespace {

QString esc(const QString &text) { return text.toHtmlEscaped(); }

QString scalarText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return QStringLiteral("—");
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        // Ids, counts and revisions are whole; metrics keep six significant digits.
        return d == std::floor(d) && std::abs(d) < 1e15 ? QString::number(qint64(d)) : QString::number(d, 'g', 6);
    }
    case QJsonValue::String: return v.toString();
    default: return QString();
    }
}

// One key of a step's detail; objects and arrays of objects become children, arrays of scalars
// one line.
void addValue(QTreeWidget *tree, QTreeWidgetItem *parent, const QString &key, const QJsonValue &value)
{
    auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
    item->setText(IterationPanel::KeyColumn, key);
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        item->setText(IterationPanel::ValueColumn, o.isEmpty() ? QStringLiteral("{}") : QString());
        for (auto it = o.begin(); it != o.end(); ++it)
            addValue(tree, item, it.key(), it.value());
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        bool scalars = true;
        for (const QJsonValue &e : a)
            scalars = scalars && !e.isObject() && !e.isArray();
        if (scalars) {
            QStringList parts;
            for (const QJsonValue &e : a)
                parts << scalarText(e);
            item->setText(IterationPanel::ValueColumn, parts.isEmpty() ? QStringLiteral("[]") : parts.join(QStringLiteral(", ")));
        } else {
            for (int i = 0; i < a.size(); ++i)
                addValue(tree, item, QStringLiteral("[%1]").arg(i), a[i]);
        }
    } else {
        item->setText(IterationPanel::ValueColumn, scalarText(value));
    }
    item->setToolTip(IterationPanel::ValueColumn, item->text(IterationPanel::ValueColumn));
}

QString stepsKey(const QVector<ct::IterationStep> &steps)
{
    QJsonArray a;
    for (const ct::IterationStep &s : steps)
        a.append(QJsonObject{{QStringLiteral("id"), double(s.id)}, {QStringLiteral("state"), s.state}, {QStringLiteral("finished"), double(s.finished)},
                             {QStringLiteral("reason"), s.reason}, {QStringLiteral("detail"), s.detail}});
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

} // namespace

IterationPanel::IterationPanel(Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_navigator(navigator),
      m_summary(new QLabel(this)),
      m_steps(new QTreeWidget(this)),
      m_stepReason(new QLabel(this)),
      m_detail(new QTreeWidget(this)),
      m_approve(new QPushButton(tr("Approve"), this)),
      m_reject(new QPushButton(tr("Reject"), this)),
      m_openRun(new QPushButton(tr("Open pipeline run"), this)),
      m_openVersion(new QPushButton(tr("Open model version"), this)),
      m_openDeployment(new QPushButton(tr("Open deployment"), this))
{
    m_summary->setObjectName(QStringLiteral("automationIterationSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stepReason->setObjectName(QStringLiteral("automationStepReason"));
    m_stepReason->setWordWrap(true);
    m_stepReason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stepReason->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_approve->setObjectName(QStringLiteral("automation.approve"));
    m_approve->setToolTip(tr("Let the iteration go on to its canary (as `orrery-cli ct approve`)"));
    m_reject->setObjectName(QStringLiteral("automation.reject"));
    m_reject->setToolTip(tr("End the iteration here: nothing is deployed (as `orrery-cli ct reject`)"));
    m_openRun->setObjectName(QStringLiteral("automation.openRun"));
    m_openVersion->setObjectName(QStringLiteral("automation.openVersion"));
    m_openDeployment->setObjectName(QStringLiteral("automation.openDeployment"));

    m_steps->setObjectName(QStringLiteral("automationSteps"));
    m_steps->setHeaderLabels({tr("Step"), tr("State"), tr("Started"), tr("Duration"), tr("Reason")});
    m_steps->setRootIsDecorated(false);
    m_steps->setUniformRowHeights(true);
    m_steps->setSelectionMode(QAbstractItemView::SingleSelection);
    m_steps->setWordWrap(false);
    m_steps->header()->setStretchLastSection(true);
    m_steps->header()->setMinimumSectionSize(40);
    m_detail->setObjectName(QStringLiteral("automationStepDetail"));
    m_detail->setHeaderLabels({tr("Key"), tr("Value")});
    m_detail->setSelectionMode(QAbstractItemView::NoSelection);
    m_detail->setUniformRowHeights(true);
    m_detail->header()->setStretchLastSection(true);

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_approve);
    buttons->addWidget(m_reject);
    buttons->addSpacing(16);
    buttons->addWidget(m_openRun);
    buttons->addWidget(m_openVersion);
    buttons->addWidget(m_openDeployment);
    buttons->addStretch(1);
    auto *detailPage = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detailPage);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_stepReason);
    detailLayout->addWidget(m_detail, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_steps);
    split->addWidget(detailPage);
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    m_steps->setMinimumWidth(240);
    detailPage->setMinimumWidth(200);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addWidget(m_summary);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);

    connect(m_steps, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *current) {
        if (m_updating || !current)
            return;
        m_stepId = current->data(StepNameColumn, Qt::UserRole).toLongLong();
        m_stepChosen = true;
        showStepDetail();
    });
    connect(m_approve, &QPushButton::clicked, this, [this] {
        if (m_iteration)
            Q_EMIT approveRequested(m_iteration->id);
    });
    connect(m_reject, &QPushButton::clicked, this, [this] {
        if (m_iteration)
            Q_EMIT rejectRequested(m_iteration->id);
    });
    auto open = [this](ObjectRef (IterationPanel::*ref)() const) {
        const ObjectRef r = (this->*ref)();
        if (m_navigator && !r.id.isEmpty())
            m_navigator->open(r);
    };
    connect(m_openRun, &QPushButton::clicked, this, [open] { open(&IterationPanel::pipelineRunRef); });
    connect(m_openVersion, &QPushButton::clicked, this, [open] { open(&IterationPanel::modelVersionRef); });
    connect(m_openDeployment, &QPushButton::clicked, this, [open] { open(&IterationPanel::deploymentRef); });
    setIteration(nullptr, {}, 0);
}

void IterationPanel::setIteration(const ct::Iteration *iteration, const QVector<ct::IterationStep> &steps, qint64 nowMs)
{
    const bool other = (iteration ? iteration->id : 0) != iterationId();
    m_iteration = iteration ? std::optional<ct::Iteration>(*iteration) : std::nullopt;
    m_now = nowMs;
    if (other) {
        m_stepId = 0;
        m_stepChosen = false;
        m_stepsShown.clear();
    }
    m_stepRows = iteration ? steps : QVector<ct::IterationStep>();
    // Follow the iteration's newest step until the user picks one (or the one picked is gone).
    if (!m_stepChosen || !selected())
        m_stepId = m_stepRows.isEmpty() ? 0 : m_stepRows.last().id;
    rebuildSteps();
    showStepDetail();
    updateSummary();
    updateButtons();
}

void IterationPanel::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

const ct::IterationStep *IterationPanel::selected() const
{
    for (const ct::IterationStep &s : m_stepRows)
        if (s.id == m_stepId)
            return &s;
    return nullptr;
}

QString IterationPanel::selectedStep() const
{
    const ct::IterationStep *s = selected();
    return s ? s->name : QString();
}

void IterationPanel::selectStep(const QString &name)
{
    for (auto it = m_stepRows.crbegin(); it != m_stepRows.crend(); ++it)
        if (it->name == name) {
            m_stepId = it->id;
            m_stepChosen = true;
            rebuildSteps();
            showStepDetail();
            return;
        }
}

void IterationPanel::rebuildSteps()
{
    m_updating = true;
    const bool waiting = m_iteration && m_iteration->state == ct::IterationState::WaitingApproval;
    const QString key = stepsKey(m_stepRows) + (waiting ? QStringLiteral("w") : QString());
    if (key != m_stepsShown) {
        m_stepsShown = key;
        m_steps->clear();
        for (const ct::IterationStep &s : m_stepRows) {
            auto *item = new QTreeWidgetItem(m_steps);
            item->setData(StepNameColumn, Qt::UserRole, s.id);
            item->setText(StepNameColumn, s.name);
            // The step a parked iteration is at waits for a person; no process runs it.
            const bool parked = waiting && s.state == QLatin1String("running");
            item->setText(StepStateColumn, parked ? tr("waiting") : s.state);
            item->setForeground(StepStateColumn, parked ? fmt::outcomeColor(*m_iteration) : fmt::stepColor(s.state));
            QFont f = item->font(StepStateColumn);
            f.setBold(true);
            item->setFont(StepStateColumn, f);
            item->setText(StepStartedColumn, fmt::time(s.started));
            item->setText(StepReasonColumn, s.reason.simplified());
            item->setToolTip(StepReasonColumn, s.reason);
        }
        for (int c : {StepNameColumn, StepStateColumn, StepStartedColumn})
            m_steps->resizeColumnToContents(c);
    }
    // Durations move while a step runs; the selection follows m_stepId.
    for (int i = 0; i < m_steps->topLevelItemCount() && i < m_stepRows.size(); ++i) {
        QTreeWidgetItem *item = m_steps->topLevelItem(i);
        item->setText(StepDurationColumn, fmt::span(fmt::stepDuration(m_stepRows[i], m_now)));
        if (m_stepRows[i].id == m_stepId && m_steps->currentItem() != item)
            m_steps->setCurrentItem(item);
    }
    m_updating = false;
}

void IterationPanel::showStepDetail()
{
    const ct::IterationStep *s = selected();
    const QString key = s ? QStringLiteral("%1\n%2\n%3").arg(s->id).arg(s->reason, QString::fromUtf8(QJsonDocument(s->detail).toJson(QJsonDocument::Compact)))
                          : QString();
    if (key == m_detailShown)
        return;
    m_detailShown = key;
    m_detail->clear();
    if (!s) {
        m_stepReason->setText(m_iteration ? tr("No step recorded yet.") : QString());
        return;
    }
    m_stepReason->setText(s->reason.isEmpty() ? tr("%1: %2 (no reason recorded yet)").arg(s->name, s->state) : tr("%1: %2").arg(s->name, s->reason));
    bool nested = false;
    for (auto it = s->detail.begin(); it != s->detail.end(); ++it) {
        addValue(m_detail, nullptr, it.key(), it.value());
        nested = nested || m_detail->topLevelItem(m_detail->topLevelItemCount() - 1)->childCount() > 0;
    }
    m_detail->setRootIsDecorated(nested); // flat details keep their keys at the edge
    m_detail->expandAll();
    m_detail->resizeColumnToContents(KeyColumn);
}

ObjectRef IterationPanel::pipelineRunRef() const
{
    if (!m_iteration)
        return {QStringLiteral("run"), QString()};
    QString run = m_iteration->pipelineRun;
    for (const ct::IterationStep &s : m_stepRows) // until the runner records it on the iteration, the pipeline step's detail says it
        if (run.isEmpty() && s.name == ct::step::kPipeline)
            run = s.detail.value(QStringLiteral("run_id")).toString();
    return {QStringLiteral("run"), run};
}

ObjectRef IterationPanel::modelVersionRef() const
{
    if (!m_iteration || m_iteration->model.isEmpty() || !m_iteration->modelVersion)
        return {QStringLiteral("model_version"), QString()};
    return {QStringLiteral("model_version"), QStringLiteral("%1/%2").arg(m_iteration->model).arg(m_iteration->modelVersion)};
}

ObjectRef IterationPanel::deploymentRef() const
{
    if (!m_iteration || m_iteration->endpoint.isEmpty())
        return {QStringLiteral("deployment"), QString()};
    bool canary = m_iteration->deployRevision > 0;
    for (const ct::IterationStep &s : m_stepRows)
        canary = canary || s.name == ct::step::kCanary;
    return {QStringLiteral("deployment"), canary ? m_iteration->endpoint : QString()};
}

void IterationPanel::updateButtons()
{
    const bool waiting = m_iteration && m_iteration->state == ct::IterationState::WaitingApproval;
    m_approve->setEnabled(waiting && !m_busy);
    m_reject->setEnabled(waiting && !m_busy);
    auto enable = [this](QPushButton *button, const ObjectRef &ref, const QString &none) {
        const bool handled = m_navigator && m_navigator->canOpen(ref.kind);
        button->setEnabled(!ref.id.isEmpty() && handled);
        if (!ref.id.isEmpty())
            button->setToolTip(handled ? tr("Open %1 %2").arg(ref.kind, ref.id) : tr("No area opens a %1 here").arg(ref.kind));
        else
            button->setToolTip(none);
    };
    enable(m_openRun, pipelineRunRef(), tr("This iteration has run no pipeline"));
    enable(m_openVersion, modelVersionRef(), tr("This iteration has made no model version"));
    enable(m_openDeployment, deploymentRef(), tr("This iteration started no canary"));
}

void IterationPanel::updateSummary()
{
    if (!m_iteration) {
        m_summary->setText(tr("Select an iteration in the timeline."));
        return;
    }
    const ct::Iteration &i = *m_iteration;
    QStringList lines;
    lines << tr("<b>Iteration %1</b>: <b><span style=\"color:%2\">%3</span></b> — started %4, %5 %6")
                 .arg(i.id)
                 .arg(fmt::outcomeColor(i).name(), esc(fmt::triggerToOutcome(i)), fmt::time(i.created))
                 .arg(i.active() ? tr("running for") : tr("took"), fmt::span(fmt::duration(i, m_now)));
    lines << tr("Trigger (%1): %2").arg(esc(i.triggerKind), esc(i.triggerDetail));
    QStringList made;
    if (!i.dataVersion.isEmpty())
        made << tr("data %1%2").arg(esc(i.dataVersion.left(12)), i.dataCommit.isEmpty() ? QString() : tr(" (commit %1 on %2)").arg(esc(i.dataCommit.left(10)), esc(i.branch)));
    const QString run = pipelineRunRef().id;
    if (!run.isEmpty())
        made << tr("pipeline run %1").arg(esc(run.left(12)));
    if (!i.model.isEmpty())
        made << esc(fmt::versions(i));
    if (!i.endpoint.isEmpty())
        made << (i.deployRevision ? tr("endpoint %1 (revision %2)").arg(esc(i.endpoint)).arg(i.deployRevision) : tr("endpoint %1").arg(esc(i.endpoint)));
    if (!made.isEmpty())
        lines << made.join(QStringLiteral(" · "));
    if (!i.reason.isEmpty())
        lines << tr("Why: %1%2").arg(esc(i.reason), i.decidedBy.isEmpty() ? QString() : tr(" (decided by %1)").arg(esc(i.decidedBy)));
    m_summary->setText(lines.join(QStringLiteral("<br>")));
}

} // namespace orrery::ui
