#include "core/data/data_walk.h"

#include "core/data/dvc_ignore.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orrery::data {
namespace {

struct Listed {
    QString path;
    FileStat stat;
};

struct Walker {
    QString root;          // the workspace
    QString canonicalRoot; // with its own symlinks resolved, for the links' check
    QString folder;        // the tracked folder, relative to root
    DvcIgnore &ignore;
    QVector<Listed> out;

    static FileStat statOf(const struct stat &st)
    {
        return {qint64(st.st_ino), qint64(st.st_size), qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    }

    QString workspacePath(const QString &rel) const { return folder + QLatin1Char('/') + rel; }

    Status walk(int dirFd, const QString &prefix)
    {
        DIR *d = ::fdopendir(dirFd);
        if (!d) {
            ::close(dirFd);
            return ioError(QStringLiteral("cannot list %1: %2").arg(workspacePath(prefix), QString::fromLocal8Bit(std::strerror(errno))));
        }
        struct Close {
            DIR *d;
            ~Close() { ::closedir(d); }
        } close{d};
        struct Entry {
            QByteArray name;
            QString rel;
        };
        QVector<Entry> dirs;
        QVector<std::pair<Entry, struct stat>> files;
        while (dirent *e = ::readdir(d)) {
            const char *name = e->d_name;
            if (!std::strcmp(name, ".") || !std::strcmp(name, ".."))
                continue;
            struct stat st;
            if (::fstatat(::dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue; // gone meanwhile
            const QString rel = prefix + QFile::decodeName(name);
            if (S_ISDIR(st.st_mode)) {
                dirs.append({name, rel});
                continue;
            }
            if (S_ISLNK(st.st_mode)) {
                struct stat target;
                if (::fstatat(::dirfd(d), name, &target, 0) != 0)
                    return notFound(QStringLiteral("%1 is a symbolic link to nothing (%2): remove it, point it at a file, or list it in "
                                                   ".dvcignore")
                                        .arg(workspacePath(rel), QString::fromLocal8Bit(std::strerror(errno))));
                // As os.walk: a link to a folder is never descended into, so nothing under it
                // is data of this folder (and nothing outside the workspace is reached that way).
                if (!S_ISREG(target.st_mode))
                    continue;
                ORRERY_ASSIGN_OR_RETURN(auto ignored, ignore.isIgnoredEntry(workspacePath(rel), false));
                if (ignored)
                    continue;
                const QString resolved = QFileInfo(root + QLatin1Char('/') + workspacePath(rel)).canonicalFilePath();
                if (resolved.isEmpty() || !resolved.startsWith(canonicalRoot + QLatin1Char('/')))
                    return invalidArgument(
                        QStringLiteral("%1 is a symbolic link to %2, outside the workspace: Orrery does not follow links out of the "
                                       "workspace. Replace the link with a copy of the file, or list it in .dvcignore")
                            .arg(workspacePath(rel), resolved.isEmpty() ? QStringLiteral("an unreadable path") : resolved));
                files.append({{name, rel}, target});
                continue;
            }
            if (!S_ISREG(st.st_mode))
                continue; // sockets, FIFOs, devices
            ORRERY_ASSIGN_OR_RETURN(auto ignored, ignore.isIgnoredEntry(workspacePath(rel), false));
            if (!ignored)
                files.append({{name, rel}, st});
        }
        for (const auto &[entry, st] : files) {
            if (entry.name == ".dvcignore")
                return invalidArgument(QStringLiteral("%1 is inside a tracked folder; DVC refuses that too (its patterns would change "
                                                      "the folder's own hash). Move its patterns to the .dvcignore of a folder above %2")
                                           .arg(workspacePath(entry.rel), folder));
            out.append({entry.rel, statOf(st)});
        }
        for (const Entry &entry : dirs) {
            ORRERY_ASSIGN_OR_RETURN(auto ignored, ignore.isIgnoredEntry(workspacePath(entry.rel), true));
            if (ignored)
                continue;
            const int child = ::openat(::dirfd(d), entry.name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0)
                return ioError(QStringLiteral("cannot open %1: %2").arg(workspacePath(entry.rel), QString::fromLocal8Bit(std::strerror(errno))));
            // A folder with a .dvc folder of its own is a DVC sub-repository: its data is its own.
            struct stat dvcDir;
            if (::fstatat(child, ".dvc", &dvcDir, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(dvcDir.st_mode)) {
                ::close(child);
                continue;
            }
            ORRERY_TRY(walk(child, entry.rel + QLatin1Char('/')));
        }
        return Status::ok();
    }
};

} // namespace

Result<QStringList> listDataFiles(const QString &workspaceRoot, const QString &folder, DvcIgnore &ignore, QVector<FileStat> *stats)
{
    const QString dir = workspaceRoot + QLatin1Char('/') + folder;
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ioError(QStringLiteral("cannot list %1: %2").arg(folder, QString::fromLocal8Bit(std::strerror(errno))));
    // The folder itself is the caller's to check (data add refuses an ignored path); below it,
    // each folder is checked before it is entered, so each entry needs only its own match.
    Walker walker{workspaceRoot, QFileInfo(workspaceRoot).canonicalFilePath(), folder, ignore, {}};
    ORRERY_TRY(walker.walk(fd, QString()));
    std::sort(walker.out.begin(), walker.out.end(), [](const Listed &a, const Listed &b) { return a.path < b.path; });
    QStringList files;
    files.reserve(walker.out.size());
    if (stats)
        stats->resize(walker.out.size());
    for (int i = 0; i < walker.out.size(); ++i) {
        files << walker.out[i].path;
        if (stats)
            (*stats)[i] = walker.out[i].stat;
    }
    return files;
}

} // namespace orrery::data
