// RecentWorkspaces: newest first, no duplicates, at most eight, and folders that are no longer
// workspaces disappear from the list.

#include "core/workspace/workspace.h"
#include "ui/shell/recent_workspaces.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using orrery::ui::RecentWorkspaces;
using orrery::workspace::Workspace;

class TstRecentWorkspaces : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QStringList m_workspaces;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryRecentTest"));
        QSettings().clear();
        // A workspace is recognised by its .orrery/orrery.db; that is all the list looks at.
        for (int i = 0; i < 10; ++i) {
            const QString root = m_dir.filePath(QStringLiteral("ws%1").arg(i));
            QVERIFY(QDir().mkpath(root + QStringLiteral("/.orrery")));
            QFile db(Workspace::databasePathFor(root));
            QVERIFY(db.open(QIODevice::WriteOnly));
            m_workspaces << root;
        }
    }

    void cleanup() { QSettings().clear(); }

    void newestFirstWithoutDuplicates()
    {
        RecentWorkspaces recent;
        recent.add(m_workspaces[0]);
        recent.add(m_workspaces[1]);
        recent.add(m_workspaces[0] + QStringLiteral("/")); // the same folder, spelled differently
        QCOMPARE(recent.paths(), (QStringList{m_workspaces[0], m_workspaces[1]}));
    }

    void keepsAtMostEight()
    {
        RecentWorkspaces recent;
        for (const QString &root : m_workspaces)
            recent.add(root);
        const QStringList paths = recent.paths();
        QCOMPARE(paths.size(), RecentWorkspaces::kMaxEntries);
        QCOMPARE(paths.first(), m_workspaces.last());
        QVERIFY(!paths.contains(m_workspaces[0]));
    }

    void dropsFoldersThatAreNoLongerWorkspaces()
    {
        RecentWorkspaces recent;
        const QString gone = m_dir.filePath(QStringLiteral("gone"));
        QVERIFY(QDir().mkpath(gone + QStringLiteral("/.orrery")));
        QFile(Workspace::databasePathFor(gone)).open(QIODevice::WriteOnly);
        recent.add(m_workspaces[2]);
        recent.add(gone);
        QCOMPARE(recent.paths().size(), 2);
        QVERIFY(QDir(gone).removeRecursively());
        QCOMPARE(recent.paths(), QStringList{m_workspaces[2]});
        // …and from the stored settings, not only from what was returned.
        QCOMPARE(QSettings().value(QStringLiteral("workspaces/recent")).toStringList(), QStringList{m_workspaces[2]});
        recent.remove(m_workspaces[2]);
        QVERIFY(recent.paths().isEmpty());
    }
};

QTEST_MAIN(TstRecentWorkspaces)
#include "tst_recent_workspaces.moc"
