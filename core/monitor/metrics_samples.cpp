#include "core/monitor/metrics_samples.h"

#include <cstring>
#include <limits>

namespace orrery::monitor {

namespace {

bool nameStart(char c, bool colon) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':'); }
bool nameChar(char c, bool colon) { return nameStart(c, colon) || (c >= '0' && c <= '9'); }

// One line's reader: a cursor over its bytes and the place for errors.
class LineReader {
public:
    LineReader(const char *begin, const char *end, int line) : m_begin(begin), m_p(begin), m_end(end), m_line(line) {}

    Status error(const QString &what) const
    {
        QByteArray excerpt(m_begin, int(qMin<qint64>(m_end - m_begin, 80)));
        return invalidArgument(QStringLiteral("metrics line %1, column %2: %3 (in \"%4%5\")")
                                   .arg(m_line)
                                   .arg(int(m_p - m_begin) + 1)
                                   .arg(what, QString::fromUtf8(excerpt), m_end - m_begin > 80 ? QStringLiteral("…") : QString()));
    }
    bool atEnd() const { return m_p == m_end; }
    char peek() const { return m_p < m_end ? *m_p : '\0'; }
    void skipBlanks()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t'))
            ++m_p;
    }
    Result<QString> name(bool colon, const char *what)
    {
        if (atEnd() || !nameStart(*m_p, colon))
            return error(QStringLiteral("expected %1").arg(QLatin1String(what)));
        const char *start = m_p;
        while (m_p < m_end && nameChar(*m_p, colon))
            ++m_p;
        return QString::fromLatin1(start, int(m_p - start));
    }
    bool take(char c)
    {
        if (peek() != c)
            return false;
        ++m_p;
        return true;
    }
    Result<QString> quoted(const QString &label)
    {
        if (!take('"'))
            return error(QStringLiteral("expected '\"' to open the value of label '%1'").arg(label));
        QByteArray value;
        while (m_p < m_end && *m_p != '"') {
            if (*m_p == '\\') {
                ++m_p;
                if (m_p == m_end)
                    break;
                const char e = *m_p;
                if (e == 'n')
                    value += '\n';
                else if (e == '\\' || e == '"')
                    value += e;
                else
                    return error(QStringLiteral("unknown escape '\\%1' in the value of label '%2' (only \\\\, \\\" and \\n)").arg(QString(QLatin1Char(e)), label));
                ++m_p;
            } else {
                value += *m_p++;
            }
        }
        if (!take('"'))
            return error(QStringLiteral("the value of label '%1' is not closed with '\"'").arg(label));
        return QString::fromUtf8(value);
    }
    // A token up to the next blank or the end.
    QByteArray token()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p != ' ' && *m_p != '\t')
            ++m_p;
        return QByteArray(start, int(m_p - start));
    }
    void back(qsizetype n) { m_p -= n; }

private:
    const char *m_begin;
    const char *m_p;
    const char *m_end;
    int m_line;
};

// Go's strconv.ParseFloat spellings Prometheus reads: decimal and exponent forms, NaN, ±Inf.
bool parseValue(const QByteArray &text, double *out)
{
    if (text.isEmpty())
        return false;
    const QByteArray lower = text.toLower();
    if (lower == "nan") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (lower == "+inf" || lower == "inf") {
        *out = std::numeric_limits<double>::infinity();
        return true;
    }
    if (lower == "-inf") {
        *out = -std::numeric_limits<double>::infinity();
        return true;
    }
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
            return false;
    bool ok = false; // QByteArray::toDouble reads C-locale numbers whatever LC_NUMERIC says (strtod does not)
    *out = text.toDouble(&ok);
    return ok;
}

Result<MetricSample> parseSample(LineReader &r)
{
    MetricSample s;
    ORRERY_ASSIGN_OR_RETURN(s.name, r.name(true, "a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
    const bool blankAfterName = r.peek() == ' ' || r.peek() == '\t';
    r.skipBlanks();
    if (!blankAfterName && r.peek() != '{' && !r.atEnd())
        return r.error(QStringLiteral("expected '{' or a blank after the metric name '%1'").arg(s.name));
    if (blankAfterName && r.peek() != '{')
        r.back(1); // the blank before the value
    if (r.take('{')) {
        for (;;) {
            r.skipBlanks();
            if (r.take('}'))
                break;
            ORRERY_ASSIGN_OR_RETURN(const QString label, r.name(false, "a label name ([a-zA-Z_][a-zA-Z0-9_]*) or '}'"));
            r.skipBlanks();
            if (!r.take('='))
                return r.error(QStringLiteral("expected '=' after the label name '%1'").arg(label));
            r.skipBlanks();
            ORRERY_ASSIGN_OR_RETURN(const QString value, r.quoted(label));
            if (s.labels.contains(label)) {
                r.back(1);
                return r.error(QStringLiteral("label '%1' appears twice in one sample").arg(label));
            }
            if (label == QLatin1String("__name__"))
                return r.error(QStringLiteral("the label __name__ is the metric's name; it cannot be given as a label"));
            s.labels.insert(label, value);
            r.skipBlanks();
            if (r.take(','))
                continue;
            if (r.take('}'))
                break;
            return r.error(QStringLiteral("expected ',' or '}' after the value of label '%1'").arg(label));
        }
    }
    if (r.peek() != ' ' && r.peek() != '\t')
        return r.error(r.atEnd() ? QStringLiteral("the sample has no value") : QStringLiteral("expected a blank and the sample's value"));
    r.skipBlanks();
    const QByteArray value = r.token();
    if (value.isEmpty())
        return r.error(QStringLiteral("the sample has no value"));
    if (!parseValue(value, &s.value)) {
        r.back(value.size());
        return r.error(QStringLiteral("'%1' is not a number (a float, NaN, +Inf or -Inf)").arg(QString::fromUtf8(value)));
    }
    r.skipBlanks();
    if (!r.atEnd()) {
        const QByteArray timestamp = r.token();
        bool ok = false;
        timestamp.toLongLong(&ok);
        if (!ok) {
            r.back(timestamp.size());
            return r.error(QStringLiteral("'%1' is not a timestamp (whole milliseconds)").arg(QString::fromUtf8(timestamp)));
        }
        r.skipBlanks();
        if (!r.atEnd())
            return r.error(QStringLiteral("unexpected text after the timestamp"));
    }
    return s;
}

} // namespace

QString MetricSample::seriesText() const
{
    QString out = name;
    if (labels.isEmpty())
        return out;
    out += QLatin1Char('{');
    bool first = true;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        if (!first)
            out += QLatin1Char(',');
        first = false;
        QString v = it.value();
        v.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\"")).replace(QLatin1Char('\n'), QLatin1String("\\n"));
        out += it.key() + QLatin1String("=\"") + v + QLatin1Char('"');
    }
    return out + QLatin1Char('}');
}

Result<QVector<MetricSample>> parseMetricsText(const QByteArray &text)
{
    QVector<MetricSample> samples;
    const char *p = text.constData();
    const char *end = p + text.size();
    int line = 0;
    while (p < end) {
        ++line;
        const char *eol = static_cast<const char *>(memchr(p, '\n', size_t(end - p)));
        const char *lineEnd = eol ? eol : end;
        const char *next = eol ? eol + 1 : end;
        if (lineEnd > p && lineEnd[-1] == '\r')
            --lineEnd;
        LineReader r(p, lineEnd, line);
        r.skipBlanks();
        if (!r.atEnd() && r.peek() != '#') {
            ORRERY_ASSIGN_OR_RETURN(MetricSample s, parseSample(r));
            samples.append(std::move(s));
        }
        p = next;
    }
    return samples;
}

bool isMetricName(const QString &name)
{
    if (name.isEmpty() || name.front().unicode() > 127 || !nameStart(char(name.front().unicode()), true))
        return false;
    for (const QChar c : name)
        if (c.unicode() > 127 || !nameChar(char(c.unicode()), true))
            return false;
    return true;
}

bool isLabelName(const QString &name)
{
    if (name.isEmpty() || name.front().unicode() > 127 || !nameStart(char(name.front().unicode()), false))
        return false;
    for (const QChar c : name)
        if (c.unicode() > 127 || !nameChar(char(c.unicode()), false))
            return false;
    return true;
}

} // namespace orrery::monitor
