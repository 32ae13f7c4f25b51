#pragma once
// What the bytes of one CSV cell mean: the parsing rules every reader of tabular data in Orrery
// shares (type inference, statistics, validation), so a value is a number in one place exactly
// when it is a number in the others.
//
// The policy, stated once (reliability catalogue #35):
// - Numbers use a decimal point and optional exponent: `42`, `-3.5`, `+7`, `.5`, `1e-3`. A
//   decimal comma (`1,5`), thousands separators, hex, `inf` and `nan` are not numbers; a value
//   beyond double's range (`1e309`) is not a number either, so it stays text and a schema's type
//   rule reports it instead of it silently turning into infinity.
// - Integers are what fits in a signed 64-bit integer; larger whole numbers are floats.
// - Booleans are `true`/`false` in any letter case. `0`/`1` stay integers.
// - Timestamps are ISO 8601 dates and times: `2026-01-31`, `2026-01-31T12:30`,
//   `2026-01-31T12:30:05.250Z`, `2026-01-31 12:30:05+02:00`. A time without an offset is read as
//   UTC. They are held as microseconds since 1970-01-01T00:00:00Z.
// - Spaces and tabs around a value are ignored when classifying it (` 3.5` is a number); the
//   text itself is not changed.
// - A formula-looking cell (`=`, `+`, `-`, `@`, tab or carriage return first) that is not a
//   number is text like any other: nothing is evaluated. CsvWriter escapes it on export.

#include <QString>

#include <cstdint>
#include <string_view>

namespace orrery::data {

// The type of a column, as inferred or as a schema states it.
enum class ColumnType { Int, Float, Bool, Category, Timestamp, String };

const char *columnTypeName(ColumnType type);
// "int", "float", "bool", "category", "timestamp", "string" (also "integer", "double", "text",
// "datetime" as synonyms); false for anything else.
bool parseColumnType(std::string_view text, ColumnType *type);

// The kind of one non-missing cell.
enum class CellKind : std::uint8_t { Int, Float, Bool, Timestamp, Text };

struct CellValue {
    qint64 integer = 0; // Int: the value; Bool: 0/1; Timestamp: microseconds since epoch
    double real = 0.0;        // Int and Float: the value as a double
};

std::string_view trimmedView(std::string_view text);

bool parseInt64(std::string_view text, qint64 *value);
bool parseFiniteDouble(std::string_view text, double *value);
bool parseBool(std::string_view text, bool *value);
bool parseTimestamp(std::string_view text, qint64 *microsSinceEpoch);
// "2026-01-31T12:30:05Z", with a fraction only when there is one.
QString formatTimestamp(qint64 microsSinceEpoch);
// Shortest text that reads back as the same double ("0.1", "1e+300").
QString formatNumber(double value);

// Classifies an already trimmed, non-missing cell and parses its value in the same step.
CellKind classifyCell(std::string_view text, CellValue *value);

// True when a spreadsheet would evaluate the cell: it begins with = + - @ tab or CR and is not
// a number (OWASP CSV injection, CWE-1236).
bool looksLikeFormula(std::string_view text);

// A 64-bit hash of bytes, well mixed in every bit (distinct counts use its top bits).
std::uint64_t hashBytes(std::string_view bytes);
std::uint64_t hashInteger(std::uint64_t value);
// The hash that identifies a cell's value: numbers by value (1 and 1.0 are one value), other
// kinds by their trimmed text.
std::uint64_t hashCell(CellKind kind, const CellValue &value, std::string_view text);

} // namespace orrery::data
