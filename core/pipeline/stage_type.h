#pragma once
// Stage types as data: a built-in stage (load, validate, split, train, evaluate, gate, …) is
// described by its name, docs and typed parameters — inputs (paths it reads), outputs (paths it
// writes) and settings with defaults, ranges and choices — so the command line (`orrery-cli stage
// TYPE --help`), argument checking and the editor's property forms all come from one description.
// No widgets here: the UI maps ParamType to editors through its own factory.
//
// The engine knows stage types only through StageRegistry: core/stages registers the built-in
// implementations, and another module may replace one (the LibTorch trainer replaces the
// baseline `train` when it is linked) without the pipeline knowing either.
//
// A dvc.yaml stage whose cmd is `orrery-cli stage TYPE ARGS…` (one command, no shell operators)
// runs in-process on a worker thread; `dvc repro` runs the same cmd as a process.

#include "core/common/status.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>
#include <optional>

namespace orrery::pipeline {

enum class ParamKind { Input, Output, Setting };
enum class ParamType { String, Int, Float, Bool, Choice, Path };
const char *paramTypeName(ParamType t);

struct StageParamSpec {
    QString name;            // the option: --name
    ParamKind kind = ParamKind::Setting;
    ParamType type = ParamType::String;
    QString defaultValue;    // empty and !required: absent
    bool required = false;
    std::optional<double> min, max; // Int and Float
    QStringList choices;     // Choice
    QString doc;
};

struct StageType {
    QString name;
    QString summary; // one line
    QString docs;    // a paragraph: what it does, what it writes, when it fails
    QVector<StageParamSpec> params;
    // It records into the workspace database (register, tune), so it runs only on this machine:
    // a job on Slurm or Kubernetes never opens the database (DESIGN.md, "Processes"), and the
    // pipeline refuses to place such a stage elsewhere before anything runs.
    bool needsWorkspaceDatabase = false;

    const StageParamSpec *param(const QString &name) const;
    QString helpText() const; // `orrery-cli stage TYPE --help`
};

// Checked arguments of one stage invocation (defaults filled in).
class StageArgs {
public:
    QString text(const QString &name) const { return m_values.value(name); }
    bool has(const QString &name) const { return m_values.contains(name) && !m_values.value(name).isEmpty(); }
    qint64 integer(const QString &name) const { return m_values.value(name).toLongLong(); }
    double real(const QString &name) const { return m_values.value(name).toDouble(); }
    bool flag(const QString &name) const { return m_values.value(name) == QLatin1String("true"); }
    void set(const QString &name, const QString &value) { m_values.insert(name, value); }
    const QHash<QString, QString> &values() const { return m_values; }

private:
    QHash<QString, QString> m_values;
};

// "--name value" / "--name=value" / "--flag" for Bool; checks names, types, ranges, choices and
// required params against the type. Errors name the option and say what is accepted.
Result<StageArgs> parseStageArgs(const StageType &type, const QStringList &argv);

// What an implementation sees while it runs (on a worker thread, or on the CLI's main thread
// for `orrery-cli stage`).
class StageContext {
public:
    QString workDir;     // absolute: relative paths in the args are relative to it
    StageArgs args;
    // Where the stage runs, for stages that use the workspace itself (register reads and writes
    // the registry): the workspace root, the pipeline run this stage's run is under, and the folder
    // of orrery-cli (for a stage that scores with `orrery-cli predict`). Empty when the stage runs
    // on its own (`orrery-cli stage TYPE …` from a terminal).
    QString workspaceRoot;
    QString pipelineRunId;
    QString cliDir;
    std::function<bool()> isCancelled = [] { return false; };
    std::function<void(const QString &)> log = [](const QString &) {};

    QString path(const QString &param) const; // the arg as an absolute path
    // A check that did not pass (a data test, a gate): the stage fails as a "problem" (exit 1),
    // not as an error, and the reason is listed.
    void addFinding(const QString &text) { findings << text; }
    QStringList findings;
    // Metrics the stage wants on its tracked run (besides its metrics files).
    QVector<std::pair<QString, double>> metrics;
};

using StageImpl = std::function<Status(StageContext &)>;

class StageRegistry {
public:
    // Adds a type, or replaces one of the same name (a real trainer replacing the baseline).
    void add(const StageType &type, StageImpl impl);
    const StageType *type(const QString &name) const;
    StageImpl impl(const QString &name) const { return m_impls.value(name); }
    QStringList names() const;

private:
    QVector<StageType> m_types;
    QHash<QString, StageImpl> m_impls;
};

// `orrery-cli stage TYPE ARGS…` recognised in one command line: {TYPE, ARGS}; nullopt for any other
// command (another program, or shell operators around it).
struct BuiltinCall {
    QString type;
    QStringList args;
};
std::optional<BuiltinCall> parseBuiltinCall(const QString &commandLine);

} // namespace orrery::pipeline
