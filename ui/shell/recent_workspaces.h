#pragma once
// RecentWorkspaces: the "Open Recent" list, newest first, kept in QSettings so it survives
// restarts and is shared by every window of the user.
//
// Folders that are no longer workspaces (moved, deleted, unmounted) are dropped when the list is
// read, so the menu never offers an entry that can only fail. Reading stats at most kMaxEntries
// folders: cheap enough for the GUI thread.

#include <QString>
#include <QStringList>

namespace orrery::ui {

class RecentWorkspaces {
public:
    static constexpr int kMaxEntries = 8;

    explicit RecentWorkspaces(QString settingsKey = QStringLiteral("workspaces/recent"));

    // Existing workspaces only, newest first; prunes the missing ones from the settings.
    QStringList paths() const;
    // Moves `root` to the front (adding it when new) and trims the list to kMaxEntries.
    void add(const QString &root);
    void remove(const QString &root);
    void clear();

private:
    QStringList stored() const;
    void store(const QStringList &paths) const;

    QString m_key;
};

} // namespace orrery::ui
