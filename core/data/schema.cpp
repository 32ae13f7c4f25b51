#include "core/data/schema.h"

#include "core/common/atomic_file.h"
#include "core/data/null_values.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <functional>

namespace orrery::data {
namespace {

// Parsing: every helper reports through Status with file:line:column; yaml-cpp's own exceptions
// are caught once, in Schema::parse.
class Reader {
public:
    explicit Reader(QString file) : m_file(std::move(file)) {}

    Status at(const YAML::Node &node, const QString &what) const
    {
        const YAML::Mark m = node.Mark();
        if (m.is_null())
            return invalidArgument(QStringLiteral("%1: %2").arg(m_file, what));
        return invalidArgument(QStringLiteral("%1:%2:%3: %4").arg(m_file).arg(m.line + 1).arg(m.column + 1).arg(what));
    }

    // Iterates a mapping, refusing keys outside `known`.
    Status forEachKey(const YAML::Node &map, const QString &what, const QStringList &known,
                      const std::function<Status(const QString &, const YAML::Node &, const YAML::Node &)> &f) const
    {
        if (!map.IsMap())
            return at(map, QStringLiteral("%1 must be a mapping of keys to values").arg(what));
        QSet<QString> seen;
        for (const auto &kv : map) {
            const QString key = QString::fromStdString(kv.first.Scalar());
            if (!known.contains(key))
                return at(kv.first, QStringLiteral("unknown key '%1' in %2; the keys are: %3").arg(key, what, known.join(QStringLiteral(", "))));
            if (seen.contains(key))
                return at(kv.first, QStringLiteral("'%1' appears twice in %2").arg(key, what));
            seen.insert(key);
            ORRERY_TRY(f(key, kv.first, kv.second));
        }
        return Status::ok();
    }

    Result<QString> text(const YAML::Node &node, const QString &what) const
    {
        if (node.IsNull())
            return at(node, QStringLiteral("%1 is empty or a bare null; write the text in quotes (\"null\", \"\")").arg(what));
        if (!node.IsScalar())
            return at(node, QStringLiteral("%1 must be a single value").arg(what));
        return QString::fromStdString(node.Scalar());
    }

    Result<bool> boolean(const YAML::Node &node, const QString &what) const
    {
        ORRERY_ASSIGN_OR_RETURN(auto t, text(node, what));
        const QString v = t.toLower();
        if (v == QLatin1String("true") || v == QLatin1String("yes"))
            return true;
        if (v == QLatin1String("false") || v == QLatin1String("no"))
            return false;
        return at(node, QStringLiteral("%1 must be true or false, not '%2'").arg(what, t));
    }

    Result<double> number(const YAML::Node &node, const QString &what) const
    {
        ORRERY_ASSIGN_OR_RETURN(auto t, text(node, what));
        const QByteArray utf8 = t.trimmed().toUtf8();
        double v = 0;
        if (!parseFiniteDouble(std::string_view(utf8.constData(), size_t(utf8.size())), &v))
            return at(node, QStringLiteral("%1 must be a number, not '%2'").arg(what, t));
        return v;
    }

    Result<QStringList> textList(const YAML::Node &node, const QString &what) const
    {
        if (!node.IsSequence())
            return at(node, QStringLiteral("%1 must be a list, like [a, b, c]").arg(what));
        QStringList out;
        for (const auto &item : node) {
            ORRERY_ASSIGN_OR_RETURN(auto t, text(item, QStringLiteral("an entry of %1").arg(what)));
            out << t;
        }
        return out;
    }

private:
    QString m_file;
};

Result<SchemaBound> parseBound(const Reader &r, const YAML::Node &node, const ColumnRule &c, const QString &key)
{
    const QString what = QStringLiteral("%1 of column '%2'").arg(key, c.name);
    ORRERY_ASSIGN_OR_RETURN(auto t, r.text(node, what));
    const QByteArray utf8 = t.trimmed().toUtf8();
    const std::string_view view(utf8.constData(), size_t(utf8.size()));
    SchemaBound b;
    switch (c.type) {
    case ColumnType::Int:
    case ColumnType::Float:
        if (c.type == ColumnType::Int && parseInt64(view, &b.integer)) {
            b.isInteger = true;
            return b;
        }
        if (parseFiniteDouble(view, &b.real))
            return b;
        return r.at(node, QStringLiteral("%1 must be a number, not '%2'").arg(what, t));
    case ColumnType::Timestamp:
        if (parseTimestamp(view, &b.integer)) {
            b.isInteger = true;
            return b;
        }
        return r.at(node, QStringLiteral("%1 must be an ISO 8601 time such as 2026-01-31T12:00:00Z, not '%2'").arg(what, t));
    default:
        return r.at(node, QStringLiteral("%1: min and max apply to int, float and timestamp columns; this one is %2")
                              .arg(what, QLatin1String(columnTypeName(c.type))));
    }
}

Result<ColumnRule> parseColumn(const Reader &r, const YAML::Node &node, int index)
{
    const QString what = QStringLiteral("column %1 of 'columns'").arg(index + 1);
    if (!node.IsMap() || !node["name"] || !node["type"])
        return r.at(node, QStringLiteral("%1 needs at least a name and a type, like {name: amount, type: float}").arg(what));
    ColumnRule c;
    ORRERY_ASSIGN_OR_RETURN(auto name, r.text(node["name"], QStringLiteral("the name of %1").arg(what)));
    c.name = name;
    ORRERY_ASSIGN_OR_RETURN(auto typeText, r.text(node["type"], QStringLiteral("the type of column '%1'").arg(c.name)));
    const QByteArray typeUtf8 = typeText.trimmed().toUtf8();
    if (!parseColumnType(std::string_view(typeUtf8.constData(), size_t(typeUtf8.size())), &c.type))
        return r.at(node["type"],
            QStringLiteral("column '%1' has the unknown type '%2'; the types are int, float, bool, category, timestamp, string")
                .arg(c.name, typeText));
    const QStringList keys = {QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("required"), QStringLiteral("min"),
                              QStringLiteral("max"), QStringLiteral("allowed_values"), QStringLiteral("max_null_fraction"),
                              QStringLiteral("unique"), QStringLiteral("description")};
    const QString where = QStringLiteral("column '%1'").arg(c.name);
    ORRERY_TRY(r.forEachKey(node, where, keys, [&](const QString &key, const YAML::Node &, const YAML::Node &value) -> Status {
        const QString rule = QStringLiteral("%1 of %2").arg(key, where);
        if (key == QLatin1String("required") || key == QLatin1String("unique")) {
            ORRERY_ASSIGN_OR_RETURN(auto b, r.boolean(value, rule));
            (key == QLatin1String("required") ? c.required : c.unique) = b;
        } else if (key == QLatin1String("min") || key == QLatin1String("max")) {
            ORRERY_ASSIGN_OR_RETURN(auto b, parseBound(r, value, c, key));
            (key == QLatin1String("min") ? c.min : c.max) = b;
        } else if (key == QLatin1String("allowed_values")) {
            ORRERY_ASSIGN_OR_RETURN(auto list, r.textList(value, rule));
            c.allowedValues = list;
        } else if (key == QLatin1String("max_null_fraction")) {
            ORRERY_ASSIGN_OR_RETURN(auto f, r.number(value, rule));
            if (f < 0.0 || f > 1.0)
                return r.at(value, QStringLiteral("%1 is a share between 0 and 1 (0.05 = 5%), not %2").arg(rule).arg(f));
            c.maxNullFraction = f;
        } else if (key == QLatin1String("description")) {
            ORRERY_ASSIGN_OR_RETURN(auto t, r.text(value, rule));
            c.description = t;
        }
        return Status::ok();
    }));
    if (c.min && c.max && c.min->asDouble() > c.max->asDouble())
        return r.at(node["min"], QStringLiteral("column '%1' has min %2 above max %3").arg(c.name, c.boundText(*c.min), c.boundText(*c.max)));
    return c;
}

Status parseCsvSection(const Reader &r, const YAML::Node &node, Schema *s)
{
    const QStringList keys = {QStringLiteral("delimiter"), QStringLiteral("header"), QStringLiteral("skip_lines"),
                              QStringLiteral("null_values")};
    return r.forEachKey(node, QStringLiteral("'csv'"), keys, [&](const QString &key, const YAML::Node &, const YAML::Node &value) -> Status {
        if (key == QLatin1String("delimiter")) {
            ORRERY_ASSIGN_OR_RETURN(auto t, r.text(value, QStringLiteral("csv.delimiter")));
            const QByteArray d = t == QLatin1String("tab") ? QByteArray("\t") : t.toUtf8();
            if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r')
                return r.at(
                    value, QStringLiteral("csv.delimiter must be one character such as \",\" \";\" \"|\" or \"\\t\", not '%1'").arg(t));
            s->csv.delimiter = d[0];
        } else if (key == QLatin1String("header")) {
            ORRERY_ASSIGN_OR_RETURN(auto b, r.boolean(value, QStringLiteral("csv.header")));
            s->csv.hasHeader = b;
        } else if (key == QLatin1String("skip_lines")) {
            ORRERY_ASSIGN_OR_RETURN(auto n, r.number(value, QStringLiteral("csv.skip_lines")));
            if (n < 0 || n != std::floor(n) || n > 1e6)
                return r.at(value, QStringLiteral("csv.skip_lines must be a whole number from 0"));
            s->csv.skipLines = int(n);
        } else if (key == QLatin1String("null_values")) {
            ORRERY_ASSIGN_OR_RETURN(auto list, r.textList(value, QStringLiteral("csv.null_values")));
            s->nullValues = list;
        }
        return Status::ok();
    });
}

void emitText(YAML::Emitter &e, const QString &text)
{
    e << text.toStdString();
}

} // namespace

QString ColumnRule::boundText(const SchemaBound &bound) const
{
    if (type == ColumnType::Timestamp)
        return formatTimestamp(bound.integer);
    return bound.isInteger ? QString::number(bound.integer) : formatNumber(bound.real);
}

Result<Schema> Schema::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return file.exists() ? ioError(QStringLiteral("cannot read the schema %1: %2").arg(path, file.errorString()))
                             : notFound(QStringLiteral("no schema at %1; write one with: orrery-cli data schema DATA.csv --output %1").arg(path));
    return parse(file.readAll(), path);
}

Result<Schema> Schema::parse(const QByteArray &yaml, const QString &fileName)
{
    const Reader r(fileName);
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        if (!root.IsMap())
            return invalidArgument(QStringLiteral("%1: not a schema: expected a mapping with 'version' and 'columns'").arg(fileName));
        Schema s;
        if (!root["version"])
            return invalidArgument(QStringLiteral("%1: no 'version'; a schema starts with version: 1").arg(fileName));
        if (!root["columns"])
            return invalidArgument(QStringLiteral("%1: no 'columns'; list the columns under columns:").arg(fileName));
        const QStringList keys = {QStringLiteral("version"), QStringLiteral("source"), QStringLiteral("rows"), QStringLiteral("csv"),
                                  QStringLiteral("allow_extra_columns"), QStringLiteral("columns")};
        ORRERY_TRY(r.forEachKey(root, QStringLiteral("the schema"), keys, [&](const QString &key, const YAML::Node &, const YAML::Node &value) -> Status {
            if (key == QLatin1String("version")) {
                ORRERY_ASSIGN_OR_RETURN(auto v, r.text(value, QStringLiteral("version")));
                if (v != QLatin1String("1"))
                    return r.at(value,
                        QStringLiteral("schema version %1 is not supported (this Orrery reads version 1); it was written by a newer Orrery")
                            .arg(v));
            } else if (key == QLatin1String("source")) {
                ORRERY_ASSIGN_OR_RETURN(auto t, r.text(value, QStringLiteral("source")));
                s.source = t;
            } else if (key == QLatin1String("rows")) {
                ORRERY_ASSIGN_OR_RETURN(auto n, r.number(value, QStringLiteral("rows")));
                s.rows = qint64(n);
            } else if (key == QLatin1String("csv")) {
                return parseCsvSection(r, value, &s);
            } else if (key == QLatin1String("allow_extra_columns")) {
                ORRERY_ASSIGN_OR_RETURN(auto b, r.boolean(value, QStringLiteral("allow_extra_columns")));
                s.allowExtraColumns = b;
            } else if (key == QLatin1String("columns")) {
                if (!value.IsSequence())
                    return r.at(value, QStringLiteral("'columns' must be a list of columns (each line starting with '- name:')"));
                QSet<QString> names;
                for (size_t i = 0; i < value.size(); ++i) {
                    ORRERY_ASSIGN_OR_RETURN(auto c, parseColumn(r, value[i], int(i)));
                    if (names.contains(c.name))
                        return r.at(value[i], QStringLiteral("column '%1' is listed twice").arg(c.name));
                    names.insert(c.name);
                    s.columns.push_back(std::move(c));
                }
            }
            return Status::ok();
        }));
        return s;
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1:%2:%3: not valid YAML: %4")
                                   .arg(fileName)
                                   .arg(e.mark.line + 1)
                                   .arg(e.mark.column + 1)
                                   .arg(QString::fromStdString(e.msg)));
    }
}

QByteArray Schema::toYaml() const
{
    YAML::Emitter e;
    e << YAML::BeginMap;
    e << YAML::Key << "version" << YAML::Value << version;
    if (!source.isEmpty()) {
        e << YAML::Key << "source" << YAML::Value;
        emitText(e, source);
    }
    if (rows >= 0)
        e << YAML::Key << "rows" << YAML::Value << static_cast<long long>(rows);
    e << YAML::Key << "csv" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "delimiter" << YAML::Value << std::string(1, csv.delimiter);
    e << YAML::Key << "header" << YAML::Value << csv.hasHeader;
    e << YAML::Key << "skip_lines" << YAML::Value << csv.skipLines;
    e << YAML::Key << "null_values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const QString &n : nullValues.isEmpty() ? NullValues::defaultTokens() : nullValues)
        emitText(e, n);
    e << YAML::EndSeq << YAML::EndMap;
    e << YAML::Key << "allow_extra_columns" << YAML::Value << allowExtraColumns;
    e << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
    for (const ColumnRule &c : columns) {
        e << YAML::BeginMap;
        e << YAML::Key << "name" << YAML::Value;
        emitText(e, c.name);
        e << YAML::Key << "type" << YAML::Value << columnTypeName(c.type);
        if (!c.required)
            e << YAML::Key << "required" << YAML::Value << false;
        if (c.min) {
            e << YAML::Key << "min" << YAML::Value;
            emitText(e, c.boundText(*c.min));
        }
        if (c.max) {
            e << YAML::Key << "max" << YAML::Value;
            emitText(e, c.boundText(*c.max));
        }
        if (c.allowedValues) {
            e << YAML::Key << "allowed_values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const QString &v : *c.allowedValues)
                emitText(e, v);
            e << YAML::EndSeq;
        }
        if (c.maxNullFraction) {
            e << YAML::Key << "max_null_fraction" << YAML::Value;
            emitText(e, formatNumber(*c.maxNullFraction));
        }
        if (c.unique)
            e << YAML::Key << "unique" << YAML::Value << true;
        if (!c.description.isEmpty()) {
            e << YAML::Key << "description" << YAML::Value;
            emitText(e, c.description);
        }
        e << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::EndMap;

    QByteArray out;
    out += "# Data schema";
    if (!source.isEmpty())
        out += " of " + source.toUtf8();
    out += ": the data tests that `orrery-cli data validate` runs.\n"
           "# Inferred from the data, with room for more from the same source (ranges widened by their width,\n"
           "# missing shares x 1.5 + 0.01); tighten or loosen what you know better. Rules: type, min, max,\n"
           "# allowed_values, max_null_fraction, unique, required; the format is described in core/data/schema.h.\n";
    out += e.c_str();
    out += '\n';
    return out;
}

Status Schema::save(const QString &path) const
{
    return common::writeFileAtomically(path, toYaml());
}

QJsonObject Schema::toJson() const
{
    QJsonArray cols;
    for (const ColumnRule &c : columns) {
        QJsonObject o{{QStringLiteral("name"), c.name},
                      {QStringLiteral("type"), QLatin1String(columnTypeName(c.type))},
                      {QStringLiteral("required"), c.required},
                      {QStringLiteral("unique"), c.unique}};
        auto bound = [&](const SchemaBound &b) -> QJsonValue {
            if (c.type == ColumnType::Timestamp)
                return formatTimestamp(b.integer);
            return b.isInteger ? QJsonValue(b.integer) : QJsonValue(b.real);
        };
        if (c.min)
            o.insert(QStringLiteral("min"), bound(*c.min));
        if (c.max)
            o.insert(QStringLiteral("max"), bound(*c.max));
        if (c.allowedValues)
            o.insert(QStringLiteral("allowed_values"), QJsonArray::fromStringList(*c.allowedValues));
        if (c.maxNullFraction)
            o.insert(QStringLiteral("max_null_fraction"), *c.maxNullFraction);
        if (!c.description.isEmpty())
            o.insert(QStringLiteral("description"), c.description);
        cols.append(o);
    }
    return {{QStringLiteral("version"), version},
            {QStringLiteral("source"), source},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("csv"), QJsonObject{{QStringLiteral("delimiter"), QString(QLatin1Char(csv.delimiter))},
                                                {QStringLiteral("header"), csv.hasHeader},
                                                {QStringLiteral("skip_lines"), csv.skipLines},
                                                {QStringLiteral("null_values"),
                                                 QJsonArray::fromStringList(nullValues.isEmpty() ? NullValues::defaultTokens() : nullValues)}}},
            {QStringLiteral("allow_extra_columns"), allowExtraColumns},
            {QStringLiteral("columns"), cols}};
}

const ColumnRule *Schema::column(const QString &name) const
{
    for (const ColumnRule &c : columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

QString Schema::defaultPathFor(const QString &csvPath)
{
    const QFileInfo info(csvPath);
    QString base = info.fileName();
    const int dot = base.lastIndexOf(QLatin1Char('.'));
    if (dot > 0)
        base.truncate(dot);
    const QString dir = info.path();
    return (dir == QLatin1String(".") && !csvPath.startsWith(QLatin1String("./")) ? QString() : dir + QLatin1Char('/'))
        + base + QStringLiteral(".schema.yaml");
}

} // namespace orrery::data
