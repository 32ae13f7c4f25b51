#include "core/stages/stage_output.h"

#include "core/common/atomic_file.h"

#include <QByteArray>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

namespace orrery::stages {

Status writeOutputFile(const QString &path, const QByteArray &content)
{
    // A folder that cannot be made shows up as the write's own error, which names the path.
    QDir().mkpath(QFileInfo(path).absolutePath());
    return common::writeFileAtomically(path, content);
}

Status writeJsonFile(const QString &path, const QJsonDocument &doc)
{
    return writeOutputFile(path, doc.toJson(QJsonDocument::Indented));
}

} // namespace orrery::stages
