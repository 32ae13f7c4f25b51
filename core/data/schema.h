#pragma once
// Schema: the data tests of one CSV file, kept as a YAML file beside it (data/x.csv ->
// data/x.schema.yaml) that a person can read, review in a pull request and edit by hand.
// `orrery-cli data schema` infers one (inferSchema); `orrery-cli data validate` checks a file
// against one (validateCsv) — the data tests a pipeline stage and a CI job run.
//
// The format, version 1 (every key but `version` and `columns` is optional):
//
//   version: 1
//   source: transactions.csv        # informational: the file it was inferred from
//   rows: 50000                     # informational: its number of data rows
//   csv:                            # how to read the file
//     delimiter: ","                # one character; "\t" or tab for tabs
//     header: true                  # false: columns are named column_1, column_2, …
//     skip_lines: 0                 # lines before the header to ignore
//     null_values: ["", NA, N/A, "null", "NULL", NaN, nan]   # cell texts meaning "missing"
//   allow_extra_columns: false      # true: columns the schema does not list are fine
//   columns:
//     - name: amount                # the header's name for the column
//       type: float                 # int | float | bool | category | timestamp | string
//       required: true              # the column must be present (default true)
//       min: 0.5                    # int/float: a number; timestamp: an ISO 8601 time
//       max: 9321.75                #   (both inclusive)
//       max_null_fraction: 0.02     # share of missing cells allowed, 0 to 1 (absent: any)
//       unique: false               # true: no value may appear twice
//     - name: channel
//       type: category
//       allowed_values: [pos, online, atm]   # the cell's text must be one of these
//       description: free text for people; ignored by the checks
//
// What each rule checks, for every cell that is not missing: `type` — the value parses as the
// type (see csv_value.h: int is a whole number, float any finite number, bool true/false,
// timestamp ISO 8601; category and string take any text); `min`/`max` — the value is within;
// `allowed_values` — the value is one of the list (any type; text trimmed, numbers compared by
// value, so 1 matches 1.0); `unique` — no value repeats in the file (numbers by value). Per column: `max_null_fraction` and `required`. Per file:
// columns not listed are `unexpected_column` violations unless allow_extra_columns. Columns
// match by name, in any order.
//
// Inferred schemas state what the data showed, with room for more from the same source
// (schema_inference.h has the rule): the observed range widened by its own width on each side
// (timestamps: no max), the observed missing share x 1.5 + 0.01 (none stays none), every
// category as allowed_values (or none with --open-categories), unique: true for int and string
// columns in which no value repeated. Tighten or loosen by hand what you know better.
//
// Loading is strict: an unknown key, a value of the wrong kind or a duplicate column is an error
// naming the file, line and column, so a mistyped rule never silently checks nothing. YAML's
// bare null, ~ and empty values are refused where text is expected: quote them ("null").

#include "core/common/status.h"
#include "core/data/csv_reader.h"
#include "core/data/csv_value.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace orrery::data {

// A min or max: an integer (int columns, and timestamps in microseconds since the epoch) or a
// real number (float columns, or a fractional bound of an int column).
struct SchemaBound {
    bool isInteger = false;
    qint64 integer = 0;
    double real = 0.0;
    double asDouble() const { return isInteger ? double(integer) : real; }
};

struct ColumnRule {
    QString name;
    ColumnType type = ColumnType::String;
    bool required = true;
    std::optional<SchemaBound> min, max;
    std::optional<QStringList> allowedValues;
    std::optional<double> maxNullFraction;
    bool unique = false;
    QString description;

    // The bound as the YAML file writes it ("0.5", "2026-01-01T00:00:00Z").
    QString boundText(const SchemaBound &bound) const;
};

class Schema {
public:
    int version = 1;
    QString source;
    qint64 rows = -1; // unknown
    CsvOptions csv;
    QStringList nullValues; // empty: NullValues::defaultTokens()
    bool allowExtraColumns = false;
    std::vector<ColumnRule> columns;

    static Result<Schema> load(const QString &path);
    // `fileName` names the text in errors ("x.schema.yaml:12:5: …").
    static Result<Schema> parse(const QByteArray &yaml, const QString &fileName);
    // The YAML text, starting with a comment that says where it came from and how to use it.
    QByteArray toYaml() const;
    // Writes toYaml() atomically (core/common/atomic_file.h).
    Status save(const QString &path) const;
    QJsonObject toJson() const;

    const ColumnRule *column(const QString &name) const;
    // data/x.csv -> data/x.schema.yaml
    static QString defaultPathFor(const QString &csvPath);
};

} // namespace orrery::data
