#include "ui/data/data_types.h"

#include "core/data/data_diff.h"

#include <QCoreApplication>

namespace orrery::ui {

QString DatasetEntry::fingerprint() const
{
    return QStringList{path, dvcFile, md5, headMd5, currentHash, QString::number(int(state)),
                       inCache ? QStringLiteral("c") : QStringLiteral("-")}
        .join(QLatin1Char('|'));
}

QString DatasetEntry::statusText() const
{
    QString text;
    switch (state) {
    case data::OutState::Unchanged: text = QCoreApplication::translate("orrery::ui::Data", "unchanged"); break;
    case data::OutState::Modified: text = QCoreApplication::translate("orrery::ui::Data", "modified"); break;
    case data::OutState::Missing: text = QCoreApplication::translate("orrery::ui::Data", "missing"); break;
    }
    if (!inCache)
        text += QCoreApplication::translate("orrery::ui::Data", " · not in cache");
    return text;
}

bool DataVersion::isWorkspace() const
{
    return revision == data::kWorkspaceRevision;
}

QString DataVersion::shortId() const
{
    return isWorkspace() ? revision : revision.left(7);
}

bool isTablePath(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) || isTsvPath(path);
}

bool isTsvPath(const QString &path)
{
    return path.endsWith(QLatin1String(".tsv"), Qt::CaseInsensitive);
}

} // namespace orrery::ui
