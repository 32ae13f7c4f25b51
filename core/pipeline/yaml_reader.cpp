// The one place yaml-cpp is used in core/pipeline: YAML text → ParamValue, with positions.
// Everything else (dvc.yaml, dvc.lock, params, merges) works on ParamValue.
#include "core/pipeline/pipeline_file.h"

#include <QFile>
#include <QSet>

#include <functional>

#include <yaml-cpp/yaml.h>

namespace orrery::pipeline {
namespace {

ParamValue convert(const YAML::Node &node)
{
    ParamValue v;
    switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        v = ParamValue::null();
        break;
    case YAML::NodeType::Scalar: {
        const QString text = QString::fromStdString(node.Scalar());
        // yaml-cpp tags quoted (non-plain) scalars "!"; plain ones "?" — resolve those ourselves.
        v = node.Tag() == "!" ? ParamValue::string(text) : ParamValue::fromPlainScalar(text);
        break;
    }
    case YAML::NodeType::Sequence: {
        std::vector<ParamValue> items;
        for (const auto &item : node)
            items.push_back(convert(item));
        v = ParamValue::list(std::move(items));
        break;
    }
    case YAML::NodeType::Map: {
        std::vector<std::pair<QString, ParamValue>> entries;
        for (const auto &kv : node)
            entries.emplace_back(QString::fromStdString(kv.first.as<std::string>()), convert(kv.second));
        v = ParamValue::map(std::move(entries));
        break;
    }
    }
    const YAML::Mark m = node.Mark();
    if (m.line >= 0)
        v.setPosition(m.line + 1, m.column + 1);
    return v;
}

} // namespace

Result<ParamValue> parseYamlDocument(const QByteArray &yaml, const QString &fileName)
{
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        // Duplicate keys are silently merged by yaml-cpp; DVC (ruamel) refuses them, and so do we.
        std::function<Status(const YAML::Node &)> checkDuplicates = [&](const YAML::Node &n) -> Status {
            if (n.IsMap()) {
                QSet<QString> seen;
                for (const auto &kv : n) {
                    const QString key = QString::fromStdString(kv.first.Scalar());
                    if (seen.contains(key)) {
                        const YAML::Mark m = kv.first.Mark();
                        return invalidArgument(QStringLiteral("%1:%2:%3: duplicate key '%4'; keep one of them")
                                                   .arg(fileName).arg(m.line + 1).arg(m.column + 1).arg(key));
                    }
                    seen.insert(key);
                    ORRERY_TRY(checkDuplicates(kv.second));
                }
            } else if (n.IsSequence()) {
                for (const auto &item : n)
                    ORRERY_TRY(checkDuplicates(item));
            }
            return Status::ok();
        };
        ORRERY_TRY(checkDuplicates(root));
        return convert(root);
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1:%2:%3: invalid YAML: %4")
                                   .arg(fileName)
                                   .arg(e.mark.line + 1)
                                   .arg(e.mark.column + 1)
                                   .arg(QString::fromStdString(e.msg)));
    }
}

Result<ParamValue> loadParamsFile(const QString &path, const QString &displayName)
{
    QFile f(path);
    if (!f.exists())
        return ParamValue::map({});
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(displayName, f.errorString()));
    ORRERY_ASSIGN_OR_RETURN(ParamValue doc, parseYamlDocument(f.readAll(), displayName));
    if (doc.kind() == ParamValue::Kind::Null)
        return ParamValue::map({});
    if (doc.kind() != ParamValue::Kind::Map)
        return invalidArgument(QStringLiteral("%1: a params file holds a map of names to values at the top").arg(doc.where(displayName)));
    return doc;
}

} // namespace orrery::pipeline
