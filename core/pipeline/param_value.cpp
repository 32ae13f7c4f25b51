#include "core/pipeline/param_value.h"

#include <QRegularExpression>

#include <charconv>
#include <cmath>

namespace orrery::pipeline {

ParamValue ParamValue::boolean(bool b)
{
    ParamValue v;
    v.m_kind = Kind::Bool;
    v.m_bool = b;
    return v;
}

ParamValue ParamValue::integer(qint64 i)
{
    ParamValue v;
    v.m_kind = Kind::Int;
    v.m_int = i;
    return v;
}

ParamValue ParamValue::real(double d)
{
    ParamValue v;
    v.m_kind = Kind::Float;
    v.m_double = d;
    return v;
}

ParamValue ParamValue::string(const QString &s)
{
    ParamValue v;
    v.m_kind = Kind::String;
    v.m_string = s;
    return v;
}

ParamValue ParamValue::list(std::vector<ParamValue> items)
{
    ParamValue v;
    v.m_kind = Kind::List;
    v.m_items = std::move(items);
    return v;
}

ParamValue ParamValue::map(std::vector<std::pair<QString, ParamValue>> entries)
{
    ParamValue v;
    v.m_kind = Kind::Map;
    v.m_entries = std::move(entries);
    return v;
}

ParamValue ParamValue::fromPlainScalar(const QString &t)
{
    static const QRegularExpression intRe(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression hexRe(QStringLiteral("^0x[0-9a-fA-F]+$"));
    static const QRegularExpression floatRe(QStringLiteral("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
    if (t.isEmpty() || t == QLatin1String("~") || t == QLatin1String("null") || t == QLatin1String("Null") || t == QLatin1String("NULL"))
        return null();
    if (t == QLatin1String("true") || t == QLatin1String("True") || t == QLatin1String("TRUE"))
        return boolean(true);
    if (t == QLatin1String("false") || t == QLatin1String("False") || t == QLatin1String("FALSE"))
        return boolean(false);
    if (intRe.match(t).hasMatch()) {
        bool ok = false;
        const qint64 i = t.toLongLong(&ok);
        if (ok)
            return integer(i);
    }
    if (hexRe.match(t).hasMatch()) {
        bool ok = false;
        const qint64 i = t.mid(2).toLongLong(&ok, 16);
        if (ok)
            return integer(i);
    }
    if (floatRe.match(t).hasMatch()) {
        bool ok = false;
        const double d = t.toDouble(&ok);
        if (ok)
            return real(d);
    }
    const QString lower = t.toLower();
    if (lower == QLatin1String(".inf") || lower == QLatin1String("+.inf"))
        return real(INFINITY);
    if (lower == QLatin1String("-.inf"))
        return real(-INFINITY);
    if (lower == QLatin1String(".nan"))
        return real(NAN);
    return string(t);
}

const ParamValue *ParamValue::find(const QString &dottedKey) const
{
    const ParamValue *node = this;
    for (const QString &part : dottedKey.split(QLatin1Char('.'))) {
        if (node->m_kind == Kind::Map) {
            const ParamValue *next = nullptr;
            for (const auto &[k, v] : node->m_entries)
                if (k == part) {
                    next = &v;
                    break;
                }
            if (!next)
                return nullptr;
            node = next;
        } else if (node->m_kind == Kind::List) {
            bool ok = false;
            const int i = part.toInt(&ok);
            if (!ok || i < 0 || size_t(i) >= node->m_items.size())
                return nullptr;
            node = &node->m_items[size_t(i)];
        } else {
            return nullptr;
        }
    }
    return node;
}

void ParamValue::set(const QString &dottedKey, const ParamValue &value)
{
    ParamValue *node = this;
    const QStringList parts = dottedKey.split(QLatin1Char('.'));
    for (int i = 0; i < parts.size(); ++i) {
        if (node->m_kind != Kind::Map) {
            *node = map({});
        }
        ParamValue *next = nullptr;
        for (auto &[k, v] : node->m_entries)
            if (k == parts[i]) {
                next = &v;
                break;
            }
        if (!next) {
            node->m_entries.emplace_back(parts[i], ParamValue());
            next = &node->m_entries.back().second;
        }
        node = next;
    }
    *node = value;
}

QString formatFloat(double d)
{
    if (std::isnan(d))
        return QStringLiteral(".nan");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral(".inf") : QStringLiteral("-.inf");
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d);
    QString s = QString::fromLatin1(buf, int(res.ptr - buf));
    // Python writes a mantissa with a point and switches to exponents at 1e16 and below 1e-4.
    const double a = std::fabs(d);
    if (!s.contains(QLatin1Char('e')) && a >= 1e16) {
        // to_chars chose fixed notation; Python uses an exponent here.
        std::to_chars_result r2 = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
        s = QString::fromLatin1(buf, int(r2.ptr - buf));
    }
    if (s.contains(QLatin1Char('e'))) {
        // Python: 1e-05, 1.5e+16 (at least two exponent digits, explicit sign).
        const int e = int(s.indexOf(QLatin1Char('e')));
        QString mant = s.left(e);
        QString exp = s.mid(e + 1);
        QString sign = QStringLiteral("+");
        if (exp.startsWith(QLatin1Char('-')) || exp.startsWith(QLatin1Char('+'))) {
            if (exp[0] == QLatin1Char('-'))
                sign = QStringLiteral("-");
            exp = exp.mid(1);
        }
        while (exp.size() > 1 && exp.startsWith(QLatin1Char('0')))
            exp = exp.mid(1);
        if (exp.size() < 2)
            exp.prepend(QLatin1Char('0'));
        if (a >= 1e-4 && a < 1e16) {
            // to_chars picked an exponent where Python does not: write it fixed.
            std::to_chars_result r3 = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
            s = QString::fromLatin1(buf, int(r3.ptr - buf));
        } else {
            return mant + QLatin1Char('e') + sign + exp;
        }
    }
    if (!s.contains(QLatin1Char('.')))
        s += QStringLiteral(".0");
    return s;
}

QString ParamValue::interpolationText() const
{
    switch (m_kind) {
    case Kind::Null: return QStringLiteral("None");
    case Kind::Bool: return m_bool ? QStringLiteral("true") : QStringLiteral("false");
    case Kind::Int: return QString::number(m_int);
    case Kind::Float: return formatFloat(m_double);
    case Kind::String: return m_string;
    default: return canonical();
    }
}

QString ParamValue::canonical() const
{
    switch (m_kind) {
    case Kind::Null: return QStringLiteral("null");
    case Kind::Bool: return m_bool ? QStringLiteral("true") : QStringLiteral("false");
    case Kind::Int: return QString::number(m_int);
    case Kind::Float: return formatFloat(m_double);
    case Kind::String: {
        QString s = m_string;
        s.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
        s.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
        return QLatin1Char('"') + s + QLatin1Char('"');
    }
    case Kind::List: {
        QStringList parts;
        for (const auto &i : m_items)
            parts << i.canonical();
        return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case Kind::Map: {
        QStringList parts;
        for (const auto &[k, v] : m_entries)
            parts << ParamValue::string(k).canonical() + QStringLiteral(": ") + v.canonical();
        return QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    }
    return QString();
}

QString ParamValue::where(const QString &fileName) const
{
    if (m_line <= 0)
        return fileName;
    return QStringLiteral("%1:%2:%3").arg(fileName).arg(m_line).arg(m_column);
}

void ParamValue::flatten(const QString &prefix, std::vector<std::pair<QString, ParamValue>> *out) const
{
    if (m_kind == Kind::Map && !m_entries.empty()) {
        for (const auto &[k, v] : m_entries)
            v.flatten(prefix.isEmpty() ? k : prefix + QLatin1Char('.') + k, out);
        return;
    }
    out->emplace_back(prefix, *this);
}

QString yamlQuote(const QString &s)
{
    bool needsDouble = false;
    for (QChar c : s)
        if (c.unicode() < 0x20 && c != QLatin1Char('\t'))
            needsDouble = true;
    if (needsDouble) {
        QString e = s;
        e.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
        e.replace(QLatin1Char('\n'), QStringLiteral("\\n")).replace(QLatin1Char('\r'), QStringLiteral("\\r"));
        QString out;
        for (QChar c : e) {
            if (c.unicode() < 0x20 && c != QLatin1Char('\t'))
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
        return QLatin1Char('"') + out + QLatin1Char('"');
    }
    bool plain = !s.isEmpty() && ParamValue::fromPlainScalar(s).kind() == ParamValue::Kind::String;
    if (plain) {
        static const QString leading = QStringLiteral("-?:,[]{}#&*!|>'\"%@`");
        const QChar first = s.front();
        if (leading.contains(first)) {
            // "-x" is plain in block context when a non-space follows, and ruamel writes it so
            // ("--opt=1" in a cmd); "?x" and ":x" are kept quoted, as ruamel does for most.
            const bool dashWord = first == QLatin1Char('-') && s.size() > 1 && !s[1].isSpace();
            plain = dashWord;
        }
        if (s.startsWith(QLatin1String("---")) || s.startsWith(QLatin1String("...")))
            plain = false; // document markers
        if (first.isSpace() || s.back().isSpace())
            plain = false;
        if (s.contains(QStringLiteral(": ")) || s.contains(QStringLiteral(" #")) || s.endsWith(QLatin1Char(':'))
            || s.contains(QLatin1Char('\t')))
            plain = false;
        const QString lower = s.toLower();
        if (lower == QLatin1String("yes") || lower == QLatin1String("no") || lower == QLatin1String("on") || lower == QLatin1String("off")
)
            plain = false; // YAML 1.1 readers (PyYAML) take these for booleans
        static const QRegularExpression numberish(QStringLiteral("^[-+]?[0-9][0-9_:.eE+-]*$"));
        if (numberish.match(s).hasMatch())
            plain = false; // 1_000, 12:30 (sexagesimal in YAML 1.1), 1e3
    }
    if (plain)
        return s;
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

namespace {
QString scalarText(const ParamValue &v)
{
    switch (v.kind()) {
    case ParamValue::Kind::Null: return QStringLiteral("null");
    case ParamValue::Kind::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case ParamValue::Kind::Int: return QString::number(v.toInt());
    case ParamValue::Kind::Float: return formatFloat(v.toDouble());
    case ParamValue::Kind::String: return yamlQuote(v.toStringValue());
    case ParamValue::Kind::List: return QStringLiteral("[]");
    case ParamValue::Kind::Map: return QStringLiteral("{}");
    }
    return QString();
}

// Characters as ruamel counts its column (code points, not UTF-16 units).
int width(const QString &text, qsizetype from = 0, qsizetype to = -1)
{
    if (to < 0)
        to = text.size();
    int n = 0;
    for (qsizetype i = from; i < to; ++i)
        n += text[i].isLowSurrogate() ? 0 : 1;
    return n;
}

// A string scalar folded at 80 columns exactly as ruamel.yaml's emitter folds it (DVC writes
// dvc.yaml and dvc.lock with ruamel's defaults, best_width 80): plain and single-quoted
// scalars break at a single space once the line has passed column 80 (never at a run of
// spaces; a single-quoted one never at its first or last character); the next line starts at
// `indent`. Reading folds each break back into the one space, so the value is unchanged.
void appendString(QString &out, const QString &text, int indent)
{
    const QString quoted = yamlQuote(text);
    const bool single = quoted.startsWith(QLatin1Char('\''));
    if (quoted.startsWith(QLatin1Char('"')) || (!single && quoted != text)) {
        out += QLatin1Char(' ') + quoted; // double-quoted (control characters): not folded
        return;
    }
    constexpr int kBestWidth = 80;
    int column = width(out, out.lastIndexOf(QLatin1Char('\n')) + 1);
    out += single ? QStringLiteral(" '") : QStringLiteral(" ");
    column += single ? 2 : 1;
    const qsizetype n = text.size();
    qsizetype start = 0;
    bool spaces = false;
    for (qsizetype end = 0; end <= n; ++end) {
        const QChar ch = end < n ? text[end] : QChar();
        const bool atEnd = end == n;
        if (spaces) {
            if (atEnd || ch != QLatin1Char(' ')) {
                if (start + 1 == end && column > kBestWidth && (!single || (start != 0 && !atEnd))) {
                    out += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
                    column = indent;
                } else {
                    out += text.mid(start, end - start);
                    column += width(text, start, end);
                }
                start = end;
            }
        } else if (atEnd || ch == QLatin1Char(' ') || (single && ch == QLatin1Char('\''))) {
            if (start < end) {
                out += text.mid(start, end - start);
                column += width(text, start, end);
                start = end;
            }
        }
        if (single && !atEnd && ch == QLatin1Char('\'')) {
            out += QStringLiteral("''");
            column += 2;
            start = end + 1;
        }
        if (!atEnd)
            spaces = ch == QLatin1Char(' ');
    }
    if (single)
        out += QLatin1Char('\'');
}

// A scalar after a key's ':' or a list's "- ", continuing at `indent` when it folds.
void appendScalar(QString &out, const ParamValue &value, int indent)
{
    if (value.kind() == ParamValue::Kind::String)
        appendString(out, value.toStringValue(), indent);
    else
        out += QLatin1Char(' ') + scalarText(value);
    out += QLatin1Char('\n');
}
} // namespace

void emitYamlValue(QString &out, const ParamValue &value, int indent)
{
    const QString pad(indent, QLatin1Char(' '));
    if (value.kind() == ParamValue::Kind::Map && !value.entries().empty()) {
        out += QLatin1Char('\n');
        for (const auto &[k, v] : value.entries())
            emitYamlEntry(out, k, v, indent);
        return;
    }
    if (value.kind() == ParamValue::Kind::List && !value.items().empty()) {
        out += QLatin1Char('\n');
        for (const auto &item : value.items()) {
            out += pad + QStringLiteral("- ");
            if (item.kind() == ParamValue::Kind::Map && !item.entries().empty()) {
                // The first entry shares the dash's line; the rest align under it.
                bool first = true;
                for (const auto &[k, v] : item.entries()) {
                    QString entry;
                    emitYamlEntry(entry, k, v, indent + 2);
                    out += first ? entry.mid(indent + 2) : entry;
                    first = false;
                }
            } else if (item.kind() == ParamValue::Kind::List && !item.items().empty()) {
                QString nested;
                emitYamlValue(nested, item, indent + 2);
                out += nested.mid(1 + indent + 2);
            } else {
                out.chop(1); // the space after '-' is the scalar's own, as ruamel writes it
                appendScalar(out, item, indent + 2);
            }
        }
        return;
    }
    appendScalar(out, value, indent);
}

void emitYamlEntry(QString &out, const QString &key, const ParamValue &value, int indent)
{
    out += QString(indent, QLatin1Char(' ')) + yamlQuote(key) + QLatin1Char(':');
    // Lists under a key are not indented (DVC's layout); maps are, by two.
    const bool list = value.kind() == ParamValue::Kind::List && !value.items().empty();
    emitYamlValue(out, value, list ? indent : indent + 2);
}

} // namespace orrery::pipeline
