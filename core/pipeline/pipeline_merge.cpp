#include "core/pipeline/pipeline_merge.h"

namespace orrery::pipeline {
namespace {

bool same(const std::optional<ParamValue> &a, const std::optional<ParamValue> &b)
{
    if (!a || !b)
        return !a && !b;
    return *a == *b;
}

std::optional<ParamValue> childOf(const std::optional<ParamValue> &v, const QString &key)
{
    if (!v || v->kind() != ParamValue::Kind::Map)
        return std::nullopt;
    for (const auto &[k, x] : v->entries())
        if (k == key)
            return x;
    return std::nullopt;
}

struct Merger {
    MergeKind kind;
    const QHash<QString, Side> &resolutions;
    std::optional<Side> all;
    DocumentMerge *result;

    bool recurseInto(const QString &path, const std::optional<ParamValue> &b, const std::optional<ParamValue> &o,
                     const std::optional<ParamValue> &t) const
    {
        auto isMap = [](const std::optional<ParamValue> &v) { return !v || v->kind() == ParamValue::Kind::Map; };
        if (!o || !t || !isMap(b) || !isMap(o) || !isMap(t))
            return false;
        if (kind == MergeKind::Params)
            return true;
        // dvc.yaml: the document, then `stages`; each stage is one unit.
        return path.isEmpty() || path == QLatin1String("stages");
    }

    std::optional<ParamValue> merge(const QString &path, const std::optional<ParamValue> &b, const std::optional<ParamValue> &o,
                                    const std::optional<ParamValue> &t)
    {
        if (same(o, t))
            return o;
        if (same(o, b)) {
            // Only their side changed. Below the top, take theirs and say which key; at the top,
            // go through the keys so that what comes from theirs is listed (and written): an
            // unnamed whole-document take used to read as "nothing to merge".
            if (!path.isEmpty() || !recurseInto(path, b, o, t)) {
                result->fromTheirs << (path.isEmpty() ? QStringLiteral("(whole file)") : path);
                return t;
            }
        } else if (same(t, b)) {
            return o;
        }
        if (recurseInto(path, b, o, t)) {
            std::vector<std::pair<QString, ParamValue>> entries;
            QStringList keys;
            for (const auto &[k, v] : o->entries())
                keys << k;
            for (const auto &[k, v] : t->entries())
                if (!keys.contains(k))
                    keys << k;
            for (const QString &k : keys) {
                const QString childPath = path.isEmpty() ? k : path + QLatin1Char('.') + k;
                auto m = merge(childPath, childOf(b, k), childOf(o, k), childOf(t, k));
                if (m)
                    entries.emplace_back(k, *m);
            }
            return ParamValue::map(entries);
        }
        // A real conflict.
        const QString key = path.isEmpty() ? QStringLiteral("(whole file)") : path;
        std::optional<Side> choice = all;
        if (resolutions.contains(key))
            choice = resolutions.value(key);
        if (choice) {
            if (*choice == Side::Theirs)
                result->fromTheirs << key;
            return *choice == Side::Ours ? o : t;
        }
        result->conflicts.append({key, b, o, t});
        return o;
    }
};

} // namespace

DocumentMerge mergeDocuments(MergeKind kind, const std::optional<ParamValue> &base, const std::optional<ParamValue> &ours,
                             const std::optional<ParamValue> &theirs, const QHash<QString, Side> &resolutions, std::optional<Side> all)
{
    DocumentMerge result;
    Merger m{kind, resolutions, all, &result};
    result.merged = m.merge(QString(), base, ours, theirs);
    return result;
}

QString describeValue(const std::optional<ParamValue> &value)
{
    if (!value)
        return QStringLiteral("(absent)");
    if (value->isScalar())
        return value->kind() == ParamValue::Kind::String ? yamlQuote(value->toStringValue()) : value->interpolationText();
    return value->canonical();
}

} // namespace orrery::pipeline
