#include "core/tracking/mlflow_request.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <cmath>
#include <cctype>
#include <cstring>
#include <limits>

namespace orrery::tracking {
namespace {

// A value as Python shows it: `str` is str(value) (what MLflow's f-string prints), `repr` its
// repr (what a list or dict prints for its items), `type` type(value).__name__.
struct PyValue {
    QString str;
    QString repr;
    QString type;
    QVector<QPair<QString, PyValue>> members; // a dict, in the body's order
    QVector<PyValue> items;                   // a list
};

QString pythonStringRepr(const QString &s)
{
    const QChar quote = (s.contains(QLatin1Char('\'')) && !s.contains(QLatin1Char('"'))) ? QLatin1Char('"') : QLatin1Char('\'');
    QString out = quote;
    for (const char32_t c : s.toUcs4()) {
        if (c == quote.unicode() || c == U'\\') {
            out += QLatin1Char('\\');
            out += QChar(char16_t(c));
        } else if (c == U'\t') {
            out += QLatin1String("\\t");
        } else if (c == U'\n') {
            out += QLatin1String("\\n");
        } else if (c == U'\r') {
            out += QLatin1String("\\r");
        } else {
            const QChar::Category cat = QChar::category(c);
            const bool printable = c == U' '
                || !(cat == QChar::Other_Control || cat == QChar::Other_Format || cat == QChar::Other_Surrogate || cat == QChar::Other_PrivateUse
                     || cat == QChar::Other_NotAssigned || cat == QChar::Separator_Line || cat == QChar::Separator_Paragraph
                     || cat == QChar::Separator_Space);
            if (printable)
                out += QString::fromUcs4(&c, 1);
            else if (c <= 0xff)
                out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
            else if (c <= 0xffff)
                out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
            else
                out += QStringLiteral("\\U%1").arg(uint(c), 8, 16, QLatin1Char('0'));
        }
    }
    return out + quote;
}

PyValue pyScalar(QString text, const char *type)
{
    PyValue v;
    v.str = text;
    v.repr = std::move(text);
    v.type = QLatin1String(type);
    return v;
}

PyValue pyString(const QString &s)
{
    PyValue v;
    v.str = s;
    v.repr = pythonStringRepr(s);
    v.type = QStringLiteral("str");
    return v;
}

PyValue pyList(QVector<PyValue> items)
{
    QStringList parts;
    for (const PyValue &i : items)
        parts << i.repr;
    PyValue v = pyScalar(QLatin1Char('[') + parts.join(QLatin1String(", ")) + QLatin1Char(']'), "list");
    v.items = std::move(items);
    return v;
}

PyValue pyDict(QVector<QPair<QString, PyValue>> members)
{
    QStringList parts;
    for (const auto &[key, value] : members)
        parts << pythonStringRepr(key) + QLatin1String(": ") + value.repr;
    PyValue v = pyScalar(QLatin1Char('{') + parts.join(QLatin1String(", ")) + QLatin1Char('}'), "dict");
    v.members = std::move(members);
    return v;
}

// What Python's json.loads makes of a JSON text, read from the text itself: integers stay ints of
// any size, numbers with '.', 'e' or 'E' are floats, NaN/Infinity tokens are floats, and objects
// keep their keys' order. Only used to print a refused value; false when the text is not JSON.
class PyJsonReader {
public:
    explicit PyJsonReader(const QByteArray &text) : m_s(text) {}
    bool read(PyValue *out)
    {
        if (!value(out, 0))
            return false;
        skip();
        return m_i == m_s.size();
    }

private:
    void skip()
    {
        while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
            ++m_i;
    }
    bool token(const char *t)
    {
        const int n = int(qstrlen(t));
        if (m_i + n > m_s.size() || std::memcmp(m_s.constData() + m_i, t, size_t(n)) != 0)
            return false;
        m_i += n;
        return true;
    }
    bool string(QString *out)
    {
        const int start = m_i++;
        while (m_i < m_s.size() && m_s[m_i] != '"')
            m_i += m_s[m_i] == '\\' ? 2 : 1;
        if (m_i >= m_s.size())
            return false;
        ++m_i;
        QJsonParseError e;
        const QJsonDocument d = QJsonDocument::fromJson('[' + m_s.mid(start, m_i - start) + ']', &e);
        if (e.error != QJsonParseError::NoError)
            return false;
        *out = d.array().at(0).toString();
        return true;
    }
    bool value(PyValue *out, int depth)
    {
        if (depth > 512)
            return false;
        skip();
        if (m_i >= m_s.size())
            return false;
        const char c = m_s[m_i];
        if (c == '"') {
            QString s;
            if (!string(&s))
                return false;
            *out = pyString(s);
            return true;
        }
        if (c == '{') {
            ++m_i;
            QVector<QPair<QString, PyValue>> members;
            skip();
            if (m_i < m_s.size() && m_s[m_i] == '}') {
                ++m_i;
                *out = pyDict(members);
                return true;
            }
            for (;;) {
                skip();
                QString key;
                if (m_i >= m_s.size() || m_s[m_i] != '"' || !string(&key))
                    return false;
                skip();
                if (!token(":"))
                    return false;
                PyValue v;
                if (!value(&v, depth + 1))
                    return false;
                auto it = std::find_if(members.begin(), members.end(), [&](const auto &m) { return m.first == key; });
                if (it != members.end())
                    it->second = std::move(v); // a dict keeps the first place, the last value
                else
                    members.append({key, std::move(v)});
                skip();
                if (token(","))
                    continue;
                if (!token("}"))
                    return false;
                *out = pyDict(std::move(members));
                return true;
            }
        }
        if (c == '[') {
            ++m_i;
            QVector<PyValue> items;
            skip();
            if (token("]")) {
                *out = pyList(items);
                return true;
            }
            for (;;) {
                PyValue v;
                if (!value(&v, depth + 1))
                    return false;
                items.append(std::move(v));
                skip();
                if (token(","))
                    continue;
                if (!token("]"))
                    return false;
                *out = pyList(std::move(items));
                return true;
            }
        }
        if (token("true")) {
            *out = pyScalar(QStringLiteral("True"), "bool");
            return true;
        }
        if (token("false")) {
            *out = pyScalar(QStringLiteral("False"), "bool");
            return true;
        }
        if (token("null")) {
            *out = pyScalar(QStringLiteral("None"), "NoneType");
            return true;
        }
        if (token("NaN")) {
            *out = pyScalar(QStringLiteral("nan"), "float");
            return true;
        }
        if (token("Infinity")) {
            *out = pyScalar(QStringLiteral("inf"), "float");
            return true;
        }
        if (token("-Infinity")) {
            *out = pyScalar(QStringLiteral("-inf"), "float");
            return true;
        }
        const int start = m_i;
        bool isFloat = false;
        while (m_i < m_s.size() && (std::isdigit(uchar(m_s[m_i])) || m_s[m_i] == '-' || m_s[m_i] == '+' || m_s[m_i] == '.' || m_s[m_i] == 'e' || m_s[m_i] == 'E')) {
            if (m_s[m_i] == '.' || m_s[m_i] == 'e' || m_s[m_i] == 'E')
                isFloat = true;
            ++m_i;
        }
        if (m_i == start)
            return false;
        const QByteArray number = m_s.mid(start, m_i - start);
        if (isFloat) {
            bool ok = false;
            double d = number.toDouble(&ok);
            if (!ok) { // out of range: Python's float() gives inf (or 0.0)
                d = std::strtod(number.constData(), nullptr);
            }
            *out = pyScalar(MlflowRequest::pythonFloat(d), "float");
            return true;
        }
        QString digits = QString::fromLatin1(number);
        const bool negative = digits.startsWith(QLatin1Char('-'));
        QString magnitude = negative ? digits.mid(1) : digits;
        while (magnitude.size() > 1 && magnitude.startsWith(QLatin1Char('0')))
            magnitude.remove(0, 1);
        *out = pyScalar((negative && magnitude != QLatin1String("0") ? QStringLiteral("-") : QString()) + magnitude, "int");
        return true;
    }

    const QByteArray &m_s;
    int m_i = 0;
};

// The same for a value already read (a query's, or where the body's text cannot be followed):
// Qt keeps integers that fit in 64 bits as integers, so only the int/float of larger ones is lost.
PyValue pyFromJson(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return pyScalar(v.toBool() ? QStringLiteral("True") : QStringLiteral("False"), "bool");
    case QJsonValue::Double:
        if (v.toVariant().metaType().id() == QMetaType::LongLong || v.toVariant().metaType().id() == QMetaType::Int)
            return pyScalar(QString::number(v.toInteger()), "int");
        return pyScalar(MlflowRequest::pythonFloat(v.toDouble()), "float");
    case QJsonValue::String: return pyString(v.toString());
    case QJsonValue::Array: {
        QVector<PyValue> items;
        for (const QJsonValue &i : v.toArray())
            items.append(pyFromJson(i));
        return pyList(std::move(items));
    }
    case QJsonValue::Object: {
        QVector<QPair<QString, PyValue>> members;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            members.append({it.key(), pyFromJson(it.value())});
        return pyDict(std::move(members));
    }
    default: return pyScalar(QStringLiteral("None"), "NoneType");
    }
}

// The value at a field's name as the client wrote it ("metrics[1].value") in the body's text.
bool pyAtPath(const QByteArray &body, const QString &path, PyValue *out)
{
    PyValue root;
    if (!PyJsonReader(body).read(&root))
        return false;
    const PyValue *at = &root;
    static const QRegularExpression segment(QStringLiteral("^([^.\\[]+)((?:\\[\\d+\\])*)$"));
    for (const QString &part : path.split(QLatin1Char('.'))) {
        const QRegularExpressionMatch m = segment.match(part);
        if (!m.hasMatch())
            return false;
        const auto member = std::find_if(at->members.begin(), at->members.end(), [&](const auto &p) { return p.first == m.captured(1); });
        if (at->type != QLatin1String("dict") || member == at->members.end())
            return false;
        at = &member->second;
        static const QRegularExpression index(QStringLiteral("\\[(\\d+)\\]"));
        for (auto it = index.globalMatch(m.captured(2)); it.hasNext();) {
            const int i = it.next().captured(1).toInt();
            if (at->type != QLatin1String("list") || i >= at->items.size())
                return false;
            at = &at->items[i];
        }
    }
    *out = *at;
    return true;
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

QString MlflowRequest::pythonFloat(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value < 0 ? QStringLiteral("-inf") : QStringLiteral("inf");
    // The shortest digits that read back as `value` (Python's repr), then Python's layout: plain
    // notation while the decimal point is within 16 digits and not 5 places after it, else d.ddde±XX.
    char buf[64];
    const auto end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific).ptr;
    const QString sci = QString::fromLatin1(buf, int(end - buf));
    const bool negative = sci.startsWith(QLatin1Char('-'));
    const int e = sci.indexOf(QLatin1Char('e'));
    QString digits = sci.mid(negative ? 1 : 0, e - (negative ? 1 : 0));
    digits.remove(QLatin1Char('.'));
    const int exponent = sci.mid(e + 1).toInt();
    const int point = exponent + 1; // digits before the decimal point
    QString out;
    if (point > -4 && point <= 16) {
        if (point <= 0)
            out = QStringLiteral("0.") + QString(-point, QLatin1Char('0')) + digits;
        else if (point >= digits.size())
            out = digits + QString(point - digits.size(), QLatin1Char('0')) + QStringLiteral(".0");
        else
            out = digits.left(point) + QLatin1Char('.') + digits.mid(point);
    } else {
        out = digits.left(1) + (digits.size() > 1 ? QLatin1Char('.') + digits.mid(1) : QString()) + QLatin1Char('e')
            + (exponent < 0 ? QLatin1Char('-') : QLatin1Char('+')) + QStringLiteral("%1").arg(std::abs(exponent), 2, 10, QLatin1Char('0'));
    }
    return negative ? QLatin1Char('-') + out : out;
}

Status MlflowRequest::invalid(const QString &field) const
{
    return invalidAt(name(field), m_object.value(field));
}

Status MlflowRequest::invalidAt(const QString &fullName, const QJsonValue &value) const
{
    PyValue v;
    if (!m_body || !pyAtPath(*m_body, fullName, &v))
        v = pyFromJson(value);
    return invalidArgument(QStringLiteral("Invalid value %1 for parameter '%2' supplied. Hint: Value was of type '%3'. See the API docs for more "
                                          "information about request parameters.").arg(v.str, fullName, v.type));
}

Status MlflowRequest::requireInEach(const QString &field, const QStringList &keys) const
{
    const QJsonValue list = m_object.value(field);
    if (!list.isArray())
        return Status::ok();
    for (const QJsonValue &item : list.toArray()) {
        if (!item.isObject())
            continue;
        for (const QString &key : keys) {
            const QJsonValue v = item.toObject().value(key);
            if (v.isUndefined() || v.isNull() || (v.isString() && v.toString().isEmpty()))
                return invalid(field);
        }
    }
    return Status::ok();
}

MlflowRequest MlflowRequest::child(QJsonObject object, QString prefix) const
{
    MlflowRequest r(std::move(object), std::move(prefix));
    r.m_body = m_body;
    return r;
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
    MlflowRequest r(doc.object(), QString());
    r.m_body = std::make_shared<const QByteArray>(body);
    return r;
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
        return invalid(field);
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
    return invalid(field);
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
    return invalid(field);
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
    return invalid(field);
}

Result<QStringList> MlflowRequest::strings(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return QStringList();
    if (v.isString())
        return QStringList{v.toString()};
    if (!v.isArray())
        return invalid(field);
    QStringList out;
    const QJsonArray a = v.toArray();
    for (int i = 0; i < a.size(); ++i) {
        if (!a[i].isString())
            return invalid(field); // MLflow's _assert_item_type_string: the whole list is the value
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
        return invalid(field);
    const QJsonArray a = v.toArray();
    QVector<MlflowRequest> out;
    out.reserve(a.size());
    for (int i = 0; i < a.size(); ++i) {
        if (!a[i].isObject())
            return invalidAt(QStringLiteral("%1[%2]").arg(name(field)).arg(i), a[i]);
        out.append(child(a[i].toObject(), QStringLiteral("%1[%2].").arg(name(field)).arg(i)));
    }
    return out;
}

Result<MlflowRequest> MlflowRequest::object(const QString &field, bool required) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return required ? Result<MlflowRequest>(missing(name(field))) : child(QJsonObject(), name(field) + QLatin1Char('.'));
    if (!v.isObject())
        return invalid(field);
    return child(v.toObject(), name(field) + QLatin1Char('.'));
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
