// The terraform format: the k8s format's Service and Deployment as the kubernetes provider's
// `kubernetes_service` and `kubernetes_deployment`, in Terraform's JSON syntax (a `*.tf.json`
// file, which Terraform reads as it reads HCL), with the provider block and two variables
// (kubeconfig, namespace). The provider's schema is snake_case with repeated blocks as arrays
// (container, port, volume), so the objects are written out here rather than translated from the
// Kubernetes JSON; the values come from the same functions (manifest_export_objects.h).
#include "core/deploy/manifest_export_formats.h"
#include "core/deploy/manifest_export_objects.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace orrery::deploy::formats {

namespace {

QJsonObject metadata(const ExportSpec &spec, const QString &name, const QJsonObject &annotations)
{
    QJsonObject m{{QStringLiteral("name"), name},
                  {QStringLiteral("namespace"), QStringLiteral("${var.namespace}")},
                  {QStringLiteral("labels"), objects::objectLabels(spec)}};
    if (!annotations.isEmpty())
        m.insert(QStringLiteral("annotations"), annotations);
    return m;
}

QJsonObject probe(const char *path, int period, int failures)
{
    return {{QStringLiteral("http_get"), QJsonObject{{QStringLiteral("path"), QLatin1String(path)}, {QStringLiteral("port"), QStringLiteral("http")}}},
            {QStringLiteral("period_seconds"), period},
            {QStringLiteral("failure_threshold"), failures}};
}

QJsonObject container(const ExportSpec &spec)
{
    return {{QStringLiteral("name"), QLatin1String(objects::kContainerName)},
            {QStringLiteral("image"), objects::imageOf(spec)},
            {QStringLiteral("command"), QJsonArray::fromStringList(objects::serveCommand(spec))},
            {QStringLiteral("port"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("http")},
                                                            {QStringLiteral("container_port"), spec.port},
                                                            {QStringLiteral("protocol"), QStringLiteral("TCP")}}}},
            {QStringLiteral("readiness_probe"), probe(objects::kReadyPath, 5, 3)},
            {QStringLiteral("liveness_probe"), probe(objects::kLivePath, 10, 6)},
            {QStringLiteral("volume_mount"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("token")},
                                                                    {QStringLiteral("mount_path"), QLatin1String(objects::kTokenDir)},
                                                                    {QStringLiteral("read_only"), true}}}}};
}

QJsonObject deployment(const ExportSpec &spec)
{
    QJsonObject podAnnotations = objects::prometheusAnnotations(spec);
    const QJsonObject model = objects::modelAnnotations(spec);
    for (auto it = model.begin(); it != model.end(); ++it)
        podAnnotations.insert(it.key(), it.value());
    const QJsonObject volume{
        {QStringLiteral("name"), QStringLiteral("token")},
        {QStringLiteral("secret"), QJsonObject{{QStringLiteral("secret_name"), objects::tokenSecretName(spec)},
                                               {QStringLiteral("items"), QJsonArray{QJsonObject{{QStringLiteral("key"), QLatin1String(objects::kTokenKey)},
                                                                                                {QStringLiteral("path"), QLatin1String(objects::kTokenKey)}}}}}}};
    const QJsonObject podSpec{{QStringLiteral("container"), QJsonArray{container(spec)}},
                              {QStringLiteral("volume"), QJsonArray{volume}},
                              {QStringLiteral("termination_grace_period_seconds"), objects::kTerminationGraceSeconds}};
    const QJsonObject podTemplate{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("labels"), objects::podLabels(spec)},
                                                                           {QStringLiteral("annotations"), podAnnotations}}},
                                  {QStringLiteral("spec"), podSpec}};
    return {{QStringLiteral("metadata"), metadata(spec, spec.endpoint, objects::modelAnnotations(spec))},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), spec.replicas},
                                                 {QStringLiteral("selector"), QJsonObject{{QStringLiteral("match_labels"), objects::selectorLabels(spec)}}},
                                                 {QStringLiteral("template"), podTemplate}}}};
}

QJsonObject service(const ExportSpec &spec)
{
    return {{QStringLiteral("metadata"), metadata(spec, spec.endpoint, {})},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("type"), QStringLiteral("ClusterIP")},
                                                 {QStringLiteral("selector"), objects::selectorLabels(spec)},
                                                 {QStringLiteral("port"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("http")},
                                                                                                 {QStringLiteral("port"), spec.port},
                                                                                                 {QStringLiteral("target_port"), QStringLiteral("http")},
                                                                                                 {QStringLiteral("protocol"), QStringLiteral("TCP")}}}}}}};
}

} // namespace

QVector<ExportedFile> terraform(const ExportSpec &spec)
{
    QString what = QStringLiteral("Terraform (JSON syntax) for endpoint '%1': kubernetes_service and kubernetes_deployment.").arg(spec.endpoint);
    if (spec.strategy != QLatin1String("direct"))
        what += QStringLiteral(" Plain Kubernetes has no %1: the Deployment serves v%2 alone; for the steps export argo or kserve.")
                    .arg(spec.strategy, QString::number(spec.version));
    // "//" is Terraform's comment property in JSON syntax; a comment cannot span lines there.
    const QString comment = objects::manifestComment(spec, what).replace(QLatin1Char('\n'), QLatin1Char(' '));
    const QString name = spec.endpoint; // a DNS label: also a valid Terraform resource name
    const QJsonObject root{
        {QStringLiteral("//"), comment},
        {QStringLiteral("terraform"), QJsonObject{{QStringLiteral("required_providers"),
                                                   QJsonObject{{QStringLiteral("kubernetes"), QJsonObject{{QStringLiteral("source"), QStringLiteral("hashicorp/kubernetes")},
                                                                                                          {QStringLiteral("version"), QStringLiteral(">= 2.0.0")}}}}}}},
        {QStringLiteral("variable"), QJsonObject{{QStringLiteral("kubeconfig"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                                                                           {QStringLiteral("default"), QStringLiteral("~/.kube/config")},
                                                                                           {QStringLiteral("description"), QStringLiteral("The kubeconfig file of the cluster to deploy to.")}}},
                                                 {QStringLiteral("namespace"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                                                                          {QStringLiteral("default"), QStringLiteral("default")},
                                                                                          {QStringLiteral("description"), QStringLiteral("The namespace of the endpoint's objects and of its token Secret.")}}}}},
        {QStringLiteral("provider"), QJsonObject{{QStringLiteral("kubernetes"), QJsonObject{{QStringLiteral("config_path"), QStringLiteral("${var.kubeconfig}")}}}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("kubernetes_deployment"), QJsonObject{{name, deployment(spec)}}},
                                                 {QStringLiteral("kubernetes_service"), QJsonObject{{name, service(spec)}}}}}};
    ExportedFile file;
    file.name = spec.endpoint + QStringLiteral(".tf.json");
    file.content = QJsonDocument(root).toJson(QJsonDocument::Indented);
    return {file};
}

} // namespace orrery::deploy::formats
