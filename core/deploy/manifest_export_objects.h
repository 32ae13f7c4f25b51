#pragma once
// The Kubernetes pieces every exported manifest shares (internal to core/deploy's export): the
// names, labels and annotations, the serving command, the pod template with its token volume and
// probes, the Deployment and the Service. The Rollout takes the same pod template, KServe the
// same container, Terraform the same values in the provider's schema, and the Containerfile the
// same command — so the image and every manifest agree by construction.

#include "core/deploy/manifest_export.h"

#include <QJsonObject>

namespace orrery::deploy::objects {

// Paths inside the image and the pod. The probes and /metrics are answered without the token.
inline constexpr const char *kTokenDir = "/var/run/secrets/orrery";
inline constexpr const char *kTokenFile = "/var/run/secrets/orrery/token";
inline constexpr const char *kTokenKey = "token"; // the Secret's key, mounted as the file above
inline constexpr const char *kModelsDir = "/models";
inline constexpr const char *kReadyPath = "/v2/health/ready";
inline constexpr const char *kLivePath = "/v2/health/live";
inline constexpr const char *kMetricsPath = "/metrics";
inline constexpr const char *kContainerName = "orrery";
// orrery-serve drains on SIGTERM (answers what is queued, refuses new work): give it time.
inline constexpr int kTerminationGraceSeconds = 30;

// Why `name` cannot name the Kubernetes objects of an endpoint; empty when it can.
QString kubernetesNameProblem(const QString &name);

QString modelFileName(const ExportSpec &spec);  // "fraud-v3.pt": the endpoint's name is already a safe file name
QString modelPathInImage(const ExportSpec &spec); // "/models/fraud-v3.pt"
QString imageOf(const ExportSpec &spec);          // spec.image or defaultImage()
QString tokenSecretName(const ExportSpec &spec);  // "{E}-token"
QString previewServiceName(const ExportSpec &spec); // "{E}-preview"
QString analysisTemplateName(const ExportSpec &spec); // "{E}-analysis"

// `orrery-cli serve --model /models/<file> --endpoint E --version V --host 0.0.0.0 --port P
// --token-file /var/run/secrets/orrery/token`, as one argument per element.
QStringList serveCommand(const ExportSpec &spec);

QJsonObject selectorLabels(const ExportSpec &spec); // what Services select: the endpoint alone
QJsonObject objectLabels(const ExportSpec &spec);   // selector labels + part-of
QJsonObject podLabels(const ExportSpec &spec);      // object labels + the version
QJsonObject modelAnnotations(const ExportSpec &spec); // model name, version, md5, strategy
QJsonObject prometheusAnnotations(const ExportSpec &spec); // prometheus.io/scrape, port, path

// The comment above each manifest: what it deploys and the Secret the user must create.
QString manifestComment(const ExportSpec &spec, const QString &what);

QJsonObject container(const ExportSpec &spec);      // image, command, port "http", probes, token mount
QJsonObject tokenVolume(const ExportSpec &spec);
QJsonObject podTemplate(const ExportSpec &spec);    // metadata (labels, annotations) + spec
QJsonObject deployment(const ExportSpec &spec);
QJsonObject service(const ExportSpec &spec, const QString &name);

} // namespace orrery::deploy::objects
