#include "core/tune/trial_config.h"

#include <yaml-cpp/yaml.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace orrery::tune {
namespace {

YAML::Node toYaml(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return YAML::Node(v.toBool());
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == double(qint64(d)) && std::abs(d) < 1e15)
            return YAML::Node(qint64(d));
        // Fifteen digits: 0.003, not yaml-cpp's 0.0030000000000000001 (a plain scalar, read back as a number).
        return YAML::Node(QString::number(d, 'g', 15).toStdString());
    }
    case QJsonValue::String: return YAML::Node(v.toString().toStdString());
    case QJsonValue::Array: {
        YAML::Node seq(YAML::NodeType::Sequence);
        for (const auto &item : v.toArray())
            seq.push_back(toYaml(item));
        seq.SetStyle(YAML::EmitterStyle::Flow);
        return seq;
    }
    case QJsonValue::Object: {
        YAML::Node map(YAML::NodeType::Map);
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            map[it.key().toStdString()] = toYaml(it.value());
        return map;
    }
    default: return YAML::Node();
    }
}

} // namespace

namespace {

// Loads `yaml` and sets `values` at their dotted keys; an error names a key whose parent is no mapping.
Result<YAML::Node> loadWithValues(const QByteArray &yaml, const QJsonObject &values, const QString &what)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1 is not YAML (line %2): %3").arg(what).arg(e.mark.line + 1).arg(QString::fromStdString(e.msg)));
    }
    if (root.IsNull())
        root = YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap())
        return invalidArgument(QStringLiteral("%1 must be a mapping of keys to values").arg(what));
    for (auto it = values.begin(); it != values.end(); ++it) {
        const QStringList parts = it.key().split(QLatin1Char('.'));
        // reset(), not operator=: yaml-cpp's assignment would overwrite the node walked from.
        YAML::Node node;
        node.reset(root);
        for (int i = 0; i + 1 < parts.size(); ++i) {
            YAML::Node child = node[parts[i].toStdString()];
            if (child.IsDefined() && !child.IsNull() && !child.IsMap())
                return invalidArgument(QStringLiteral("cannot set '%1': '%2' in %3 is not a section of keys")
                                           .arg(it.key(), parts.mid(0, i + 1).join(QLatin1Char('.')), what));
            if (!child.IsDefined() || child.IsNull())
                node[parts[i].toStdString()] = YAML::Node(YAML::NodeType::Map);
            node.reset(node[parts[i].toStdString()]);
        }
        node[parts.last().toStdString()] = toYaml(it.value());
    }
    return root;
}

Result<QByteArray> emit(const YAML::Node &root)
{
    YAML::Emitter out;
    out << root;
    if (!out.good())
        return internalError(QStringLiteral("cannot write YAML: %1").arg(QString::fromStdString(out.GetLastError())));
    return QByteArray(out.c_str()) + '\n';
}

} // namespace

Result<QByteArray> setYamlValues(const QByteArray &yaml, const QJsonObject &values, const QString &fileName)
{
    ORRERY_ASSIGN_OR_RETURN(const YAML::Node root, loadWithValues(yaml, values, fileName));
    return emit(root);
}

Result<QByteArray> trialTrainConfig(const QByteArray &base, const QString &baseDir, const QJsonObject &values, const QString &runName,
                                    const QString &targetDir)
{
    ORRERY_ASSIGN_OR_RETURN(YAML::Node root, loadWithValues(base, values, QStringLiteral("the training config")));
    YAML::Node data = root["data"];
    if (data.IsMap() && data["path"].IsScalar()) {
        const QString path = QString::fromStdString(data["path"].Scalar());
        const QString absolute = QDir::cleanPath(QDir(baseDir).absoluteFilePath(path));
        data["path"] = (targetDir.isEmpty() ? absolute : QDir(targetDir).relativeFilePath(absolute)).toStdString();
    }
    if (!runName.isEmpty())
        root["tracking"]["run_name"] = runName.toStdString();
    return emit(root);
}

Result<QByteArray> configForTarget(const QString &trainConfig, const QJsonObject &values, const QString &target)
{
    QFile file(trainConfig);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the training config %1: %2").arg(trainConfig, file.errorString()));
    return trialTrainConfig(file.readAll(), QFileInfo(trainConfig).absolutePath(), values, QString(), QFileInfo(target).absolutePath());
}

} // namespace orrery::tune
