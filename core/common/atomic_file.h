#pragma once
// Atomic file replacement: the content goes to a temporary file in the same folder, is flushed to
// the disk (fsync), renamed over the target, and the folder itself is fsynced so the rename
// survives a power loss. Readers see the old file or the new one, never a mix; a failure at any
// step leaves the old file as it was and removes the temporary file.
//
// AtomicFile streams large content (a generated dataset) through the same protocol.

#include "core/common/status.h"

#include <QByteArray>
#include <QString>

namespace orrery::common {

Status writeFileAtomically(const QString &path, const QByteArray &content);

// The process's umask (read once; reading it means setting it, so never per file).
unsigned processUmask();

// fsync a folder so that a rename or create inside it is durable.
Status syncDirectory(const QString &dir);

class AtomicFile {
public:
    explicit AtomicFile(QString targetPath);
    ~AtomicFile(); // discards the temporary file unless commit() succeeded
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    Status open();
    Status write(const char *data, qint64 size);
    Status write(const QByteArray &data) { return write(data.constData(), data.size()); }
    // fsync, rename over the target, fsync the folder.
    Status commit();
    void discard();

    const QString &targetPath() const { return m_target; }
    // Permission bits of the committed file (default: 0666 less the umask).
    void setMode(unsigned mode) { m_mode = int(mode); }

private:
    QString m_target;
    QString m_tempPath;
    int m_fd = -1;
    QByteArray m_buffer; // writes are buffered to whole blocks; flushed on commit
    int m_mode = -1;
    Status flushBuffer();
};

} // namespace orrery::common
