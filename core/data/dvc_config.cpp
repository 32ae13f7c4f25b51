#include "core/data/dvc_config.h"

#include "core/common/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace orrery::data {

Result<DvcConfig> DvcConfig::load(const QString &root)
{
    DvcConfig config;
    const QString path = root + QStringLiteral("/.dvc/config");
    QFile file(path);
    if (!file.exists())
        return config;
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    static const QRegularExpression sectionRe(QStringLiteral("^\\[\\s*'?(.*?)'?\\s*\\]$"));
    int lineNo = 0;
    for (const QByteArray &raw : file.readAll().split('\n')) {
        ++lineNo;
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (const auto m = sectionRe.match(line); m.hasMatch()) {
            config.m_sections.append({m.captured(1), {}});
            continue;
        }
        const int eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0 || config.m_sections.isEmpty())
            return invalidArgument(QStringLiteral("%1:%2: expected 'key = value' inside a [section]").arg(path).arg(lineNo));
        config.m_sections.last().values.append({line.left(eq).trimmed(), line.mid(eq + 1).trimmed()});
    }
    return config;
}

Status DvcConfig::save(const QString &root) const
{
    QByteArray out;
    for (const Section &s : m_sections) {
        out += (s.name.contains(QLatin1Char('"')) ? "['" + s.name.toUtf8() + "']" : "[" + s.name.toUtf8() + "]") + '\n';
        for (const auto &[key, value] : s.values)
            out += "    " + key.toUtf8() + " = " + value.toUtf8() + '\n';
    }
    if (!QDir().mkpath(root + QStringLiteral("/.dvc")))
        return ioError(QStringLiteral("cannot create %1/.dvc").arg(root));
    return common::writeFileAtomically(root + QStringLiteral("/.dvc/config"), out);
}

QString DvcConfig::value(const QString &section, const QString &key) const
{
    for (const Section &s : m_sections)
        if (s.name == section)
            for (const auto &[k, v] : s.values)
                if (k == key)
                    return v;
    return QString();
}

void DvcConfig::setValue(const QString &section, const QString &key, const QString &value)
{
    for (Section &s : m_sections) {
        if (s.name != section)
            continue;
        for (auto &kv : s.values)
            if (kv.first == key) {
                kv.second = value;
                return;
            }
        s.values.append({key, value});
        return;
    }
    m_sections.append({section, {{key, value}}});
}

QStringList DvcConfig::remoteNames() const
{
    static const QRegularExpression re(QStringLiteral("^remote \"(.+)\"$"));
    QStringList names;
    for (const Section &s : m_sections)
        if (const auto m = re.match(s.name); m.hasMatch())
            names << m.captured(1);
    return names;
}

QString DvcConfig::remoteUrl(const QString &name) const
{
    return value(remoteSection(name), QStringLiteral("url"));
}

} // namespace orrery::data
