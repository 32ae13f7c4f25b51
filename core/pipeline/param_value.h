#pragma once
// ParamValue: one value of params.yaml (or of a `vars` file) as YAML holds it — null, bool, int,
// float, string, list or map (maps keep their order). Values are compared and hashed by their
// canonical text, so 0.10 and 0.1 are the same float, and a quoted "1" is not the int 1.
//
// Also the small YAML emitter the pipeline's writers share (dvc.yaml, dvc.lock, merged
// params.yaml): block style, scalars plain where YAML reads them back as the same value, single
// quoted otherwise — the layout DVC's own writer (ruamel.yaml) produces.

#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace orrery::pipeline {

class ParamValue {
public:
    enum class Kind { Null, Bool, Int, Float, String, List, Map };

    ParamValue() = default;
    static ParamValue null() { return {}; }
    static ParamValue boolean(bool b);
    static ParamValue integer(qint64 i);
    static ParamValue real(double d);
    static ParamValue string(const QString &s);
    static ParamValue list(std::vector<ParamValue> items);
    static ParamValue map(std::vector<std::pair<QString, ParamValue>> entries);
    // A plain (unquoted) YAML scalar, resolved by YAML 1.2's core schema.
    static ParamValue fromPlainScalar(const QString &text);

    Kind kind() const { return m_kind; }
    bool isScalar() const { return m_kind != Kind::List && m_kind != Kind::Map; }
    bool toBool() const { return m_bool; }
    qint64 toInt() const { return m_int; }
    double toDouble() const { return m_kind == Kind::Int ? double(m_int) : m_double; }
    const QString &toStringValue() const { return m_string; }
    const std::vector<ParamValue> &items() const { return m_items; }
    const std::vector<std::pair<QString, ParamValue>> &entries() const { return m_entries; }
    std::vector<std::pair<QString, ParamValue>> &entries() { return m_entries; }

    // The value at a dotted key ("train.lr"; list indices as numbers); null pointer when absent.
    const ParamValue *find(const QString &dottedKey) const;
    // Sets a dotted key, creating maps on the way (replaces non-map values in the way).
    void set(const QString &dottedKey, const ParamValue &value);

    // The text substituted for ${key} in a command: scalars as YAML writes them unquoted.
    QString interpolationText() const;
    // Canonical one-line text (JSON-like), for comparing and hashing.
    QString canonical() const;
    bool operator==(const ParamValue &o) const { return canonical() == o.canonical(); }
    bool operator!=(const ParamValue &o) const { return !(*this == o); }

    // Where the value was read (1-based; 0 when made in code). Not part of equality.
    int line() const { return m_line; }
    int column() const { return m_column; }
    void setPosition(int line, int column) { m_line = line; m_column = column; }
    // "file:line:column" of this value, for errors.
    QString where(const QString &fileName) const;

    // Every leaf under this map as (dotted key, value), in order.
    void flatten(const QString &prefix, std::vector<std::pair<QString, ParamValue>> *out) const;

private:
    Kind m_kind = Kind::Null;
    bool m_bool = false;
    qint64 m_int = 0;
    double m_double = 0.0;
    QString m_string;
    std::vector<ParamValue> m_items;
    std::vector<std::pair<QString, ParamValue>> m_entries;
    int m_line = 0;
    int m_column = 0;
};

// Python's repr() of a float (shortest round-trip digits, "1.0", "1e-05", ".inf", ".nan" in YAML).
QString formatFloat(double d);
// A scalar as YAML text: plain when it reads back as the same string, else single-quoted
// (or double-quoted with escapes when it holds a line break or control character).
QString yamlQuote(const QString &s);

// Appends `value` in block style at `indent` spaces, as the value of a key just written
// ("key:" without a trailing space) or as a list item. Used by every writer of the module.
void emitYamlValue(QString &out, const ParamValue &value, int indent);
// "key: value\n" (or "key:\n" + the block) at `indent`.
void emitYamlEntry(QString &out, const QString &key, const ParamValue &value, int indent);

} // namespace orrery::pipeline
