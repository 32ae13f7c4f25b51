#include "core/deploy/deployment.h"

#include "core/common/duration.h"
#include "core/deploy/manifest_export_objects.h"

#include <QRegularExpression>

namespace orrery::deploy {

QString strategyName(Strategy s)
{
    switch (s) {
    case Strategy::Direct: return QStringLiteral("direct");
    case Strategy::BlueGreen: return QStringLiteral("blue-green");
    case Strategy::Canary: return QStringLiteral("canary");
    case Strategy::Shadow: return QStringLiteral("shadow");
    }
    return QString();
}

Result<Strategy> parseStrategy(const QString &text)
{
    for (Strategy s : {Strategy::Direct, Strategy::BlueGreen, Strategy::Canary, Strategy::Shadow})
        if (text == strategyName(s))
            return s;
    return invalidArgument(QStringLiteral("unknown strategy '%1'; use direct, blue-green, canary or shadow").arg(text));
}

QString phaseName(Phase p)
{
    switch (p) {
    case Phase::Healthy: return QStringLiteral("healthy");
    case Phase::Progressing: return QStringLiteral("progressing");
    case Phase::Paused: return QStringLiteral("paused");
    case Phase::Aborted: return QStringLiteral("aborted");
    }
    return QString();
}

Phase parsePhase(const QString &text)
{
    for (Phase p : {Phase::Progressing, Phase::Paused, Phase::Aborted})
        if (text == phaseName(p))
            return p;
    return Phase::Healthy;
}

Status validateEndpointName(const QString &name)
{
    // One rule with the export: a DNS-1035 label short enough for "-preview" and "-analysis".
    if (const QString problem = objects::kubernetesNameProblem(name); !problem.isEmpty())
        return invalidArgument(problem);
    if (name.endsWith(QLatin1String("-preview")))
        return invalidArgument(QStringLiteral("endpoint name '%1' ends in '-preview', which is a blue-green deployment's preview endpoint").arg(name));
    return Status();
}

QString previewEndpoint(const QString &endpoint) { return endpoint + QStringLiteral("-preview"); }

Result<QList<int>> parseSteps(const QString &text)
{
    QList<int> steps;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        steps << part.trimmed().remove(QLatin1Char('%')).toInt(&ok);
        if (!ok)
            return invalidArgument(QStringLiteral("canary step '%1' is not a whole percent from 1 to 100").arg(part.trimmed()));
    }
    ORRERY_TRY(validateSteps(steps));
    return steps;
}

Status validateSteps(const QList<int> &steps)
{
    for (int i = 0; i < steps.size(); ++i) {
        if (steps[i] < 1 || steps[i] > 100)
            return invalidArgument(QStringLiteral("canary step '%1' is not a whole percent from 1 to 100").arg(steps[i]));
        if (i && steps[i] <= steps[i - 1])
            return invalidArgument(QStringLiteral("canary steps must increase: %1 comes after %2 (each step above the one before)").arg(steps[i]).arg(steps[i - 1]));
    }
    if (steps.isEmpty() || steps.last() != 100)
        return invalidArgument(QStringLiteral("canary steps '%1' must end at 100 (e.g. 5,25,50,100)").arg(stepsText(steps)));
    return Status();
}

QString stepsText(const QList<int> &steps)
{
    QStringList parts;
    for (int s : steps)
        parts << QString::number(s);
    return parts.join(QLatin1Char(','));
}

// One duration syntax for the whole workbench (core/common/duration.h): the alert rules read it too.
Result<qint64> parseDurationMs(const QString &text) { return common::parseDurationMs(text); }

QString durationText(qint64 ms) { return common::durationText(ms); }

QList<std::pair<int, int>> Deployment::weights() const
{
    if (stableVersion == 0)
        return {};
    if (rollingOut() && strategy == Strategy::Canary && canaryWeight > 0) {
        if (canaryWeight >= 100)
            return {{candidateVersion, 100}};
        return {{stableVersion, 100 - canaryWeight}, {candidateVersion, canaryWeight}};
    }
    return {{stableVersion, 100}};
}

QString Deployment::weightsJson() const
{
    QStringList parts;
    for (const auto &[version, weight] : weights())
        parts << QStringLiteral("\"%1\":%2").arg(version).arg(weight);
    if (rollingOut() && strategy == Strategy::BlueGreen)
        parts << QStringLiteral("\"preview\":%1").arg(candidateVersion);
    if (rollingOut() && strategy == Strategy::Shadow)
        parts << QStringLiteral("\"shadow\":%1").arg(candidateVersion);
    return QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
}

} // namespace orrery::deploy
