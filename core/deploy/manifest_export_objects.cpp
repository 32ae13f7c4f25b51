#include "core/deploy/manifest_export_objects.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace orrery::deploy::objects {

namespace {

// The longest suffix the export appends to the endpoint's name ("-analysis", "-preview",
// "-token"), so that every derived name stays a 63-character label too.
constexpr int kLongestSuffix = 9;
constexpr int kMaxLabel = 63;

QJsonArray strings(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject probe(const char *path, int period, int failures)
{
    return QJsonObject{{QStringLiteral("httpGet"), QJsonObject{{QStringLiteral("path"), QLatin1String(path)},
                                                               {QStringLiteral("port"), QStringLiteral("http")}}},
                       {QStringLiteral("periodSeconds"), period},
                       {QStringLiteral("failureThreshold"), failures}};
}

QJsonObject merged(QJsonObject a, const QJsonObject &b)
{
    for (auto it = b.begin(); it != b.end(); ++it)
        a.insert(it.key(), it.value());
    return a;
}

} // namespace

QString kubernetesNameProblem(const QString &name)
{
    // Refused, never rewritten: a mapping such as Fraud_Model -> fraud-model would make two
    // endpoints (fraud_model, Fraud-Model) one set of objects, and the objects' names would no
    // longer be the endpoint a person looks for with kubectl. Services need a DNS-1035 label
    // (RFC 1123, starting with a letter), the strictest of the names used here.
    static const QRegularExpression label(QStringLiteral("^[a-z]([-a-z0-9]*[a-z0-9])?$"));
    const int longest = kMaxLabel - kLongestSuffix;
    if (name.isEmpty())
        return QStringLiteral("the endpoint's name is empty");
    if (name.size() > longest)
        return QStringLiteral("endpoint '%1' has %2 characters; Kubernetes names of an endpoint's objects ('%1-analysis') must fit in %3, "
                              "so the endpoint may have at most %4")
            .arg(name)
            .arg(name.size())
            .arg(kMaxLabel)
            .arg(longest);
    if (!label.match(name).hasMatch()) {
        QString suggestion = name.toLower();
        suggestion.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
        suggestion.remove(QRegularExpression(QStringLiteral("^[^a-z]+|-+$")));
        return QStringLiteral("endpoint '%1' is no Kubernetes name (RFC 1123 DNS label: lowercase letters, digits and '-', "
                              "starting with a letter and ending with a letter or digit); %2")
            .arg(name, suggestion.isEmpty() ? QStringLiteral("deploy the endpoint under such a name")
                                            : QStringLiteral("deploy the endpoint as '%1'").arg(suggestion));
    }
    return QString();
}

QString modelFileName(const ExportSpec &spec)
{
    return QStringLiteral("%1-v%2.pt").arg(spec.endpoint).arg(spec.version);
}

QString modelPathInImage(const ExportSpec &spec)
{
    return QLatin1String(kModelsDir) + QLatin1Char('/') + modelFileName(spec);
}

QString imageOf(const ExportSpec &spec)
{
    return spec.image.isEmpty() ? defaultImage(spec) : spec.image;
}

QString tokenSecretName(const ExportSpec &spec)
{
    return spec.endpoint + QStringLiteral("-token");
}

QString previewServiceName(const ExportSpec &spec)
{
    return spec.endpoint + QStringLiteral("-preview");
}

QString analysisTemplateName(const ExportSpec &spec)
{
    return spec.endpoint + QStringLiteral("-analysis");
}

QStringList serveCommand(const ExportSpec &spec)
{
    return {QStringLiteral("orrery-cli"), QStringLiteral("serve"),
            QStringLiteral("--model"), modelPathInImage(spec),
            QStringLiteral("--endpoint"), spec.endpoint,
            QStringLiteral("--version"), QString::number(spec.version),
            QStringLiteral("--host"), QStringLiteral("0.0.0.0"),
            QStringLiteral("--port"), QString::number(spec.port),
            QStringLiteral("--token-file"), QLatin1String(kTokenFile)};
}

QJsonObject selectorLabels(const ExportSpec &spec)
{
    return {{QStringLiteral("app.kubernetes.io/name"), spec.endpoint}};
}

QJsonObject objectLabels(const ExportSpec &spec)
{
    return merged(selectorLabels(spec), {{QStringLiteral("app.kubernetes.io/part-of"), QStringLiteral("orrery")}});
}

QJsonObject podLabels(const ExportSpec &spec)
{
    return merged(objectLabels(spec), {{QStringLiteral("orrery.dev/version"), QString::number(spec.version)}});
}

QJsonObject modelAnnotations(const ExportSpec &spec)
{
    return {{QStringLiteral("orrery.dev/model"), spec.model},
            {QStringLiteral("orrery.dev/model-version"), QString::number(spec.version)},
            {QStringLiteral("orrery.dev/model-md5"), spec.modelMd5},
            {QStringLiteral("orrery.dev/strategy"), spec.strategy}};
}

QJsonObject prometheusAnnotations(const ExportSpec &spec)
{
    return {{QStringLiteral("prometheus.io/scrape"), QStringLiteral("true")},
            {QStringLiteral("prometheus.io/port"), QString::number(spec.port)},
            {QStringLiteral("prometheus.io/path"), QLatin1String(kMetricsPath)}};
}

QString manifestComment(const ExportSpec &spec, const QString &what)
{
    return QStringLiteral("%1\n"
                          "Written by orrery-cli export: model '%2' v%3 (md5 %4) as endpoint '%5', strategy %6, image %7.\n"
                          "Off loopback Orrery's server requires a bearer token. It reads it from the Secret '%8',\n"
                          "which you create before applying this (key '%9'):\n"
                          "  kubectl create secret generic %8 --from-file=%9=./token\n"
                          "Clients send it as 'Authorization: Bearer <token>'; %10, %11 and %12 need none.")
        .arg(what, spec.model, QString::number(spec.version), spec.modelMd5, spec.endpoint, spec.strategy, imageOf(spec),
             tokenSecretName(spec), QLatin1String(kTokenKey), QLatin1String(kReadyPath), QLatin1String(kLivePath), QLatin1String(kMetricsPath));
}

QJsonObject container(const ExportSpec &spec)
{
    return {{QStringLiteral("name"), QLatin1String(kContainerName)},
            {QStringLiteral("image"), imageOf(spec)},
            {QStringLiteral("command"), strings(serveCommand(spec))},
            {QStringLiteral("ports"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("http")},
                                                             {QStringLiteral("containerPort"), spec.port},
                                                             {QStringLiteral("protocol"), QStringLiteral("TCP")}}}},
            // Ready once the model is loaded and verified; live as soon as it listens.
            {QStringLiteral("readinessProbe"), probe(kReadyPath, 5, 3)},
            {QStringLiteral("livenessProbe"), probe(kLivePath, 10, 6)},
            {QStringLiteral("volumeMounts"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("token")},
                                                                    {QStringLiteral("mountPath"), QLatin1String(kTokenDir)},
                                                                    {QStringLiteral("readOnly"), true}}}}};
}

QJsonObject tokenVolume(const ExportSpec &spec)
{
    return {{QStringLiteral("name"), QStringLiteral("token")},
            {QStringLiteral("secret"), QJsonObject{{QStringLiteral("secretName"), tokenSecretName(spec)},
                                                   {QStringLiteral("items"), QJsonArray{QJsonObject{{QStringLiteral("key"), QLatin1String(kTokenKey)},
                                                                                                    {QStringLiteral("path"), QLatin1String(kTokenKey)}}}}}}};
}

QJsonObject podTemplate(const ExportSpec &spec)
{
    return {{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("labels"), podLabels(spec)},
                                                     {QStringLiteral("annotations"), merged(prometheusAnnotations(spec), modelAnnotations(spec))}}},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("containers"), QJsonArray{container(spec)}},
                                                 {QStringLiteral("volumes"), QJsonArray{tokenVolume(spec)}},
                                                 {QStringLiteral("terminationGracePeriodSeconds"), kTerminationGraceSeconds}}}};
}

QJsonObject deployment(const ExportSpec &spec)
{
    return {{QStringLiteral("apiVersion"), QStringLiteral("apps/v1")},
            {QStringLiteral("kind"), QStringLiteral("Deployment")},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), spec.endpoint},
                                                     {QStringLiteral("labels"), objectLabels(spec)},
                                                     {QStringLiteral("annotations"), modelAnnotations(spec)}}},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), spec.replicas},
                                                 {QStringLiteral("selector"), QJsonObject{{QStringLiteral("matchLabels"), selectorLabels(spec)}}},
                                                 {QStringLiteral("template"), podTemplate(spec)}}}};
}

QJsonObject service(const ExportSpec &spec, const QString &name)
{
    return {{QStringLiteral("apiVersion"), QStringLiteral("v1")},
            {QStringLiteral("kind"), QStringLiteral("Service")},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("labels"), objectLabels(spec)}}},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("type"), QStringLiteral("ClusterIP")},
                                                 {QStringLiteral("selector"), selectorLabels(spec)},
                                                 {QStringLiteral("ports"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("http")},
                                                                                                  {QStringLiteral("port"), spec.port},
                                                                                                  {QStringLiteral("targetPort"), QStringLiteral("http")},
                                                                                                  {QStringLiteral("protocol"), QStringLiteral("TCP")}}}}}}};
}

} // namespace orrery::deploy::objects
