#include "core/data/csv_value.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace orrery::data {
namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian
// calendar over the whole int64 range we use, no time zone database involved.
qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + qint64(doe) - 719468;
}

void civilFromDays(qint64 z, qint64 *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = qint64(yoe) + era * 400 + (*m <= 2);
}

unsigned daysInMonth(qint64 y, unsigned m)
{
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at text[pos].
bool digits(std::string_view text, size_t pos, size_t n, unsigned *out)
{
    if (pos + n > text.size())
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = text[pos + i];
        if (!isDigit(c))
            return false;
        v = v * 10 + unsigned(c - '0');
    }
    *out = v;
    return true;
}

std::uint64_t fmix64(std::uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

} // namespace

const char *columnTypeName(ColumnType type)
{
    switch (type) {
    case ColumnType::Int: return "int";
    case ColumnType::Float: return "float";
    case ColumnType::Bool: return "bool";
    case ColumnType::Category: return "category";
    case ColumnType::Timestamp: return "timestamp";
    case ColumnType::String: return "string";
    }
    return "string";
}

bool parseColumnType(std::string_view text, ColumnType *type)
{
    struct Name {
        const char *name;
        ColumnType type;
    };
    static const Name kNames[] = {{"int", ColumnType::Int},           {"integer", ColumnType::Int},
                                  {"float", ColumnType::Float},       {"double", ColumnType::Float},
                                  {"bool", ColumnType::Bool},         {"boolean", ColumnType::Bool},
                                  {"category", ColumnType::Category}, {"timestamp", ColumnType::Timestamp},
                                  {"datetime", ColumnType::Timestamp}, {"string", ColumnType::String},
                                  {"text", ColumnType::String}};
    for (const Name &n : kNames) {
        if (text == n.name) {
            *type = n.type;
            return true;
        }
    }
    return false;
}

std::string_view trimmedView(std::string_view text)
{
    size_t b = 0;
    size_t e = text.size();
    while (b < e && (text[b] == ' ' || text[b] == '\t'))
        ++b;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t'))
        --e;
    return text.substr(b, e - b);
}

bool parseInt64(std::string_view text, qint64 *value)
{
    const char *b = text.data();
    const char *e = b + text.size();
    const bool plus = b != e && *b == '+';
    b += plus; // from_chars takes no '+'
    if (b == e || (*b == '-' ? (plus || b + 1 == e || !isDigit(b[1])) : !isDigit(*b)))
        return false;
    const auto r = std::from_chars(b, e, *value);
    return r.ec == std::errc() && r.ptr == e;
}

// Clinger's fast path: a decimal whose digits fit in 2^53 and whose power of ten is at most 22
// is one exact integer times or divided by one exact power of ten, and a single IEEE operation
// on exact operands is correctly rounded. Most data ("3.14159", "-0.5", "12e3") takes this path;
// the rest goes to std::from_chars. Returns false when the fast path does not apply.
bool parseDecimalFast(const char *p, const char *e, double *value)
{
    static const double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const bool negative = p != e && *p == '-';
    p += negative;
    if (e - p > 19 + 1 || p == e)
        return false; // more digits than a uint64 holds: from_chars
    // One loop over digits and at most one point: one hard-to-predict exit per number.
    std::uint64_t mantissa = 0;
    const char *point = nullptr;
    const char *q = p;
    for (; q != e; ++q) {
        const unsigned digit = unsigned(static_cast<unsigned char>(*q)) - unsigned('0');
        if (digit < 10) {
            mantissa = mantissa * 10 + digit;
        } else if (*q == '.' && point == nullptr) {
            point = q;
        } else {
            break;
        }
    }
    const int digitCount = int(q - p) - (point != nullptr);
    if (digitCount == 0)
        return false;
    int exponent = point ? -int(q - point - 1) : 0;
    if (q != e) {
        if (*q != 'e' && *q != 'E')
            return false;
        ++q;
        bool expNegative = false;
        if (q != e && (*q == '+' || *q == '-'))
            expNegative = *q++ == '-';
        if (q == e || e - q > 4)
            return false;
        int exp = 0;
        for (; q != e; ++q) {
            const unsigned digit = unsigned(static_cast<unsigned char>(*q)) - unsigned('0');
            if (digit >= 10)
                return false;
            exp = exp * 10 + int(digit);
        }
        exponent += expNegative ? -exp : exp;
    }
    if (mantissa > (std::uint64_t(1) << 53) || exponent < -22 || exponent > 22)
        return false;
    const double v = exponent < 0 ? double(mantissa) / kPow10[-exponent] : double(mantissa) * kPow10[exponent];
    *value = negative ? -v : v;
    return true;
}

bool parseFiniteDouble(std::string_view text, double *value)
{
    const char *b = text.data();
    const char *e = b + text.size();
    const bool plus = b != e && *b == '+';
    b += plus;
    if (plus && b != e && *b == '-')
        return false;
    // A number starts with a digit, or a point and a digit, after its sign: this keeps out
    // "inf", "nan", "infinity" and "-" that from_chars would accept or half-read.
    const char *d = (b != e && *b == '-') ? b + 1 : b;
    if (d == e || !(isDigit(*d) || (*d == '.' && d + 1 != e && isDigit(d[1]))))
        return false;
    if (parseDecimalFast(b, e, value))
        return true;
    const auto r = std::from_chars(b, e, *value, std::chars_format::general);
    if (r.ptr != e)
        return false;
    if (r.ec == std::errc())
        return true;
    if (r.ec != std::errc::result_out_of_range || text.size() > 400)
        return false;
    // Out of range: an overflow (1e309) is not a number; an underflow (1e-400) is a tiny number
    // that strtod rounds to zero or a subnormal.
    char buffer[401];
    std::memcpy(buffer, b, size_t(e - b));
    buffer[e - b] = '\0';
    errno = 0;
    const double v = std::strtod(buffer, nullptr);
    if (!std::isfinite(v))
        return false;
    *value = v;
    return true;
}

bool parseBool(std::string_view text, bool *value)
{
    auto equalsNoCase = [](std::string_view a, const char *lower) {
        const size_t n = std::strlen(lower);
        if (a.size() != n)
            return false;
        for (size_t i = 0; i < n; ++i) {
            char c = a[i];
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
            if (c != lower[i])
                return false;
        }
        return true;
    };
    if (equalsNoCase(text, "true")) {
        *value = true;
        return true;
    }
    if (equalsNoCase(text, "false")) {
        *value = false;
        return true;
    }
    return false;
}

bool parseTimestamp(std::string_view t, qint64 *micros)
{
    unsigned y = 0, mo = 0, d = 0;
    if (t.size() < 10 || !digits(t, 0, 4, &y) || t[4] != '-' || !digits(t, 5, 2, &mo) || t[7] != '-'
        || !digits(t, 8, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))
        return false;
    qint64 seconds = daysFromCivil(y, mo, d) * 86400;
    qint64 fraction = 0;
    size_t pos = 10;
    if (pos < t.size()) {
        if (t[pos] != 'T' && t[pos] != 't' && t[pos] != ' ')
            return false;
        unsigned hh = 0, mm = 0, ss = 0;
        if (!digits(t, pos + 1, 2, &hh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, &mm))
            return false;
        pos += 6;
        if (pos < t.size() && t[pos] == ':') {
            if (!digits(t, pos + 1, 2, &ss))
                return false;
            pos += 3;
            if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
                ++pos;
                const size_t start = pos;
                qint64 scale = 100000;
                while (pos < t.size() && isDigit(t[pos])) {
                    if (scale > 0)
                        fraction += (t[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                }
                if (pos == start || pos - start > 9)
                    return false;
            }
        }
        if (hh > 23 || mm > 59 || ss > 59)
            return false;
        seconds += hh * 3600 + mm * 60 + ss;
        if (pos < t.size()) {
            const char z = t[pos];
            if (z == 'Z' || z == 'z') {
                ++pos;
            } else if (z == '+' || z == '-') {
                unsigned oh = 0, om = 0;
                if (!digits(t, pos + 1, 2, &oh))
                    return false;
                pos += 3;
                if (pos < t.size()) {
                    if (t[pos] == ':')
                        ++pos;
                    if (!digits(t, pos, 2, &om))
                        return false;
                    pos += 2;
                }
                if (oh > 23 || om > 59)
                    return false;
                const qint64 offset = oh * 3600 + om * 60;
                seconds += z == '+' ? -offset : offset; // 12:00+02:00 is 10:00Z
            } else {
                return false;
            }
        }
        if (pos != t.size())
            return false;
    }
    *micros = seconds * 1000000 + fraction;
    return true;
}

QString formatTimestamp(qint64 micros)
{
    qint64 seconds = micros / 1000000;
    qint64 fraction = micros % 1000000;
    if (fraction < 0) {
        fraction += 1000000;
        --seconds;
    }
    qint64 days = seconds / 86400;
    qint64 rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    qint64 y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(days, &y, &m, &d);
    char buffer[64];
    int n = std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                          int(rest / 3600), int(rest / 60 % 60), int(rest % 60));
    if (fraction != 0) {
        if (fraction % 1000 == 0)
            n += std::snprintf(buffer + n, sizeof buffer - size_t(n), ".%03d", int(fraction / 1000));
        else
            n += std::snprintf(buffer + n, sizeof buffer - size_t(n), ".%06d", int(fraction));
    }
    std::snprintf(buffer + n, sizeof buffer - size_t(n), "Z");
    return QString::fromLatin1(buffer);
}

QString formatNumber(double value)
{
    char buffer[64];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QString::fromLatin1(buffer, int(r.ptr - buffer));
}

CellKind classifyCell(std::string_view text, CellValue *value)
{
    const char c = text.empty() ? '\0' : text.front();
    if (isDigit(c) || c == '-' || c == '+' || c == '.') {
        if (parseInt64(text, &value->integer)) {
            value->real = double(value->integer);
            return CellKind::Int;
        }
        if (parseFiniteDouble(text, &value->real))
            return CellKind::Float;
        if (isDigit(c) && parseTimestamp(text, &value->integer))
            return CellKind::Timestamp;
        return CellKind::Text;
    }
    if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
        bool b = false;
        if (parseBool(text, &b)) {
            value->integer = b ? 1 : 0;
            return CellKind::Bool;
        }
    }
    return CellKind::Text;
}

bool looksLikeFormula(std::string_view text)
{
    if (text.empty())
        return false;
    const char c = text.front();
    if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r')
        return false;
    const std::string_view t = trimmedView(text);
    qint64 i = 0;
    double d = 0.0;
    return !(parseInt64(t, &i) || parseFiniteDouble(t, &d));
}

std::uint64_t hashInteger(std::uint64_t value)
{
    return fmix64(value ^ 0x9e3779b97f4a7c15ULL);
}

std::uint64_t hashBytes(std::string_view bytes)
{
    const char *p = bytes.data();
    size_t n = bytes.size();
    std::uint64_t h = 0x6a09e667f3bcc909ULL ^ (std::uint64_t(n) * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        std::uint64_t k;
        std::memcpy(&k, p, 8);
        h = (h ^ fmix64(k)) * 0x9e3779b97f4a7c15ULL;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        std::uint64_t k = 0;
        std::memcpy(&k, p, n);
        h = (h ^ fmix64(k ^ (std::uint64_t(n) << 59))) * 0x9e3779b97f4a7c15ULL;
    }
    return fmix64(h);
}

std::uint64_t hashCell(CellKind kind, const CellValue &value, std::string_view text)
{
    switch (kind) {
    case CellKind::Int:
        return hashInteger(std::uint64_t(value.integer));
    case CellKind::Float: {
        // A whole float is the integer it equals, so "2" and "2.0" count as one value.
        const double r = value.real;
        if (r >= -9.2e18 && r <= 9.2e18 && r == std::floor(r))
            return hashInteger(std::uint64_t(qint64(r)));
        std::uint64_t bits;
        std::memcpy(&bits, &r, 8);
        return hashInteger(bits ^ 0x5bd1e9955bd1e995ULL);
    }
    case CellKind::Timestamp:
        return hashInteger(std::uint64_t(value.integer) ^ 0x27d4eb2f165667c5ULL);
    case CellKind::Bool:
    case CellKind::Text:
        break;
    }
    return hashBytes(text);
}

} // namespace orrery::data
