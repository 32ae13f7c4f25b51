#include "ui/automation/automation_format.h"

#include <QCoreApplication>
#include <QDateTime>

namespace orrery::ui::automationformat {
namespace {

QString tr(const char *text) { return QCoreApplication::translate("orrery::ui::AutomationArea", text); }

const QColor kGreen(0x2e, 0x7d, 0x32);
const QColor kRed(0xc6, 0x28, 0x28);
const QColor kAmber(0xb2, 0x6a, 0x00);
const QColor kBlue(0x15, 0x65, 0xc0);
const QColor kGrey(0x75, 0x75, 0x75);

} // namespace

QString time(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("—");
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString span(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms) / 1000;
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return s % 60 ? tr("%1 min %2 s").arg(s / 60).arg(s % 60) : tr("%1 min").arg(s / 60);
    if (s < 86400)
        return (s % 3600) / 60 ? tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60) : tr("%1 h").arg(s / 3600);
    return (s % 86400) / 3600 ? tr("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600) : tr("%1 d").arg(s / 86400);
}

QString relative(qint64 ms, qint64 nowMs)
{
    const qint64 d = ms - nowMs;
    if (qAbs(d) < 1000)
        return tr("now");
    return d > 0 ? tr("in %1").arg(span(d)) : tr("%1 ago").arg(span(-d));
}

QString iterationStatus(const ct::Iteration &i)
{
    switch (i.state) {
    case ct::IterationState::Running:
        return i.step.isEmpty() ? tr("running") : tr("running: %1").arg(i.step);
    case ct::IterationState::WaitingApproval:
        return tr("waiting for approval");
    case ct::IterationState::Approved:
        return tr("approved: waiting for the loop");
    case ct::IterationState::Done:
        break;
    }
    if (i.outcome == ct::outcome::kRolledBack)
        return tr("rolled back");
    if (i.outcome == ct::outcome::kNoChange)
        return tr("no change");
    if (i.outcome == ct::outcome::kStopped && !i.step.isEmpty())
        return tr("stopped after %1").arg(i.step);
    return i.outcome;
}

QString triggerToOutcome(const ct::Iteration &i) { return QStringLiteral("%1 → %2").arg(i.triggerKind, iterationStatus(i)); }

QString versions(const ct::Iteration &i)
{
    if (!i.modelVersion)
        return i.model;
    if (!i.championVersion)
        return tr("%1 v%2 (no champion)").arg(i.model).arg(i.modelVersion);
    return tr("%1 v%2 vs champion v%3").arg(i.model).arg(i.modelVersion).arg(i.championVersion);
}

qint64 duration(const ct::Iteration &i, qint64 nowMs) { return qMax<qint64>(0, (i.finished ? i.finished : nowMs) - i.created); }

qint64 stepDuration(const ct::IterationStep &s, qint64 nowMs) { return qMax<qint64>(0, (s.finished ? s.finished : nowMs) - s.started); }

QColor outcomeColor(const ct::Iteration &i)
{
    switch (i.state) {
    case ct::IterationState::Running:
    case ct::IterationState::Approved:
        return kBlue;
    case ct::IterationState::WaitingApproval:
        return kAmber;
    case ct::IterationState::Done:
        break;
    }
    if (i.outcome == ct::outcome::kPromoted)
        return kGreen;
    if (i.outcome == ct::outcome::kRolledBack || i.outcome == ct::outcome::kFailed)
        return kRed;
    return kGrey; // rejected, stopped, no change: nothing moved
}

QColor stepColor(const QString &state)
{
    if (state == QLatin1String("succeeded"))
        return kGreen;
    if (state == QLatin1String("failed"))
        return kRed;
    if (state == QLatin1String("running"))
        return kBlue;
    return kGrey;
}

} // namespace orrery::ui::automationformat
