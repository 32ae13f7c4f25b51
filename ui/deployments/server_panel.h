#pragma once
// ServerPanel: the workspace's local inference server as the window sees it — any running server
// the database knows (deploy::liveServers: URL, pid, applied revision against the desired one),
// or "no server: the desired state waits" — and the buttons that start and stop one.
//
// Start runs `orrery-cli serve --workspace ROOT --port 0` detached, in the workspace, with its
// output in .orrery/tmp/serve-window.log: a process of its own that outlives the window (DESIGN.md,
// "Processes"), found beside the window's executable as the pipeline editor finds it. The server
// records itself once it listens; until then the panel says it is starting, and if the process
// ends before it records itself, the panel shows the log's last lines (why it stopped). Stop sends
// SIGTERM to the recorded pid (the server drains and removes its record) — only for a server on
// this machine.
//
// Threads: GUI thread. The server list comes from the area's snapshots (setServers); starting and
// signalling a process does not wait on it.

#include "core/deploy/server_record.h"

#include <QVector>
#include <QWidget>

class QLabel;
class QPushButton;

namespace orrery::ui {

class ServerPanel : public QWidget {
    Q_OBJECT
public:
    explicit ServerPanel(QWidget *parent = nullptr);

    void setWorkspaceRoot(const QString &root);
    // Where orrery-cli is (default: beside the running executable).
    void setCliDir(const QString &dir) { m_cliDir = dir; }
    QString cliProgram() const;
    void setServers(const QVector<deploy::ServerRecord> &servers, qint64 desiredRevision);
    const QVector<deploy::ServerRecord> &servers() const { return m_servers; }
    // The server the live figures come from (the first one running), or null.
    const deploy::ServerRecord *current() const { return m_servers.isEmpty() ? nullptr : &m_servers.first(); }

    void startServer();
    void stopServer();

    QLabel *statusLabel() const { return m_status; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    qint64 startedPid() const { return m_startedPid; }
    QString logPath() const;

Q_SIGNALS:
    void message(const QString &text, bool error);

private:
    void update();

    QLabel *m_status;
    QPushButton *m_start;
    QPushButton *m_stop;
    QString m_root;
    QString m_cliDir;
    QVector<deploy::ServerRecord> m_servers;
    qint64 m_desiredRevision = 0;
    qint64 m_startedPid = 0; // started from here and not yet recorded
    qint64 m_stoppingPid = 0;
    QString m_exitNote;
};

} // namespace orrery::ui
