#include "ui/shell/recent_workspaces.h"

#include "core/workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace orrery::ui {
namespace {
QString normalized(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}
} // namespace

RecentWorkspaces::RecentWorkspaces(QString settingsKey) : m_key(std::move(settingsKey)) {}

QStringList RecentWorkspaces::paths() const
{
    const QStringList all = stored();
    QStringList existing;
    for (const QString &path : all)
        if (workspace::Workspace::isWorkspace(path) && !existing.contains(path))
            existing.append(path);
    if (existing != all)
        store(existing);
    return existing;
}

void RecentWorkspaces::add(const QString &root)
{
    const QString path = normalized(root);
    QStringList list = stored();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxEntries)
        list.removeLast();
    store(list);
}

void RecentWorkspaces::remove(const QString &root)
{
    QStringList list = stored();
    if (list.removeAll(normalized(root)) > 0)
        store(list);
}

void RecentWorkspaces::clear()
{
    store({});
}

QStringList RecentWorkspaces::stored() const
{
    return QSettings().value(m_key).toStringList();
}

void RecentWorkspaces::store(const QStringList &paths) const
{
    QSettings().setValue(m_key, paths);
}

} // namespace orrery::ui
