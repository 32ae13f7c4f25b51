#include "core/workspace/workspace_lock.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace orrery::workspace {
namespace {

QString lockPath(const QString &root, const QString &name)
{
    return root + QStringLiteral("/.orrery/locks/") + name + QStringLiteral(".lock");
}

QString readHolder(int fd)
{
    char buffer[512];
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0)
        return QStringLiteral("another operation (PID unknown)");
    // Format: "<pid>\n<what>\n"
    const QStringList lines = QString::fromUtf8(buffer, int(n)).split(QLatin1Char('\n'));
    const QString pid = lines.value(0).trimmed();
    const QString what = lines.value(1).trimmed();
    return QStringLiteral("%1 (PID %2)").arg(what.isEmpty() ? QStringLiteral("another operation") : what,
                                             pid.isEmpty() ? QStringLiteral("unknown") : pid);
}

} // namespace

WorkspaceLock::~WorkspaceLock()
{
    if (m_fd >= 0) {
        // Clear the holder text first so nobody reads a stale "who" after we let go.
        (void)::ftruncate(m_fd, 0);
        ::flock(m_fd, LOCK_UN);
        ::close(m_fd);
    }
}

Result<std::unique_ptr<WorkspaceLock>> WorkspaceLock::acquire(const QString &root, const QString &name,
                                                              const QString &what, int waitMs)
{
    const QString path = lockPath(root, name);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return ioError(QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath()));
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ioError(QStringLiteral("cannot open lock file %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));

    QElapsedTimer waited;
    waited.start();
    int delayMs = 5;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int err = errno;
            ::close(fd);
            return ioError(QStringLiteral("cannot lock %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(err))));
        }
        if (waited.elapsed() >= waitMs) {
            const QString who = readHolder(fd);
            ::close(fd);
            return busy(QStringLiteral("busy: %1 holds the workspace's '%2' lock; try again when it has finished").arg(who, name));
        }
        QThread::msleep(delayMs);
        delayMs = qMin(delayMs * 2, 100);
    }
    const QByteArray text = QByteArray::number(QCoreApplication::applicationPid()) + '\n' + what.toUtf8() + '\n';
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.constData(), size_t(text.size()), 0) != text.size()) {
        // The lock is ours even when the note could not be written; others will read "PID unknown".
    }
    return std::unique_ptr<WorkspaceLock>(new WorkspaceLock(fd));
}

QString WorkspaceLock::holder(const QString &root, const QString &name)
{
    const int fd = ::open(QFile::encodeName(lockPath(root, name)).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QString();
    QString who;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0)
        who = readHolder(fd);
    else
        ::flock(fd, LOCK_UN);
    ::close(fd);
    return who;
}

} // namespace orrery::workspace
