#pragma once
// The Registry area's text views, as HTML for a QTextBrowser: a version's detail (gates with their
// explanations, servable or why not, metrics, params, signature's inputs and outputs, data
// versions, commit) and the comparison of two versions side by side with the differences marked.
// The model card is Markdown and shown apart (QTextDocument::setMarkdown).

#include "core/registry/registry_types.h"

namespace orrery::ui {

QString versionDetailHtml(const registry::ModelVersion &version, const QString &promotionBlocker);
QString versionCompareHtml(const registry::ModelVersion &a, const registry::ModelVersion &b);
// "2026-12-04 21:00" in local time, empty for 0.
QString registryTime(qint64 ms);

} // namespace orrery::ui
