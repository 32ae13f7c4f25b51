// The k8s format: a Service and a Deployment of the spec's version. Plain Kubernetes has no
// canary or blue-green of its own, so for those strategies the Deployment is their end state (the
// new version, replacing the old pods by a rolling update) and the comment says where the steps
// are: the argo and kserve formats.
#include "core/deploy/manifest_export_formats.h"
#include "core/deploy/manifest_export_objects.h"
#include "core/deploy/manifest_export_yaml.h"

namespace orrery::deploy::formats {

QVector<ExportedFile> kubernetes(const ExportSpec &spec)
{
    QString what = QStringLiteral("Kubernetes Service and Deployment of endpoint '%1'.").arg(spec.endpoint);
    if (spec.strategy != QLatin1String("direct"))
        what += QStringLiteral("\nPlain Kubernetes has no %1: this Deployment serves v%2 alone once applied (a rolling update).\n"
                               "For the %1's steps and analysis export argo (Argo Rollouts) or kserve.")
                    .arg(spec.strategy)
                    .arg(spec.version);
    const QString comment = objects::manifestComment(spec, what);
    ExportedFile file;
    file.name = spec.endpoint + QStringLiteral("-k8s.yaml");
    file.content = yamlDocument(objects::service(spec, spec.endpoint), comment) + yamlDocument(objects::deployment(spec));
    return {file};
}

} // namespace orrery::deploy::formats
