#pragma once
// validateCsv: checks a CSV file against a Schema in one streaming pass and lists every
// violated rule — column, rule, how many rows broke it and the first five of them (line number
// and value) — so a person can go straight to the data. These are the data tests of a pipeline
// stage and of `orrery-cli data validate` (exit status 1 when any rule is violated).
//
// A file the reader cannot read (ragged row, unclosed quote, UTF-16, …) is not a violation but
// an error: the returned Status names the line and column. Memory is one record plus, for each
// `unique` column, 16 bytes per row at worst (a set of 64-bit value hashes; two different values
// collide with probability ~n²/2^65, which would report a false repeat).
//
// Threads: runs on the caller's thread; reports progress in bytes and stops on cancel.

#include "core/common/status.h"
#include "core/data/schema.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

struct ViolationExample {
    qint64 line = 0; // the file's line where the record starts (1-based)
    QString value;   // the cell's text (trimmed, at most 200 characters)
};

struct Violation {
    QString column;
    QString rule;     // type, min, max, allowed_values, max_null_fraction, unique, required, unexpected_column
    QString expected; // what the rule asks, in words: "int", ">= 0.5", "one of a, b"
    qint64 count = 0; // rows that break it (1 for a missing or unexpected column)
    QString detail;   // what was found, in words
    std::vector<ViolationExample> examples; // the first five offending rows
};

struct ValidationReport {
    QString path;
    qint64 rows = 0;
    int columnsChecked = 0;
    std::vector<Violation> violations;

    bool passed() const { return violations.empty(); }
    QJsonObject toJson() const;
    // Lines for a terminal: a summary, then each violation with its examples.
    QStringList toText(const QString &schemaPath) const;
};

Result<ValidationReport> validateCsv(const QString &csvPath, const Schema &schema, common::JobContext *job = nullptr);

} // namespace orrery::data
