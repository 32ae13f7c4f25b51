#include "core/data/dir_manifest.h"

#include "core/common/safe_path.h"
#include "core/data/content_cache.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace orrery::data {

QByteArray pythonJsonString(const QString &text)
{
    QByteArray out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const QChar c : text) {
        const ushort u = c.unicode();
        switch (u) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (u < 0x20 || u > 0x7e) // UTF-16 code units, so astral characters become surrogate pairs, as in Python
                out += "\\u" + QByteArray::number(u, 16).rightJustified(4, '0');
            else
                out += char(u);
        }
    }
    out += '"';
    return out;
}

void DirManifest::sort()
{
    // Python sorts str by code point; QString compares UTF-16 units, which differs only for
    // astral characters against U+E000–U+FFFF. Compare as UCS-4 to match exactly.
    bool surrogates = false;
    for (const ManifestEntry &e : entries) {
        for (const QChar c : e.relpath)
            if (c.isSurrogate()) {
                surrogates = true;
                break;
            }
    }
    if (!surrogates) { // UTF-16 order is code point order then (the common case, and fast)
        std::sort(entries.begin(), entries.end(), [](const ManifestEntry &a, const ManifestEntry &b) { return a.relpath < b.relpath; });
        return;
    }
    std::sort(entries.begin(), entries.end(), [](const ManifestEntry &a, const ManifestEntry &b) {
        return a.relpath.toUcs4() < b.relpath.toUcs4();
    });
}

QByteArray DirManifest::serialize() const
{
    QByteArray out = "[";
    for (int i = 0; i < entries.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += "{\"md5\": " + pythonJsonString(entries[i].md5) + ", \"relpath\": " + pythonJsonString(entries[i].relpath) + "}";
    }
    out += "]";
    return out;
}

Result<DirManifest> DirManifest::parse(const QByteArray &json, const QString &what)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return corrupt(QStringLiteral("%1 is not a directory manifest (a JSON list): %2").arg(what, error.errorString()));
    DirManifest manifest;
    int index = 0;
    for (const QJsonValue &value : doc.array()) {
        ++index;
        const QJsonObject o = value.toObject();
        const QString relpath = o.value(QStringLiteral("relpath")).toString();
        const QString md5 = o.value(QStringLiteral("md5")).toString();
        if (relpath.isEmpty() || !ContentCache::isValidHash(md5) || md5.endsWith(QLatin1String(".dir")))
            return corrupt(QStringLiteral("%1, entry %2: needs a relpath and a 32-digit md5").arg(what).arg(index));
        // A manifest names files inside its directory; one that points outside is refused.
        if (auto clean = common::cleanRelativePath(relpath); !clean || *clean != relpath)
            return invalidArgument(QStringLiteral("%1, entry %2: relpath '%3' leaves the directory").arg(what).arg(index).arg(relpath));
        manifest.entries.append({relpath, md5});
    }
    return manifest;
}

} // namespace orrery::data
