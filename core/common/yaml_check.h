#pragma once
// YamlCheck: collects every problem of one YAML file with its place — "FILE:LINE:COLUMN: what is
// wrong; the fix" — for alerts.yaml (core/monitor/alert_rules.h), ct.yaml (core/ct/ct_config.h) and sweep files
// (core/tune/sweep_file.h):
// unknown keys name the nearest known one, repeated keys are refused, values are read as the kind
// they must be (text, whole number, yes/no, duration, list of texts) or reported.
//
// Nothing here throws: yaml-cpp's exceptions are caught where the file is loaded.
//
// Threads: one YamlCheck per file being checked.

#include <yaml-cpp/yaml.h>

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>
#include <utility>

namespace orrery::common {

// "did you mean 'cooldown'? " when one of `known` is within a few edits of `word`; else empty.
QString nearestWord(const QString &word, const QStringList &known);

class YamlCheck {
public:
    using Entries = QMap<QString, std::pair<YAML::Node, YAML::Node>>; // key → (key node, value node)

    explicit YamlCheck(QString file) : m_file(std::move(file)) {}

    void error(const YAML::Mark &mark, const QString &what);
    // In file order.
    QStringList errors() const;
    int count() const { return int(m_problems.size()); }

    // The mapping's entries by key, reporting unknown and repeated keys. False when it is no mapping.
    bool entries(const YAML::Node &node, const QString &what, const QStringList &known, Entries *out);
    std::optional<QString> text(const YAML::Node &node, const QString &what, const QString &example);
    std::optional<qint64> integer(const YAML::Node &node, const QString &what, qint64 min, qint64 max);
    std::optional<bool> boolean(const YAML::Node &node, const QString &what);
    // A duration as core/common/duration.h reads it, minMs … maxMs.
    std::optional<qint64> duration(const YAML::Node &node, const QString &what, qint64 minMs, qint64 maxMs);
    // A list of texts; a single text is taken as a list of one.
    std::optional<QStringList> texts(const YAML::Node &node, const QString &what, const QString &example);

private:
    struct Problem {
        int line;
        int column;
        QString text;
    };
    QString m_file;
    QVector<Problem> m_problems;
};

} // namespace orrery::common
