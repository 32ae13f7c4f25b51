#include "core/tracking/mlflow_request.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cctype>
#include <cstring>
#include <limits>

namespace orrery::tracking {
namespace {

const char *typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return "a boolean";
    case QJsonValue::Double: return "a number";
    case QJsonValue::String: return "a string";
    case QJsonValue::Array: return "a list";
    case QJsonValue::Object: return "an object";
    default: return "null";
    }
}

QString shown(const QJsonValue &v)
{
    QString s;
    if (v.isString())
        s = QLatin1Char('\'') + v.toString() + QLatin1Char('\'');
    else if (v.isArray())
        s = QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    else if (v.isObject())
        s = QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    else if (v.isBool())
        s = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else
        s = QString::number(v.toDouble(), 'g', 17);
    return s.size() > 80 ? s.left(77) + QStringLiteral("...") : s;
}

// An integral JSON number, exactly (Qt keeps integers that fit in 64 bits as integers).
bool integral(const QJsonValue &v, qint64 *out)
{
    const qint64 a = v.toInteger(1);
    if (a != v.toInteger(2))
        return false;
    *out = a;
    return true;
}

// A "-0" not followed by another digit that is not zero ("-0.0", "-0", "-0e3"; not "-0.5").
bool hasNegativeZero(const QByteArray &body)
{
    for (int i = body.indexOf("-0"); i >= 0; i = body.indexOf("-0", i + 2)) {
        int j = i + 1;
        while (j < body.size() && (body[j] == '0' || body[j] == '.'))
            ++j;
        if (j >= body.size() || !(body[j] >= '1' && body[j] <= '9'))
            return true;
    }
    return false;
}

bool matchesAt(const QByteArray &s, int i, const char *token)
{
    const int n = int(qstrlen(token));
    return i + n <= s.size() && std::memcmp(s.constData() + i, token, size_t(n)) == 0;
}

} // namespace

Status MlflowRequest::missing(const QString &name)
{
    return invalidArgument(QStringLiteral("Missing value for required parameter '%1'. See the API docs for more information about "
                                          "request parameters.").arg(name));
}

Status MlflowRequest::invalid(const QString &field, const QJsonValue &value, const char *expected) const
{
    return invalidArgument(QStringLiteral("Invalid value %1 for parameter '%2' supplied: expected %3, got %4.")
                               .arg(shown(value), name(field), QLatin1String(expected), QLatin1String(typeName(value))));
}

QByteArray MlflowRequest::quoteNonFiniteTokens(const QByteArray &json)
{
    QByteArray out;
    out.reserve(json.size() + 64);
    bool inString = false;
    for (int i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < json.size())
                out += json[++i];
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
            out += c;
        } else if (matchesAt(json, i, "NaN")) {
            out += "\"NaN\"";
            i += 2;
        } else if (matchesAt(json, i, "Infinity")) {
            out += "\"Infinity\"";
            i += 7;
        } else if (matchesAt(json, i, "-Infinity")) {
            out += "\"-Infinity\"";
            i += 8;
        } else if (c == '-' && i + 1 < json.size() && json[i + 1] >= '0' && json[i + 1] <= '9') {
            // A number: a negative zero (-0, -0.0, -0e5) becomes "-0.0", which QJsonDocument
            // would otherwise read as +0.
            int end = i + 1;
            bool zero = true;
            bool exponent = false;
            while (end < json.size() && (std::isdigit(uchar(json[end])) || json[end] == '.' || json[end] == 'e' || json[end] == 'E'
                                         || ((json[end] == '+' || json[end] == '-') && exponent))) {
                if (json[end] == 'e' || json[end] == 'E')
                    exponent = true;
                else if (!exponent && json[end] >= '1' && json[end] <= '9')
                    zero = false;
                ++end;
            }
            if (zero)
                out += "\"-0.0\"";
            else
                out += json.mid(i, end - i);
            i = end - 1;
        } else {
            out += c;
        }
    }
    return out;
}

Result<MlflowRequest> MlflowRequest::fromBody(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return MlflowRequest();
    QJsonParseError error;
    QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    // Python's NaN/Infinity tokens fail the parse; a negative zero parses, but as +0. Either way
    // the body is read again with those spelled as proto3 JSON strings.
    if ((error.error != QJsonParseError::NoError && (body.contains("NaN") || body.contains("Infinity"))) || hasNegativeZero(body)) {
        QJsonParseError second;
        QJsonDocument retried = QJsonDocument::fromJson(quoteNonFiniteTokens(body), &second);
        if (second.error == QJsonParseError::NoError) {
            doc = retried;
            error = second;
        }
    }
    if (error.error != QJsonParseError::NoError)
        return invalidArgument(QStringLiteral("Malformed JSON in the request body at byte %1: %2.").arg(error.offset).arg(error.errorString()));
    if (!doc.isObject())
        return invalidArgument(QStringLiteral("The request body must be a JSON object, not %1.").arg(doc.isArray() ? QStringLiteral("a list") : QStringLiteral("a value")));
    return MlflowRequest(doc.object(), QString());
}

MlflowRequest MlflowRequest::fromQuery(const http::QueryItems &items)
{
    QJsonObject o;
    for (const auto &[key, value] : items) {
        const QJsonValue existing = o.value(key);
        if (existing.isUndefined()) {
            o.insert(key, value);
        } else {
            QJsonArray all = existing.isArray() ? existing.toArray() : QJsonArray{existing};
            all.append(value);
            o.insert(key, all);
        }
    }
    return MlflowRequest(o, QString());
}

bool MlflowRequest::has(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    return !v.isUndefined() && !v.isNull();
}

Result<QString> MlflowRequest::string(const QString &field, bool required) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return required ? Result<QString>(missing(name(field))) : QString();
    if (!v.isString())
        return invalid(field, v, "a string");
    if (required && v.toString().isEmpty())
        return missing(name(field));
    return v.toString();
}

Result<qint64> MlflowRequest::int64(const QString &field, bool required, qint64 fallback) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return required ? Result<qint64>(missing(name(field))) : fallback;
    qint64 n = 0;
    if (v.isDouble() && integral(v, &n))
        return n;
    if (v.isString()) {
        bool ok = false;
        n = v.toString().trimmed().toLongLong(&ok);
        if (ok)
            return n;
    }
    return invalid(field, v, "an integer (int64)");
}

Result<double> MlflowRequest::number(const QString &field, bool required) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return required ? Result<double>(missing(name(field))) : 0.0;
    if (v.isDouble())
        return v.toDouble();
    if (v.isString()) {
        const QString s = v.toString();
        if (s == QLatin1String("NaN"))
            return std::numeric_limits<double>::quiet_NaN();
        if (s == QLatin1String("Infinity"))
            return std::numeric_limits<double>::infinity();
        if (s == QLatin1String("-Infinity"))
            return -std::numeric_limits<double>::infinity();
        if (s == QLatin1String("-0.0"))
            return -0.0;
        bool ok = false;
        const double d = s.trimmed().toDouble(&ok);
        if (ok && std::isfinite(d))
            return d;
    }
    return invalid(field, v, "a number (double)");
}

Result<bool> MlflowRequest::boolean(const QString &field, bool fallback) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (v.isBool())
        return v.toBool();
    if (v.isString() && (v.toString().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0 || v.toString().compare(QLatin1String("false"), Qt::CaseInsensitive) == 0))
        return v.toString().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    return invalid(field, v, "a boolean");
}

Result<QStringList> MlflowRequest::strings(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return QStringList();
    if (v.isString())
        return QStringList{v.toString()};
    if (!v.isArray())
        return invalid(field, v, "a list of strings");
    QStringList out;
    const QJsonArray a = v.toArray();
    for (int i = 0; i < a.size(); ++i) {
        if (!a[i].isString())
            return invalidArgument(QStringLiteral("Invalid value %1 for parameter '%2[%3]' supplied: expected a string, got %4.")
                                       .arg(shown(a[i]), name(field)).arg(i).arg(QLatin1String(typeName(a[i]))));
        out << a[i].toString();
    }
    return out;
}

Result<QVector<MlflowRequest>> MlflowRequest::objects(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return QVector<MlflowRequest>();
    if (!v.isArray())
        return invalid(field, v, "a list of objects");
    const QJsonArray a = v.toArray();
    QVector<MlflowRequest> out;
    out.reserve(a.size());
    for (int i = 0; i < a.size(); ++i) {
        if (!a[i].isObject())
            return invalidArgument(QStringLiteral("Invalid value %1 for parameter '%2[%3]' supplied: expected an object, got %4.")
                                       .arg(shown(a[i]), name(field)).arg(i).arg(QLatin1String(typeName(a[i]))));
        out.append(MlflowRequest(a[i].toObject(), QStringLiteral("%1[%2].").arg(name(field)).arg(i)));
    }
    return out;
}

Result<MlflowRequest> MlflowRequest::object(const QString &field, bool required) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return required ? Result<MlflowRequest>(missing(name(field))) : MlflowRequest(QJsonObject(), name(field) + QLatin1Char('.'));
    if (!v.isObject())
        return invalid(field, v, "an object");
    return MlflowRequest(v.toObject(), name(field) + QLatin1Char('.'));
}

Result<QVector<KeyValue>> MlflowRequest::keyValues(const QString &field) const
{
    ORRERY_ASSIGN_OR_RETURN(auto items, objects(field));
    QVector<KeyValue> out;
    out.reserve(items.size());
    for (const MlflowRequest &item : items) {
        ORRERY_ASSIGN_OR_RETURN(auto key, item.string(QStringLiteral("key"), true));
        ORRERY_ASSIGN_OR_RETURN(auto value, item.string(QStringLiteral("value")));
        out.append({key, value});
    }
    return out;
}

} // namespace orrery::tracking
