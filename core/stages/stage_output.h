#pragma once
// Writing a stage's output files. A stage's outs are paths the pipeline names, often inside
// folders that do not exist yet; each is written atomically, so that an out appears complete or
// not at all (the executor hashes and caches whatever is there when the stage ends). CsvTable
// streams its rows through the same protocol itself.

#include "core/common/status.h"

class QByteArray;
class QJsonDocument;
class QString;

namespace orrery::stages {

// Writes `content` to `path` atomically, creating the folders above it first.
Status writeOutputFile(const QString &path, const QByteArray &content);
// writeOutputFile with `doc` as indented JSON (reports, metrics, plot data: read by people too).
Status writeJsonFile(const QString &path, const QJsonDocument &doc);

} // namespace orrery::stages
