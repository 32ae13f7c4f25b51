#include "core/data/file_hasher.h"

#include "core/common/job.h"
#include "core/common/parallel_for.h"
#include "core/data/cache_check.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QFile>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace orrery::data {
namespace {

struct Listed {
    QString path;
    FileStat stat;
};

Status walk(int dirFd, const QString &where, const QString &prefix, bool withStats, QVector<Listed> &out)
{
    DIR *d = ::fdopendir(dirFd);
    if (!d) {
        ::close(dirFd);
        return ioError(QStringLiteral("cannot list %1: %2").arg(where, QString::fromLocal8Bit(std::strerror(errno))));
    }
    struct Close {
        DIR *d;
        ~Close() { ::closedir(d); }
    } close{d};
    while (dirent *e = ::readdir(d)) {
        const char *name = e->d_name;
        if (!std::strcmp(name, ".") || !std::strcmp(name, "..") || !std::strcmp(name, ".git") || !std::strcmp(name, ".orrery")
            || !std::strcmp(name, ".dvc"))
            continue;
        unsigned char type = e->d_type;
        struct stat st;
        bool haveStat = false;
        if (type == DT_UNKNOWN || (type == DT_REG && withStats)) {
            if (::fstatat(::dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            haveStat = true;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
        }
        const QString rel = prefix + QFile::decodeName(name);
        if (type == DT_DIR) {
            const int child = ::openat(::dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0)
                return ioError(QStringLiteral("cannot open %1/%2: %3").arg(where, rel, QString::fromLocal8Bit(std::strerror(errno))));
            ORRERY_TRY(walk(child, where, rel + QLatin1Char('/'), withStats, out));
        } else if (type == DT_REG) {
            Listed l{rel, {}};
            if (haveStat)
                l.stat = {qint64(st.st_ino), qint64(st.st_size), qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
            out.append(std::move(l));
        }
        // Symlinks and special files are not data: a link could lead out of the workspace.
    }
    return Status::ok();
}

} // namespace

Result<QStringList> listFiles(const QString &dir, QVector<FileStat> *stats)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ioError(QStringLiteral("cannot list %1: %2").arg(dir, QString::fromLocal8Bit(std::strerror(errno))));
    QVector<Listed> listed;
    ORRERY_TRY(walk(fd, dir, QString(), stats != nullptr, listed));
    std::sort(listed.begin(), listed.end(), [](const Listed &a, const Listed &b) { return a.path < b.path; });
    QStringList files;
    files.reserve(listed.size());
    if (stats)
        stats->resize(listed.size());
    for (int i = 0; i < listed.size(); ++i) {
        files << listed[i].path;
        if (stats)
            (*stats)[i] = listed[i].stat;
    }
    return files;
}

Result<FileStat> statFile(const QString &path)
{
    // Follows a symlink: a tracked folder's link to a file stands for the target's content
    // (core/data/data_walk.h), so the stat cache must see the target change.
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return Status(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                      QStringLiteral("cannot stat %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    return FileStat{qint64(st.st_ino), qint64(st.st_size), qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

FileHasher::FileHasher(QString root, store::Database *db, int threads)
    : m_root(std::move(root)), m_db(db), m_threads(threads > 0 ? threads : qMax(1, QThread::idealThreadCount()))
{
}

Result<QVector<HashedFile>> FileHasher::hash(const QStringList &relativePaths, common::JobContext *job,
                                             const QVector<FileStat> *knownStats)
{
    const int n = int(relativePaths.size());
    QVector<HashedFile> result(n);
    QVector<FileStat> stats = knownStats && knownStats->size() == n ? *knownStats : QVector<FileStat>(n);
    for (int i = 0; i < n; ++i) {
        if (!knownStats || knownStats->size() != n) {
            ORRERY_ASSIGN_OR_RETURN(auto st, statFile(m_root + QLatin1Char('/') + relativePaths[i]));
            stats[i] = st;
        }
        result[i].relativePath = relativePaths[i];
        result[i].size = stats[i].size;
    }

    // Answers from the stat cache.
    if (m_db) {
        struct Row {
            FileStat stat;
            QString md5;
        };
        QHash<QString, Row> rows;
        const auto read = [&](store::Statement &s) { rows.insert(s.text(0), {FileStat{s.int64(1), s.int64(2), s.int64(3)}, s.text(4)}); };
        if (n > 256) {
            ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral("SELECT path, inode, size, mtime_ns, md5 FROM stat_cache")));
            while (s.next())
                read(s);
            ORRERY_TRY(s.status());
        } else {
            ORRERY_ASSIGN_OR_RETURN(
                auto s, m_db->prepare(QStringLiteral("SELECT path, inode, size, mtime_ns, md5 FROM stat_cache WHERE path = ?")));
            for (const QString &p : relativePaths) {
                s.reset();
                s.bind(1, p);
                if (s.next())
                    read(s);
                ORRERY_TRY(s.status());
            }
        }
        for (int i = 0; i < n; ++i) {
            const auto it = rows.constFind(relativePaths[i]);
            if (it != rows.constEnd() && it->stat == stats[i]) {
                result[i].md5 = it->md5;
                result[i].fromStatCache = true;
            }
        }
    }

    // The rest in parallel, whole files per thread (md5 itself is sequential).
    QVector<int> todo;
    qint64 totalBytes = 0;
    for (int i = 0; i < n; ++i)
        if (!result[i].fromStatCache) {
            todo.append(i);
            totalBytes += stats[i].size;
        }
    std::atomic<qint64> doneBytes{0};
    ORRERY_TRY(common::parallelFor(int(todo.size()), m_threads, [&](int k) -> Status {
        const int i = todo[k];
        ORRERY_ASSIGN_OR_RETURN(auto md5, md5OfFile(m_root + QLatin1Char('/') + relativePaths[i], job));
        result[i].md5 = md5;
        doneBytes += stats[i].size;
        if (job)
            job->setProgress(doneBytes.load(), totalBytes, QStringLiteral("hashing %1").arg(relativePaths[i]));
        return Status::ok();
    }));
    m_bytesRead += doneBytes.load();

    // Remember what was read, unless the file changed while it was read.
    if (m_db && !todo.isEmpty()) {
        store::Transaction tx(*m_db);
        ORRERY_TRY(tx.status());
        ORRERY_ASSIGN_OR_RETURN(auto s,
            m_db->prepare(QStringLiteral("INSERT OR REPLACE INTO stat_cache(path, inode, size, mtime_ns, md5) VALUES (?,?,?,?,?)")));
        for (int i : todo) {
            auto after = statFile(m_root + QLatin1Char('/') + relativePaths[i]);
            if (!after || !(*after == stats[i]))
                continue;
            s.reset();
            s.bind(1, relativePaths[i]).bind(2, stats[i].inode).bind(3, stats[i].size).bind(4, stats[i].mtimeNs).bind(5, result[i].md5);
            ORRERY_TRY(s.run());
        }
        ORRERY_TRY(tx.commit());
    }
    return result;
}

Status FileHasher::remember(const QVector<std::pair<QString, QString>> &pathAndMd5)
{
    if (!m_db || pathAndMd5.isEmpty())
        return Status::ok();
    store::Transaction tx(*m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(
        auto s, m_db->prepare(QStringLiteral("INSERT OR REPLACE INTO stat_cache(path, inode, size, mtime_ns, md5) VALUES (?,?,?,?,?)")));
    for (const auto &[path, md5] : pathAndMd5) {
        auto st = statFile(m_root + QLatin1Char('/') + path);
        if (!st)
            continue;
        s.reset();
        s.bind(1, path).bind(2, st->inode).bind(3, st->size).bind(4, st->mtimeNs).bind(5, md5);
        ORRERY_TRY(s.run());
    }
    return tx.commit();
}

Result<QString> legacyMd5OfFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    // DVC 2.x's text test on the first 512 bytes: no NUL, at most 30% "binary" bytes.
    const QByteArray head = file.peek(512);
    bool text = true;
    if (!head.isEmpty()) {
        if (head.contains('\0')) {
            text = false;
        } else {
            int nonText = 0;
            for (const char c : head) {
                const auto u = static_cast<unsigned char>(c);
                const bool printable = (u >= 32 && u <= 126) || u == '\n' || u == '\r' || u == '\t' || u == '\f' || u == '\b';
                nonText += printable ? 0 : 1;
            }
            text = double(nonText) / head.size() <= 0.30;
        }
    }
    QCryptographicHash hash(QCryptographicHash::Md5);
    for (;;) {
        QByteArray block = file.read(1 << 20);
        if (block.isEmpty())
            break;
        if (text)
            block.replace("\r\n", "\n"); // per 1 MiB chunk, as DVC 2.0 did
        hash.addData(block);
    }
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace orrery::data
