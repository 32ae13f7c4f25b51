#include "core/common/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orrery::common {
namespace {

constexpr qint64 kBufferSize = 1 << 20;

QString osError(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

} // namespace

unsigned processUmask()
{
    static const mode_t mask = [] {
        const mode_t m = ::umask(022);
        ::umask(m);
        return m;
    }();
    return mask;
}

Status syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ioError(QStringLiteral("cannot open folder %1 to sync it: %2").arg(dir, osError(errno)));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        return ioError(QStringLiteral("cannot sync folder %1: %2").arg(dir, osError(err)));
    return Status::ok();
}

Status writeFileAtomically(const QString &path, const QByteArray &content)
{
    AtomicFile file(path);
    ORRERY_TRY(file.open());
    ORRERY_TRY(file.write(content));
    return file.commit();
}

AtomicFile::AtomicFile(QString targetPath) : m_target(std::move(targetPath)) {}

AtomicFile::~AtomicFile()
{
    discard();
}

Status AtomicFile::open()
{
    const QFileInfo info(m_target);
    if (info.isDir())
        return invalidArgument(QStringLiteral("cannot write %1: it is a folder").arg(m_target));
    QByteArray templ = QFile::encodeName(info.absolutePath() + QStringLiteral("/.") + info.fileName()
                                         + QStringLiteral(".tmp-XXXXXX"));
    m_fd = ::mkostemp(templ.data(), O_CLOEXEC);
    if (m_fd < 0)
        return ioError(QStringLiteral("cannot create a temporary file beside %1: %2").arg(m_target, osError(errno)));
    m_tempPath = QFile::decodeName(templ);
    // mkostemp creates 0600; give the file the usual permissions (subject to the umask).
    ::fchmod(m_fd, 0666 & ~mode_t(processUmask()));
    m_buffer.reserve(kBufferSize);
    return Status::ok();
}

Status AtomicFile::flushBuffer()
{
    const char *p = m_buffer.constData();
    qint64 left = m_buffer.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            return ioError(QStringLiteral("cannot write %1: %2").arg(m_target, osError(err)));
        }
        p += n;
        left -= n;
    }
    m_buffer.clear();
    return Status::ok();
}

Status AtomicFile::write(const char *data, qint64 size)
{
    if (m_fd < 0)
        return internalError(QStringLiteral("AtomicFile::write before open for %1").arg(m_target));
    m_buffer.append(data, size);
    if (m_buffer.size() >= kBufferSize) {
        Status s = flushBuffer();
        if (!s) {
            discard();
            return s;
        }
    }
    return Status::ok();
}

Status AtomicFile::commit()
{
    if (m_fd < 0)
        return internalError(QStringLiteral("AtomicFile::commit before open for %1").arg(m_target));
    Status s = flushBuffer();
    if (s && m_mode >= 0 && ::fchmod(m_fd, mode_t(m_mode)) != 0)
        s = ioError(QStringLiteral("cannot set the permissions of %1: %2").arg(m_target, osError(errno)));
    if (s && ::fsync(m_fd) != 0)
        s = ioError(QStringLiteral("cannot flush %1 to disk: %2").arg(m_target, osError(errno)));
    if (!s) {
        discard();
        return s;
    }
    ::close(m_fd);
    m_fd = -1;
    if (::rename(QFile::encodeName(m_tempPath).constData(), QFile::encodeName(m_target).constData()) != 0) {
        const int err = errno;
        discard();
        return ioError(QStringLiteral("cannot replace %1: %2").arg(m_target, osError(err)));
    }
    m_tempPath.clear();
    return syncDirectory(QFileInfo(m_target).absolutePath());
}

void AtomicFile::discard()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_tempPath.isEmpty()) {
        ::unlink(QFile::encodeName(m_tempPath).constData());
        m_tempPath.clear();
    }
    m_buffer.clear();
}

} // namespace orrery::common
