#include "core/data/dvc_file.h"

#include "core/common/safe_path.h"
#include "core/data/content_cache.h"

#include <yaml-cpp/yaml.h>

namespace orrery::data {
namespace {

QString flowText(const YAML::Node &node)
{
    YAML::Emitter e;
    e << YAML::Flow << node;
    return QString::fromUtf8(e.c_str());
}

} // namespace

Result<DvcFile> DvcFile::parse(const QByteArray &yaml, const QString &what)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1:%2:%3: not valid YAML: %4")
                                   .arg(what).arg(e.mark.line + 1).arg(e.mark.column + 1).arg(QString::fromStdString(e.msg)));
    }
    if (!root.IsMap())
        return invalidArgument(QStringLiteral("%1: a .dvc file is a YAML mapping with 'outs'").arg(what));
    DvcFile file;
    try {
        for (const auto &kv : root) {
            const QString key = QString::fromStdString(kv.first.as<std::string>());
            if (key != QLatin1String("outs"))
                file.extra.append({key, flowText(kv.second)});
        }
        const YAML::Node outs = root["outs"];
        if (!outs || !outs.IsSequence() || outs.size() == 0)
            return invalidArgument(QStringLiteral("%1: 'outs' must be a non-empty list").arg(what));
        int index = 0;
        for (const YAML::Node &o : outs) {
            ++index;
            const QString where = QStringLiteral("%1:%2:%3").arg(what).arg(o.Mark().line + 1).arg(o.Mark().column + 1);
            if (!o.IsMap())
                return invalidArgument(QStringLiteral("%1: out %2 is not a mapping").arg(where).arg(index));
            DvcOut out;
            for (const auto &kv : o) {
                const std::string k = kv.first.as<std::string>();
                if (k == "path")
                    out.path = QString::fromStdString(kv.second.as<std::string>());
                else if (k == "md5")
                    out.md5 = QString::fromStdString(kv.second.as<std::string>());
                else if (k == "size")
                    out.size = kv.second.as<qint64>();
                else if (k == "nfiles")
                    out.nfiles = kv.second.as<qint64>();
                else if (k == "isexec")
                    out.isexec = kv.second.as<bool>();
                else if (k == "hash")
                    out.legacyHash = kv.second.as<std::string>() != "md5";
                else if (k == "cache")
                    out.cache = kv.second.as<bool>();
                else
                    out.extra.append({QString::fromStdString(k), flowText(kv.second)});
            }
            if (!o["hash"])
                out.legacyHash = true;
            if (out.path.isEmpty())
                return invalidArgument(QStringLiteral("%1: out %2 has no path").arg(where).arg(index));
            if (auto clean = common::cleanRelativePath(out.path); !clean)
                return invalidArgument(QStringLiteral("%1: %2").arg(where, clean.status().message()));
            if (!out.md5.isEmpty() && !ContentCache::isValidHash(out.md5))
                return invalidArgument(QStringLiteral("%1: md5 '%2' is not 32 hexadecimal digits").arg(where, out.md5));
            file.outs.append(out);
        }
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1:%2:%3: %4").arg(what).arg(e.mark.line + 1).arg(e.mark.column + 1)
                                   .arg(QString::fromStdString(e.msg)));
    }
    return file;
}

QByteArray DvcFile::serialize() const
{
    // Written line by line to match DVC's own layout ("- md5:" at column 0, keys in DVC's
    // order); scalars go through yaml-cpp so they are quoted when YAML needs it.
    const auto scalar = [](const QString &value) {
        YAML::Emitter e;
        // An md5 of digits only would read back as a number: quote it then.
        if (!value.isEmpty() && value.toStdString().find_first_not_of("0123456789") == std::string::npos)
            e << YAML::SingleQuoted;
        e << value.toStdString();
        return QByteArray(e.c_str());
    };
    QByteArray out = "outs:\n";
    for (const DvcOut &o : outs) {
        QByteArray prefix = "- ";
        const auto line = [&](const QByteArray &key, const QByteArray &value) {
            out += prefix + key + ": " + value + '\n';
            prefix = "  ";
        };
        if (!o.md5.isEmpty())
            line("md5", scalar(o.md5));
        if (o.size >= 0)
            line("size", QByteArray::number(o.size));
        if (o.nfiles >= 0)
            line("nfiles", QByteArray::number(o.nfiles));
        if (o.isexec)
            line("isexec", "true"); // DVC's order: the meta (size, nfiles, isexec), then hash
        if (!o.legacyHash)
            line("hash", "md5");
        if (!o.cache)
            line("cache", "false");
        for (const auto &[key, text] : o.extra)
            line(scalar(key), text.toUtf8());
        line("path", scalar(o.path));
    }
    for (const auto &[key, text] : extra)
        out += scalar(key) + ": " + text.toUtf8() + '\n';
    return out;
}

} // namespace orrery::data
