#pragma once
// .dvc/config, the INI-like file (configobj) DVC keeps its settings in:
//
//   [core]
//       remote = nas
//   [cache]
//       dir = ../.orrery/cache
//   ['remote "nas"']            (older DVC writes [remote "nas"]; both are read)
//       url = /mnt/nas/dvcstore
//
// Read and written here: cache.dir, core.remote and the remotes' urls. Unknown sections and keys
// are kept as they are when the file is rewritten.

#include "core/common/status.h"

#include <QString>
#include <QVector>

#include <utility>

namespace orrery::data {

class DvcConfig {
public:
    static Result<DvcConfig> load(const QString &workspaceRoot); // a missing file is an empty config
    Status save(const QString &workspaceRoot) const;

    QString value(const QString &section, const QString &key) const;
    void setValue(const QString &section, const QString &key, const QString &value);

    QStringList remoteNames() const;
    QString remoteUrl(const QString &name) const;
    QString defaultRemote() const { return value(QStringLiteral("core"), QStringLiteral("remote")); }
    static QString remoteSection(const QString &name) { return QStringLiteral("remote \"%1\"").arg(name); }

private:
    struct Section {
        QString name;
        QVector<std::pair<QString, QString>> values;
    };
    QVector<Section> m_sections;
};

} // namespace orrery::data
