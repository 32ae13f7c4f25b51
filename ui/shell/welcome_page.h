#pragma once
// WelcomePage: what the central area shows while no workspace is open — what Orrery is, the three
// ways to start (new, open, demo) and the recently used workspaces, one click each.
//
// The page only asks: it emits requests and the main window does the work, so the same actions
// behave alike from the page, the File menu and the keyboard.

#include <QStringList>
#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace orrery::ui {

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);

    void setRecentWorkspaces(const QStringList &paths);
    QStringList recentWorkspaces() const { return m_recent; }

    QPushButton *newButton() const { return m_newButton; }
    QPushButton *openButton() const { return m_openButton; }
    QPushButton *demoButton() const { return m_demoButton; }

Q_SIGNALS:
    void newRequested();
    void openRequested();
    void demoRequested();
    void recentRequested(const QString &path);

private:
    QPushButton *m_newButton;
    QPushButton *m_openButton;
    QPushButton *m_demoButton;
    QVBoxLayout *m_recentLayout;
    QLabel *m_noRecent;
    QStringList m_recent;
};

} // namespace orrery::ui
