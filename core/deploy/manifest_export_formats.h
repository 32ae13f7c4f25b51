#pragma once
// One function per export format (internal to core/deploy; manifest_export.cpp validates the
// spec and dispatches). Each takes a validated spec, so none of them fails on its input; `rules`
// are the spec's parsed analysis rules (empty: no analysis).

#include "core/deploy/manifest_export.h"
#include "core/deploy/manifest_export_analysis.h"

namespace orrery::deploy::formats {

QVector<ExportedFile> kubernetes(const ExportSpec &spec);
QVector<ExportedFile> argoRollouts(const ExportSpec &spec, const QVector<AnalysisRule> &rules);
QVector<ExportedFile> kserve(const ExportSpec &spec);
QVector<ExportedFile> terraform(const ExportSpec &spec);
QVector<ExportedFile> containerfile(const ExportSpec &spec);

} // namespace orrery::deploy::formats
