#include "ui/deployments/server_panel.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHostInfo>
#include <QLabel>
#include <QProcess>
#include <QPushButton>

#include <cerrno>
#include <csignal>

namespace orrery::ui {
namespace {

// Whether `pid` still runs. A detached child is reaped by init, but where no init reaps (some
// containers) it lingers as a zombie, which /proc shows as state Z: gone all the same.
bool processRuns(qint64 pid)
{
    if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno != EPERM))
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.read(512);
        const int close = int(line.lastIndexOf(')'));
        if (close > 0 && close + 2 < line.size() && line[close + 2] == 'Z')
            return false;
    }
    return true;
}

QString lastLines(const QString &path, int lines)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    if (f.size() > 4096)
        f.seek(f.size() - 4096);
    const QStringList all = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join(QLatin1Char('\n'));
}

} // namespace

ServerPanel::ServerPanel(QWidget *parent)
    : QWidget(parent),
      m_status(new QLabel(this)),
      m_start(new QPushButton(tr("Start server"), this)),
      m_stop(new QPushButton(tr("Stop server"), this))
{
    setObjectName(QStringLiteral("deploymentServer"));
    m_status->setObjectName(QStringLiteral("serverStatus"));
    m_start->setObjectName(QStringLiteral("serverStart"));
    m_stop->setObjectName(QStringLiteral("serverStop"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_start->setToolTip(tr("Run `orrery-cli serve --port 0` in the workspace: a process of its own that keeps serving after the window closes"));
    m_stop->setToolTip(tr("Send SIGTERM to the server: it answers what is queued and exits"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_status, 1);
    layout->addWidget(m_start);
    layout->addWidget(m_stop);
    connect(m_start, &QPushButton::clicked, this, &ServerPanel::startServer);
    connect(m_stop, &QPushButton::clicked, this, &ServerPanel::stopServer);
    update();
}

void ServerPanel::setWorkspaceRoot(const QString &root)
{
    m_root = root;
    m_servers.clear();
    m_startedPid = 0;
    m_stoppingPid = 0;
    m_exitNote.clear();
    update();
}

QString ServerPanel::cliProgram() const
{
    return QDir(m_cliDir.isEmpty() ? QCoreApplication::applicationDirPath() : m_cliDir).filePath(QStringLiteral("orrery-cli"));
}

QString ServerPanel::logPath() const
{
    return m_root.isEmpty() ? QString() : m_root + QStringLiteral("/.orrery/tmp/serve-window.log");
}

void ServerPanel::setServers(const QVector<deploy::ServerRecord> &servers, qint64 desiredRevision)
{
    m_servers = servers;
    m_desiredRevision = desiredRevision;
    for (const auto &s : servers)
        if (s.pid == m_startedPid)
            m_startedPid = 0; // it recorded itself: from now on it is a server like any other
    if (m_startedPid && !processRuns(m_startedPid)) {
        const QString tail = lastLines(logPath(), 4);
        m_exitNote = tail.isEmpty() ? tr("The server (PID %1) stopped before it listened.").arg(m_startedPid)
                                    : tr("The server (PID %1) stopped before it listened: %2").arg(m_startedPid).arg(tail);
        Q_EMIT message(m_exitNote, true);
        m_startedPid = 0;
    }
    if (m_stoppingPid && std::none_of(servers.cbegin(), servers.cend(), [&](const auto &s) { return s.pid == m_stoppingPid; }))
        m_stoppingPid = 0;
    update();
}

void ServerPanel::update()
{
    QString text;
    if (m_root.isEmpty()) {
        text = tr("No workspace.");
    } else if (!m_servers.isEmpty()) {
        QStringList lines;
        for (const auto &s : std::as_const(m_servers)) {
            const QString applied = s.appliedRevision >= m_desiredRevision ? tr("applied revision %1").arg(s.appliedRevision)
                                                                           : tr("applying: revision %1 of %2").arg(s.appliedRevision).arg(m_desiredRevision);
            lines << tr("<b>Server</b> %1 (PID %2%3) — %4%5")
                         .arg(s.url().toHtmlEscaped())
                         .arg(s.pid)
                         .arg(s.hostname == QHostInfo::localHostName() ? QString() : tr(" on %1").arg(s.hostname.toHtmlEscaped()))
                         .arg(applied)
                         .arg(s.pid == m_stoppingPid ? tr(" — stopping…") : QString());
        }
        text = lines.join(QStringLiteral("<br>"));
    } else if (m_startedPid) {
        text = tr("Starting the server (PID %1)…").arg(m_startedPid);
    } else {
        text = tr("<b>No server:</b> the desired state waits until one runs.");
        if (!m_exitNote.isEmpty())
            text += QStringLiteral("<br><span style='color:#c62828'>%1</span>").arg(m_exitNote.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    }
    m_status->setText(text);
    bool local = false;
    for (const auto &s : std::as_const(m_servers))
        local = local || s.hostname == QHostInfo::localHostName();
    m_start->setEnabled(!m_root.isEmpty() && m_servers.isEmpty() && !m_startedPid);
    m_stop->setEnabled(local && !m_stoppingPid);
}

void ServerPanel::startServer()
{
    if (m_root.isEmpty() || m_startedPid)
        return;
    const QString program = cliProgram();
    if (!QFileInfo(program).isExecutable()) {
        Q_EMIT message(tr("Cannot start a server: %1 is missing; install Orrery's command-line tool beside the window.").arg(program), true);
        return;
    }
    QDir().mkpath(QFileInfo(logPath()).absolutePath());
    QProcess process;
    process.setProgram(program);
    process.setArguments({QStringLiteral("serve"), QStringLiteral("--workspace"), m_root, QStringLiteral("--port"), QStringLiteral("0")});
    process.setWorkingDirectory(m_root);
    process.setStandardInputFile(QProcess::nullDevice());
    // One log for both streams, each appending (two descriptors at their own offsets would
    // overwrite each other's lines); a fresh one per start.
    QFile::remove(logPath());
    process.setStandardOutputFile(logPath(), QIODevice::Append);
    process.setStandardErrorFile(logPath(), QIODevice::Append);
    qint64 pid = 0;
    if (!process.startDetached(&pid)) {
        Q_EMIT message(tr("Cannot start %1: %2").arg(program, process.errorString()), true);
        return;
    }
    m_startedPid = pid;
    m_exitNote.clear();
    Q_EMIT message(tr("Started `orrery-cli serve --port 0` (PID %1); its output goes to %2").arg(pid).arg(logPath()), false);
    update();
}

void ServerPanel::stopServer()
{
    for (const auto &s : std::as_const(m_servers)) {
        if (s.hostname != QHostInfo::localHostName())
            continue;
        if (::kill(pid_t(s.pid), SIGTERM) != 0) {
            Q_EMIT message(tr("Cannot stop the server (PID %1): %2").arg(s.pid).arg(QString::fromLocal8Bit(strerror(errno))), true);
            return;
        }
        m_stoppingPid = s.pid;
        Q_EMIT message(tr("Asked the server (PID %1) to stop: it drains its requests, then exits.").arg(s.pid), false);
        update();
        return;
    }
}

} // namespace orrery::ui
