#pragma once
// Manifest export: one deployment of a registered model version, written as infrastructure as
// code for a cluster Orrery does not run itself (issue 16, part 5). The same ExportSpec becomes
//
//   k8s            a Kubernetes Deployment and Service (multi-document YAML)
//   argo           an Argo Rollouts Rollout with the canary steps (or blueGreen with the
//                  `{E}-preview` service), its Services, and an AnalysisTemplate whose Prometheus
//                  queries read Orrery's own /metrics names (manifest_export_analysis.h)
//   kserve         a KServe InferenceService (serving.kserve.io/v1beta1; canaryTrafficPercent)
//   terraform      the k8s objects as the kubernetes provider's resources, in Terraform's JSON
//                  syntax (`*.tf.json`)
//   containerfile  the image every manifest names: Orrery built on debian:12 with
//                  packaging/setup.sh, the model file copied in, `orrery-cli serve` as its command
//
// Every pod runs `orrery-cli serve --model /models/<file> --endpoint E --version V --host 0.0.0.0
// --port P --token-file /var/run/secrets/orrery/token`: off loopback the server requires a
// bearer token (core/http), which comes from the Kubernetes Secret `{E}-token` that the user
// creates (the manifests say how). Probes use /v2/health/ready and /v2/health/live and Prometheus
// scrapes /metrics, all answered without the token.
//
// Pure functions of the spec: nothing here touches a cluster, the registry or the workspace, so
// a later `export ENDPOINT` can build the spec from the endpoint's recorded deployment instead
// of the command line. Validation comes first and names the field and the fix; a spec that
// passes always exports.

#include "core/common/status.h"
#include "core/deploy/deployment.h" // validateEndpointName

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::deploy {

enum class ExportFormat { Kubernetes, ArgoRollouts, KServe, Terraform, Containerfile };

// "k8s", "argo", "kserve", "terraform", "containerfile"; anything else is InvalidArgument naming
// the known ones.
Result<ExportFormat> parseExportFormat(const QString &name);
QString exportFormatName(ExportFormat format);
QStringList exportFormatNames();

struct ExportSpec {
    QString endpoint;        // the Kubernetes objects' name: must be a DNS-1035 label (validated, never rewritten)
    QString model;           // registered model name (annotations only: names may hold any character)
    int version = 0;         // the version this deployment serves
    QString modelMd5;        // the version's md5, checked again when the file is copied
    QString modelFile;       // the verified cached file (a <file>.signature.json beside it is copied too)
    QString strategy = QStringLiteral("direct"); // direct | blue-green | canary | shadow
    QList<int> canarySteps;  // canary only: strictly increasing weights in 1..100, e.g. 5,25,50,100
    int pauseSeconds = 60;   // canary: the pause after each weight before its analysis
    QString analysisRules;   // "error_rate <= stable + 0.01, p99_ms <= 1.2 * stable"; empty: no analysis
    int stableVersion = 0;   // canary / blue-green: the version being replaced, 0 if none
    int port = 8080;
    QString image;           // empty: defaultImage()
    int replicas = 1;
    int minRequests = 200;   // the analysis waits for this many requests of each version (Orrery's default)
    QString prometheusAddress = QStringLiteral("http://prometheus.monitoring.svc:9090"); // for the AnalysisTemplate
};

// What an export writes: text (`content`), or a copy of an existing file (`copyFrom`, checked
// against `copyMd5` when that is set) — the model file the Containerfile copies into the image.
struct ExportedFile {
    QString name; // relative to the output folder, '/'-separated: "fraud-rollout.yaml", "models/fraud-v3.pt"
    QByteArray content;
    QString copyFrom;
    QString copyMd5;
};

// The image the manifests name when the spec gives none: `orrery-E:vV`, which the Containerfile's
// build instructions tag.
QString defaultImage(const ExportSpec &spec);

// Checks everything the formats rely on; each error names the field, the value and the fix.
Status validateExportSpec(const ExportSpec &spec);
// Validates, then writes `format`. Shadow deployments are refused by every format but the
// Containerfile (see manifest_export.cpp for why).
Result<QVector<ExportedFile>> exportManifests(ExportFormat format, const ExportSpec &spec);

} // namespace orrery::deploy
