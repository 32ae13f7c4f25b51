#include "core/deploy/manifest_export_yaml.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QStringList>

#include <yaml-cpp/yaml.h>

#include <cmath>

namespace orrery::deploy {

namespace {

// Keys that read best first, in this order; all others follow alphabetically.
const QStringList &leadingKeys()
{
    static const QStringList keys{QStringLiteral("apiVersion"), QStringLiteral("kind"), QStringLiteral("metadata"),
                                  QStringLiteral("name"), QStringLiteral("spec")};
    return keys;
}

QStringList orderedKeys(const QJsonObject &object, const QStringList &leading)
{
    QStringList keys;
    for (const QString &k : leading)
        if (object.contains(k))
            keys << k;
    for (auto it = object.begin(); it != object.end(); ++it) // QJsonObject iterates sorted
        if (!leading.contains(it.key()))
            keys << it.key();
    return keys;
}

void emitString(YAML::Emitter &out, const QString &text)
{
    // A literal block reads back with exactly one final newline ("clip"), so only a text that
    // ends in exactly one is written as one; any other text is double-quoted, which is exact.
    const bool block = text.endsWith(QLatin1Char('\n')) && !text.endsWith(QStringLiteral("\n\n")) && text.count(QLatin1Char('\n')) > 1
                       && !text.contains(QLatin1Char('\r')) && !text.startsWith(QLatin1Char(' ')) && !text.contains(QStringLiteral(" \n"));
    if (block)
        out << YAML::Literal; // a PromQL query over several lines stays readable
    else if (!yamlPlainScalarIsString(text))
        out << YAML::DoubleQuoted;
    out << text.toStdString();
}

void emitValue(YAML::Emitter &out, const QJsonValue &value, const QStringList &leading)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out << YAML::Null;
        break;
    case QJsonValue::Bool:
        out << value.toBool();
        break;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0)
            out << static_cast<long long>(d);
        else
            out << QString::number(d, 'g', 17).toStdString();
        break;
    }
    case QJsonValue::String:
        emitString(out, value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            break;
        }
        out << YAML::BeginSeq;
        for (const QJsonValue &v : array)
            emitValue(out, v, leading);
        out << YAML::EndSeq;
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
            break;
        }
        out << YAML::BeginMap;
        for (const QString &k : orderedKeys(object, leading)) {
            out << YAML::Key;
            emitString(out, k);
            out << YAML::Value;
            emitValue(out, object.value(k), leading);
        }
        out << YAML::EndMap;
        break;
    }
    }
}

} // namespace

bool yamlPlainScalarIsString(const QString &text)
{
    if (text.isEmpty())
        return false;
    // YAML 1.1 (PyYAML, Kubernetes' own reader) and 1.2 core: null, booleans (with yes/no/on/off
    // and y/n of 1.1), and anything that starts like a number, a timestamp or a sexagesimal
    // (a leading digit, sign or dot) is quoted rather than classified exactly.
    static const QRegularExpression special(QStringLiteral(
        "^(~|null|true|false|yes|no|on|off|y|n|\\.inf|\\.nan|[-+.]?[0-9].*|[-+]\\.(inf|nan))$"),
        QRegularExpression::CaseInsensitiveOption);
    return !special.match(text).hasMatch();
}

QByteArray toYaml(const QJsonObject &object)
{
    return toYaml(object, leadingKeys());
}

QByteArray toYaml(const QJsonObject &object, const QStringList &leadingKeys)
{
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetSeqFormat(YAML::Block);
    emitValue(out, object, leadingKeys);
    QByteArray text(out.c_str());
    if (!text.endsWith('\n'))
        text += '\n';
    return text;
}

QByteArray yamlDocument(const QJsonObject &object, const QString &comment)
{
    QByteArray text("---\n");
    if (!comment.isEmpty())
        for (const QString &line : comment.split(QLatin1Char('\n')))
            text += (line.isEmpty() ? QStringLiteral("#") : QStringLiteral("# ") + line).toUtf8() + '\n';
    return text + toYaml(object);
}

} // namespace orrery::deploy
