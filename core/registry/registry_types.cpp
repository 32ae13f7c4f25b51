#include "core/registry/registry_types.h"

namespace orrery::registry {

QString versionStatusName(VersionStatus s)
{
    switch (s) {
    case VersionStatus::PendingRegistration:
        return QStringLiteral("PENDING_REGISTRATION");
    case VersionStatus::FailedRegistration:
        return QStringLiteral("FAILED_REGISTRATION");
    case VersionStatus::Ready:
        break;
    }
    return QStringLiteral("READY");
}

QString validationName(Validation v)
{
    switch (v) {
    case Validation::Passed:
        return QStringLiteral("passed");
    case Validation::Failed:
        return QStringLiteral("failed");
    case Validation::NotRun:
        break;
    }
    return QStringLiteral("not_run");
}

Validation validationFromName(const QString &name)
{
    if (name == QLatin1String("passed"))
        return Validation::Passed;
    if (name == QLatin1String("failed"))
        return Validation::Failed;
    return Validation::NotRun;
}

QString normalizedStage(const QString &stage)
{
    // MLflow accepts the stage names case-insensitively and answers with these spellings.
    for (const char *s : {"None", "Staging", "Production", "Archived"})
        if (stage.compare(QLatin1String(s), Qt::CaseInsensitive) == 0)
            return QLatin1String(s);
    return QString();
}

int RegisteredModel::aliasVersion(const QString &alias) const
{
    for (const ModelAlias &a : aliases)
        if (a.alias == alias)
            return a.version;
    return 0;
}

QHash<QString, double> ModelVersion::metrics() const
{
    QHash<QString, double> out;
    const QJsonObject m = lineage.value(QStringLiteral("metrics")).toObject();
    for (auto it = m.begin(); it != m.end(); ++it)
        if (it.value().isDouble())
            out.insert(it.key(), it.value().toDouble());
    return out;
}

} // namespace orrery::registry
