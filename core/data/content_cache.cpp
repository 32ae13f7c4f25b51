#include "core/data/content_cache.h"

#include "core/common/atomic_file.h"
#include "core/data/dir_manifest.h"
#include "core/common/job.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <QHash>
#include <QSet>

#include <cerrno>
#include <dirent.h>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orrery::data {
namespace {

constexpr qint64 kBlock = 1 << 20;

QString osError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QByteArray encode(const QString &path)
{
    return QFile::encodeName(path);
}

// Reads `fd` to the end, feeding the hash and (when out >= 0) writing to `out`.
Status pump(int fd, int out, QCryptographicHash &hash, qint64 *size, const QString &what, const QString &destination,
            common::JobContext *job)
{
    QByteArray block(kBlock, Qt::Uninitialized);
    *size = 0;
    for (;;) {
        const ssize_t n = ::read(fd, block.data(), size_t(block.size()));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(QStringLiteral("cannot read %1: %2").arg(what, osError()));
        }
        if (n == 0)
            return Status::ok();
        hash.addData(QByteArrayView(block.constData(), n));
        *size += n;
        for (ssize_t done = 0; out >= 0 && done < n;) {
            const ssize_t w = ::write(out, block.constData() + done, size_t(n - done));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return ioError(QStringLiteral("cannot write %1: %2").arg(destination, osError()));
            }
            done += w;
        }
        if (job && job->isCancelled())
            return job->cancelledStatus();
    }
}

struct Fd {
    int fd = -1;
    ~Fd() { if (fd >= 0) ::close(fd); }
};

} // namespace

ContentCache::ContentCache(QString root) : m_root(std::move(root)) {}

bool ContentCache::isValidHash(const QString &hash)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{32}(\\.dir)?$"));
    return re.match(hash).hasMatch();
}

QString ContentCache::objectPath(const QString &hash) const
{
    return m_root + QStringLiteral("/files/md5/") + hash.left(2) + QLatin1Char('/') + hash.mid(2);
}

bool ContentCache::contains(const QString &hash) const
{
    struct stat st;
    return isValidHash(hash) && ::stat(encode(objectPath(hash)).constData(), &st) == 0 && S_ISREG(st.st_mode);
}

bool ContentCache::containsVersion(const QString &md5)
{
    if (md5.isEmpty() || !contains(md5))
        return false;
    if (!md5.endsWith(QLatin1String(".dir")))
        return true;
    auto bytes = readVerified(md5);
    if (!bytes)
        return false;
    auto manifest = DirManifest::parse(*bytes, md5);
    if (!manifest)
        return false;
    QStringList hashes;
    hashes.reserve(manifest->entries.size());
    for (const ManifestEntry &e : manifest->entries)
        hashes << e.md5;
    return containsAll(hashes);
}

bool ContentCache::containsAll(const QStringList &hashes) const
{
    Fd objects;
    objects.fd = ::open(encode(m_root + QStringLiteral("/files/md5")).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (objects.fd < 0)
        return hashes.isEmpty();
    for (const QString &hash : hashes)
        if (!isValidHash(hash))
            return false;
    if (hashes.size() < 2000) {
        for (const QString &hash : hashes) {
            const QByteArray rel = hash.left(2).toLatin1() + '/' + hash.mid(2).toLatin1();
            struct stat st;
            if (::fstatat(objects.fd, rel.constData(), &st, 0) != 0 || !S_ISREG(st.st_mode))
                return false;
        }
        return true;
    }
    // Many objects: reading the names of the (at most 256) folders they live in costs far less
    // than a stat per object.
    QHash<QByteArray, QSet<QByteArray>> present;
    for (const QString &hash : hashes) {
        const QByteArray prefix = hash.left(2).toLatin1();
        auto it = present.find(prefix);
        if (it == present.end()) {
            it = present.insert(prefix, {});
            const int fd = ::openat(objects.fd, prefix.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0)
                return false;
            DIR *d = ::fdopendir(fd);
            if (!d) {
                ::close(fd);
                return false;
            }
            while (dirent *e = ::readdir(d))
                if (e->d_type == DT_REG || e->d_type == DT_UNKNOWN)
                    it->insert(QByteArray(e->d_name));
            ::closedir(d);
        }
        if (!it->contains(hash.mid(2).toLatin1()))
            return false;
    }
    return true;
}

Status ContentCache::syncAll() const
{
    Fd dir;
    dir.fd = ::open(encode(m_root).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir.fd < 0 || ::syncfs(dir.fd) != 0)
        return ioError(QStringLiteral("cannot flush the cache %1 to disk: %2").arg(m_root, osError()));
    return Status::ok();
}

CacheObjectWriter::CacheObjectWriter(const ContentCache &cache, int fd, QByteArray tempPath)
    : m_cache(cache), m_fd(fd), m_tempPath(std::move(tempPath)), m_hash(std::make_unique<QCryptographicHash>(QCryptographicHash::Md5))
{
}

CacheObjectWriter::~CacheObjectWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed)
        ::unlink(m_tempPath.constData());
}

Status CacheObjectWriter::write(const char *data, qint64 size)
{
    if (m_fd < 0)
        return internalError(QStringLiteral("the new cache object is closed already"));
    m_hash->addData(QByteArrayView(data, size));
    m_size += size;
    for (qint64 done = 0; done < size;) {
        const ssize_t w = ::write(m_fd, data + done, size_t(size - done));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return ioError(QStringLiteral("cannot write a new object into the cache (%1): %2").arg(m_cache.root(), osError()));
        }
        done += w;
    }
    return Status::ok();
}

Result<ObjectInfo> CacheObjectWriter::commit(const QString &expectedMd5, bool batch)
{
    if (m_fd < 0)
        return internalError(QStringLiteral("the new cache object is closed already"));
    const QString md5 = QString::fromLatin1(m_hash->result().toHex());
    if (!expectedMd5.isEmpty() && md5 != expectedMd5)
        return corrupt(QStringLiteral("expected md5 %1, read %2").arg(expectedMd5, md5));
    if ((!batch && ::fsync(m_fd) != 0) || ::fchmod(m_fd, 0444) != 0)
        return ioError(QStringLiteral("cannot flush the new cache object %1: %2").arg(md5, osError()));
    ::close(m_fd);
    m_fd = -1;
    const QString final = m_cache.objectPath(md5);
    const QString dir = QFileInfo(final).absolutePath();
    if (!QDir().mkpath(dir))
        return ioError(QStringLiteral("cannot create %1").arg(dir));
    if (QFileInfo::exists(final))
        return ObjectInfo{md5, m_size}; // the same content is there already; the temporary goes
    if (::rename(m_tempPath.constData(), encode(final).constData()) != 0)
        return ioError(QStringLiteral("cannot move the new object into %1: %2").arg(final, osError()));
    m_committed = true;
    if (!batch)
        ORRERY_TRY(common::syncDirectory(dir));
    return ObjectInfo{md5, m_size};
}

Result<std::unique_ptr<CacheObjectWriter>> ContentCache::beginObject() const
{
    const QString tmpDir = m_root + QStringLiteral("/tmp");
    if (!QDir().mkpath(tmpDir))
        return ioError(QStringLiteral("cannot create %1").arg(tmpDir));
    QByteArray tmpName = encode(tmpDir + QStringLiteral("/add-XXXXXX"));
    const int fd = ::mkostemp(tmpName.data(), O_CLOEXEC);
    if (fd < 0)
        return ioError(QStringLiteral("cannot create a temporary file in %1: %2").arg(tmpDir, osError()));
    return std::unique_ptr<CacheObjectWriter>(new CacheObjectWriter(*this, fd, tmpName));
}

Result<ObjectInfo> ContentCache::addFile(const QString &source, const QString &expectedMd5, common::JobContext *job, bool batch)
{
    if (!expectedMd5.isEmpty() && contains(expectedMd5))
        return ObjectInfo{expectedMd5, QFileInfo(source).size()};

    Fd in;
    in.fd = ::open(encode(source).constData(), O_RDONLY | O_CLOEXEC);
    if (in.fd < 0)
        return ioError(QStringLiteral("cannot read %1: %2").arg(source, osError()));
    ORRERY_ASSIGN_OR_RETURN(auto out, beginObject());
    QByteArray block(kBlock, Qt::Uninitialized);
    for (;;) {
        const ssize_t n = ::read(in.fd, block.data(), size_t(block.size()));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(QStringLiteral("cannot read %1: %2").arg(source, osError()));
        }
        if (n == 0)
            break;
        ORRERY_TRY(out->write(block.constData(), n));
        if (job && job->isCancelled())
            return job->cancelledStatus();
    }
    auto info = out->commit(expectedMd5, batch);
    if (!info && info.status().code() == ErrorCode::Corrupt)
        return corrupt(QStringLiteral("%1 changed while it was added: %2").arg(source, info.status().message()));
    return info;
}

Result<ObjectInfo> ContentCache::addBytes(const QByteArray &bytes, bool isDirManifest)
{
    const QString md5 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
    const QString hash = isDirManifest ? md5 + QStringLiteral(".dir") : md5;
    const QString final = objectPath(hash);
    if (QFileInfo::exists(final))
        return ObjectInfo{hash, bytes.size()};
    if (!QDir().mkpath(QFileInfo(final).absolutePath()))
        return ioError(QStringLiteral("cannot create %1").arg(QFileInfo(final).absolutePath()));
    common::AtomicFile file(final);
    file.setMode(0444);
    ORRERY_TRY(file.open());
    ORRERY_TRY(file.write(bytes));
    ORRERY_TRY(file.commit());
    return ObjectInfo{hash, bytes.size()};
}

Status ContentCache::quarantine(const QString &hash) const
{
    const QString dir = m_root + QStringLiteral("/quarantine");
    if (!QDir().mkpath(dir))
        return ioError(QStringLiteral("cannot create %1").arg(dir));
    const QString target = dir + QLatin1Char('/') + QString(hash).replace(QLatin1Char('/'), QLatin1Char('_'));
    if (::rename(encode(objectPath(hash)).constData(), encode(target).constData()) != 0 && errno != ENOENT)
        return ioError(QStringLiteral("cannot quarantine %1: %2").arg(objectPath(hash), osError()));
    return Status::ok();
}

Result<QByteArray> ContentCache::readVerified(const QString &hash)
{
    if (!isValidHash(hash))
        return invalidArgument(QStringLiteral("'%1' is not an md5 hash").arg(hash));
    QFile file(objectPath(hash));
    if (!file.open(QIODevice::ReadOnly))
        return notFound(QStringLiteral("object %1 is not in the cache %2").arg(hash, m_root));
    const QByteArray bytes = file.readAll();
    const QString md5 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
    if (md5 != hash.left(32)) {
        (void)quarantine(hash);
        return corrupt(QStringLiteral("cache object %1 is corrupt (its bytes hash to %2); it was moved to quarantine").arg(hash, md5));
    }
    return bytes;
}

Status ContentCache::copyOut(const QString &hash, const QString &destination, common::JobContext *job)
{
    if (!isValidHash(hash))
        return invalidArgument(QStringLiteral("'%1' is not an md5 hash").arg(hash));
    Fd in;
    in.fd = ::open(encode(objectPath(hash)).constData(), O_RDONLY | O_CLOEXEC);
    if (in.fd < 0)
        return notFound(QStringLiteral("object %1 (for %2) is not in the cache").arg(hash, destination));
    if (!QDir().mkpath(QFileInfo(destination).absolutePath()))
        return ioError(QStringLiteral("cannot create %1").arg(QFileInfo(destination).absolutePath()));
    QByteArray tmpName = encode(QFileInfo(destination).absolutePath() + QStringLiteral("/.") + QFileInfo(destination).fileName()
                                + QStringLiteral(".tmp-XXXXXX"));
    Fd out;
    out.fd = ::mkostemp(tmpName.data(), O_CLOEXEC);
    if (out.fd < 0)
        return ioError(QStringLiteral("cannot create a temporary file beside %1: %2").arg(destination, osError()));
    struct Unlink {
        QByteArray path;
        bool armed = true;
        ~Unlink() { if (armed) ::unlink(path.constData()); }
    } unlinkTemp{tmpName};

    QCryptographicHash md5(QCryptographicHash::Md5);
    qint64 size = 0;
    ORRERY_TRY(pump(in.fd, out.fd, md5, &size, objectPath(hash), destination, job));
    if (QString::fromLatin1(md5.result().toHex()) != hash.left(32)) {
        (void)quarantine(hash);
        return corrupt(QStringLiteral("cache object %1 is corrupt; it was moved to quarantine and %2 was not changed. "
                                      "Pull it again from a remote or re-add the data.").arg(hash, destination));
    }
    if (::fsync(out.fd) != 0 || ::fchmod(out.fd, 0666 & ~mode_t(common::processUmask())) != 0)
        return ioError(QStringLiteral("cannot flush %1: %2").arg(destination, osError()));
    if (::rename(tmpName.constData(), encode(destination).constData()) != 0)
        return ioError(QStringLiteral("cannot replace %1: %2").arg(destination, osError()));
    unlinkTemp.armed = false;
    return common::syncDirectory(QFileInfo(destination).absolutePath());
}

Status ContentCache::copyTo(const QString &hash, ContentCache &other) const
{
    if (other.contains(hash))
        return Status::ok();
    if (hash.endsWith(QLatin1String(".dir"))) {
        QFile f(objectPath(hash));
        if (!f.open(QIODevice::ReadOnly))
            return notFound(QStringLiteral("object %1 is not in the cache %2").arg(hash, m_root));
        ORRERY_ASSIGN_OR_RETURN(auto added, other.addBytes(f.readAll(), true));
        return added.md5 == hash ? Status::ok() : corrupt(QStringLiteral("cache object %1 is corrupt").arg(hash));
    }
    ORRERY_ASSIGN_OR_RETURN(auto added, other.addFile(objectPath(hash)));
    if (added.md5 != hash) {
        (void)other.remove(added.md5);
        return corrupt(QStringLiteral("cache object %1 is corrupt (its bytes hash to %2); it was not copied").arg(hash, added.md5));
    }
    return Status::ok();
}

Status ContentCache::verify(const QString &hash)
{
    Fd in;
    in.fd = ::open(encode(objectPath(hash)).constData(), O_RDONLY | O_CLOEXEC);
    if (in.fd < 0)
        return notFound(QStringLiteral("object %1 is not in the cache").arg(hash));
    QCryptographicHash md5(QCryptographicHash::Md5);
    qint64 size = 0;
    ORRERY_TRY(pump(in.fd, -1, md5, &size, objectPath(hash), QString(), nullptr));
    if (QString::fromLatin1(md5.result().toHex()) != hash.left(32)) {
        (void)quarantine(hash);
        return corrupt(QStringLiteral("cache object %1 is corrupt; it was moved to quarantine").arg(hash));
    }
    return Status::ok();
}

Status ContentCache::remove(const QString &hash)
{
    if (!isValidHash(hash))
        return invalidArgument(QStringLiteral("'%1' is not an md5 hash").arg(hash));
    if (::unlink(encode(objectPath(hash)).constData()) != 0 && errno != ENOENT)
        return ioError(QStringLiteral("cannot remove %1: %2").arg(objectPath(hash), osError()));
    return Status::ok();
}

} // namespace orrery::data
