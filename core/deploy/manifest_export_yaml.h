#pragma once
// YAML for the exported manifests: JSON values (QJsonObject, the form every exporter builds, so
// the Terraform JSON and the YAML come from the same objects) written as YAML documents with
// yaml-cpp's emitter, which stays inside manifest_export_yaml.cpp.
//
// Two things a plain dump would get wrong, and Kubernetes would refuse:
// - a string that a YAML reader would take for something else ("3", "true", "on", "null",
//   "8080", "1e3", "") is double-quoted, so an annotation "3" stays a string;
// - a number with no fraction is written as an integer (QJsonValue keeps doubles: replicas 1,
//   never 1.0).
// Keys keep Kubernetes' reading order where it matters (apiVersion, kind, metadata, name first),
// then alphabetical, so the output is deterministic.

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace orrery::deploy {

// One YAML document (no "---"), ending in a newline.
QByteArray toYaml(const QJsonObject &object);
// The same with another reading order: `leadingKeys` first (those a mapping has, in this
// order), then the rest alphabetically — for files that are not Kubernetes objects (Prometheus'
// rule files, promtool's tests).
QByteArray toYaml(const QJsonObject &object, const QStringList &leadingKeys);

// A "---" document with `comment` (lines, each written as "# line") above it.
QByteArray yamlDocument(const QJsonObject &object, const QString &comment = QString());

// Whether `text` would be read back as a string when written plain (public for the tests).
bool yamlPlainScalarIsString(const QString &text);

} // namespace orrery::deploy
